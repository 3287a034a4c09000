// `npm run test:faults`: the embedded stack as child processes under a steady load; one at a time,
// kill -9 ingest, stream-consumer, etl, web and the dev broker, stop PostgreSQL and S3 for 30 s.
// After each, the load is drained and every event ingest acknowledged with 202 must be in the
// archive and exactly once in `events`, with the live rollups and the models agreeing. Prints the
// matrix and writes it to .reports/faults/matrix.json. FAULTS=ingest,postgres runs only those.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { createRawArchive } from '@clickstream/archive';
import { DEFAULT_EVENTS_TOPIC } from '@clickstream/kafka';
import {
  FaultStack,
  PipelineAudit,
  RECOVERY_DEFINITION,
  SteadyLoad,
  failed,
  formatMatrix,
  runPhase,
  selectFaults,
  type Fault,
  type FaultRow,
  type PhaseContext,
} from '../src';

const ROOT = resolve(__dirname, '../../..');
const REPORT_DIR = join(ROOT, '.reports/faults');
const RATE = Number(process.env['FAULTS_RATE'] || 200);
const PHASE_TIMEOUT_MS = 600_000;
const faults = selectFaults(process.env['FAULTS']);
const say = (line: string) => process.stdout.write(`faults: ${line}\n`);

describe('fault injection on the embedded stack', () => {
  const rows: FaultRow[] = [];
  const started = Date.now();
  let dataDir: string;
  let stack: FaultStack;
  let sql: Sql;
  let audit: PipelineAudit;
  let load: SteadyLoad;
  let ctx: PhaseContext;
  let phase = 0;
  /** Set when the baseline fails: the stack does not work, so the faults would only time out. */
  let broken: string | undefined;

  beforeAll(async () => {
    mkdirSync(REPORT_DIR, { recursive: true });
    rmSync(join(REPORT_DIR, 'stack.log'), { force: true });
    dataDir = mkdtempSync(join(tmpdir(), 'clickstream-faults-'));
    stack = new FaultStack({
      repoRoot: ROOT,
      dataDir,
      logFile: join(REPORT_DIR, 'stack.log'),
      // The launcher's defaults, with the ETL every 2 s so that a drain takes seconds, not 15.
      env: { ETL_INTERVAL_SECONDS: '2', LOG_LEVEL: process.env['LOG_LEVEL'] || 'info' },
    });
    const t0 = Date.now();
    await stack.start();
    say(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${dataDir}, logs in ${join(REPORT_DIR, 'stack.log')})`);
    sql = postgres(stack.databaseUrl, { max: 2, onnotice: () => undefined, connection: { search_path: 'clickstream' } });
    const s3 = stack.wiring.s3;
    const archive = createRawArchive({ S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_REGION: s3.region, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' });
    audit = new PipelineAudit({ sql, archive, brokers: `127.0.0.1:${stack.ports.broker}`, topic: DEFAULT_EVENTS_TOPIC });
    load = new SteadyLoad({ ingestUrl: stack.ingestUrl, rate: RATE, seed: `faults-${Date.now()}` });
    ctx = { stack, load, audit, sql, log: say };
    say(`load: ${RATE} events/s; faults: ${faults.map((f) => f.name).join(', ')}`);
  }, 300_000);

  afterAll(async () => {
    await load?.stop().catch(() => undefined);
    const seconds = (Date.now() - started) / 1000;
    if (rows.length > 0) {
      const table = formatMatrix(rows);
      process.stdout.write(`\n${table}\n\n${RECOVERY_DEFINITION}\nkafka dups: acknowledged events stored in two Kafka messages (retried requests); \`events\` keeps one, the live rollups count both.\nsuite time: ${seconds.toFixed(0)} s\n\n`);
      writeFileSync(join(REPORT_DIR, 'matrix.txt'), `${table}\n`);
      writeFileSync(
        join(REPORT_DIR, 'matrix.json'),
        `${JSON.stringify({ finishedAt: new Date().toISOString(), rate: RATE, seconds, definition: RECOVERY_DEFINITION, rows }, null, 2)}\n`,
      );
    }
    await sql?.end({ timeout: 2 }).catch(() => undefined);
    await audit?.close();
    if (stack) {
      for (const e of stack.unplannedExits) say(`${e.component} exited by itself (${e.how}); its last lines:\n${e.lastLines.join('\n')}`);
      await stack.close().catch(() => stack.killAll());
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 300_000);

  const check = async (fault: Fault | undefined) => {
    if (broken) throw new Error(`not run: the baseline failed (${broken})`);
    phase += 1;
    const { row, lostIds, drainState, rollupNote } = await runPhase(ctx, phase, fault);
    rows.push(row);
    const s = load.phaseStats(phase);
    say(
      `${row.fault}: ${s.generated} sent, ${row.acknowledged} acknowledged, ${s.rejected} rejected, ${s.retries} retried requests, ${s.abandoned} abandoned; ` +
        `${row.lost} lost, ${row.duplicated} duplicated, ${row.kafkaDuplicates} kafka dups, recovery ${row.recoverySeconds ?? 'none'} s`,
    );
    say(`${row.fault}: ${rollupNote}`);
    if (failed(row)) {
      const why = [
        !row.drained && `the pipeline did not drain: ${drainState}`,
        row.lost > 0 && `${row.lost} acknowledged events lost (${row.lostFromArchive} not in the archive), e.g. ${lostIds.slice(0, 5).join(', ')}`,
        row.duplicated > 0 && `${row.duplicated} acknowledged events more than once in events`,
        row.repeatedInEvents > 0 && `${row.repeatedInEvents} extra rows of a repeated event_id in events`,
        row.rollupMismatches > 0 && `${row.rollupMismatches} live rollup cells differ from the archived events`,
        row.modelProblems.length > 0 && `models: ${row.modelProblems.join('; ')}`,
        row.recoverySeconds === null && 'it did not recover',
      ].filter(Boolean);
      if (!fault) broken = why.join('; ');
      throw new Error(`${row.fault}: ${why.join('; ')}`);
    }
  };

  it('baseline: the steady load with no fault', () => check(undefined), PHASE_TIMEOUT_MS);

  it.each(faults.map((f) => [f.name, f] as const))('%s', (_name, fault) => check(fault), PHASE_TIMEOUT_MS);
});
