// One phase of the suite: steady load, the fault (kill -9, or a stop of 30 s), the restart, the
// recovery measured while the load goes on, then the load stopped, the pipeline drained and audited.
import type { Sql } from 'postgres';
import { countPhase, type FaultRow } from './fault-matrix';
import type { ComponentName, FaultStack } from './fault-stack';
import { describeDrain, drained, type PipelineAudit } from './pipeline-audit';
import type { SteadyLoad } from './steady-load';

export interface Fault {
  name: string;
  component: ComponentName;
  /** kill: SIGKILL; stop: a clean stop (PostgreSQL fast shutdown, s3rver close). */
  action: 'kill' | 'stop';
  /** How long the component stays down before it is started again. */
  downMs: number;
  /** Events flow through it: recovery waits for a post-restart event to reach `events`. */
  onEventPath: boolean;
}

export const FAULTS: readonly Fault[] = [
  { name: 'kill -9 ingest', component: 'ingest', action: 'kill', downMs: 5000, onEventPath: true },
  { name: 'kill -9 stream-consumer', component: 'stream-consumer', action: 'kill', downMs: 5000, onEventPath: true },
  { name: 'kill -9 etl', component: 'etl', action: 'kill', downMs: 5000, onEventPath: true },
  { name: 'kill -9 web', component: 'web', action: 'kill', downMs: 5000, onEventPath: false },
  { name: 'kill -9 kafka-dev-broker', component: 'kafka-dev-broker', action: 'kill', downMs: 5000, onEventPath: true },
  { name: 'stop PostgreSQL 30 s', component: 'postgres', action: 'stop', downMs: 30_000, onEventPath: true },
  { name: 'stop S3 (s3rver) 30 s', component: 's3', action: 'stop', downMs: 30_000, onEventPath: true },
];

/** FAULTS=ingest,postgres (component names) runs only those; unset runs all. */
export function selectFaults(filter: string | undefined): Fault[] {
  const wanted = (filter ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) return [...FAULTS];
  const unknown = wanted.filter((w) => !FAULTS.some((f) => f.component === w));
  if (unknown.length > 0) throw new Error(`FAULTS: unknown component(s) ${unknown.join(', ')}; known: ${FAULTS.map((f) => f.component).join(', ')}`);
  return FAULTS.filter((f) => wanted.includes(f.component));
}

export interface PhaseContext {
  stack: FaultStack;
  load: SteadyLoad;
  audit: PipelineAudit;
  /** Warehouse connection (search_path = the warehouse schema). */
  sql: Sql;
  /** Load before the fault, and at least this long after the restart (ms). */
  steadyMs?: number;
  /** Longest wait for the recovery, and for the drain (ms). */
  recoveryTimeoutMs?: number;
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function inEvents(sql: Sql, eventId: string): Promise<boolean> {
  try {
    const rows = await sql`select 1 from events where site_id = 'default' and event_id = ${eventId}::uuid`;
    return rows.length > 0;
  } catch {
    return false; // PostgreSQL may be the component that is coming back
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one phase (fault undefined: the baseline, load and no fault) and returns its row. */
export async function runPhase(
  ctx: PhaseContext,
  phase: number,
  fault: Fault | undefined,
): Promise<{ row: FaultRow; lostIds: string[]; drainState: string; rollupNote: string }> {
  const { stack, load, audit, sql } = ctx;
  const steadyMs = ctx.steadyMs ?? 8000;
  const recoveryTimeoutMs = ctx.recoveryTimeoutMs ?? 180_000;
  const log = ctx.log ?? (() => undefined);
  const name = fault?.name ?? 'none (baseline)';
  const exitsBefore = stack.unplannedExits.length;
  load.phase = phase;
  load.start();
  stack.note(`phase ${phase}: ${name}`);
  await sleep(steadyMs);

  let recoverySeconds: number | null = null;
  if (fault) {
    log(`${name}: injecting`);
    if (fault.action === 'kill') await stack.kill(fault.component);
    else await stack.stop(fault.component);
    await sleep(fault.downMs);
    const restartAt = Date.now();
    log(`${name}: starting ${fault.component} again`);
    let readyAt: number | undefined;
    try {
      await stack.startComponent(fault.component);
      readyAt = Date.now();
    } catch (err) {
      stack.note(`${fault.component} did not start again: ${(err as Error).message}`);
      log(`${name}: ${fault.component} did not start again: ${(err as Error).message}`);
    }
    if (readyAt !== undefined) {
      let visibleAt: number | undefined = readyAt;
      if (fault.onEventPath) {
        visibleAt = undefined;
        const until = restartAt + recoveryTimeoutMs;
        const id = await within(load.firstAckAfter(restartAt), recoveryTimeoutMs);
        if (id) {
          while (Date.now() < until) {
            if (await inEvents(sql, id)) {
              visibleAt = Date.now();
              break;
            }
            await sleep(250);
          }
        }
      }
      if (visibleAt !== undefined) recoverySeconds = (Math.max(readyAt, visibleAt) - restartAt) / 1000;
    }
    log(`${name}: recovery ${recoverySeconds === null ? 'none' : `${recoverySeconds.toFixed(1)} s`}`);
    await sleep(restartAt + steadyMs - Date.now());
  } else {
    await sleep(steadyMs);
  }

  await load.stop();
  const drainStart = Date.now();
  const state = await audit.waitDrained(ctx.drainTimeoutMs ?? 180_000);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  log(`${name}: drained in ${drainSeconds.toFixed(1)} s (${describeDrain(state)}); auditing`);
  const result = await audit.audit();
  const counts = countPhase(load.acked, phase, result);
  const stats = load.phaseStats(phase);
  const row: FaultRow = {
    fault: name,
    acknowledged: counts.acknowledged,
    lost: counts.lost,
    lostFromArchive: counts.lostFromArchive,
    duplicated: counts.duplicated,
    repeatedInEvents: result.eventsRows - result.inEvents.size,
    kafkaDuplicates: counts.kafkaDuplicates,
    rollupMismatches: result.rollups.mismatchedCells + (result.rollups.hourTotal === result.rollups.total ? 0 : 1),
    modelProblems: result.models.problems,
    unplannedExits: stack.unplannedExits.slice(exitsBefore).map((e) => `${e.component} (${e.how})`),
    ackGapSeconds: stats.longestAckGapMs / 1000,
    recoverySeconds: fault ? recoverySeconds : 0,
    drainSeconds,
    drained: drained(state),
    abandoned: stats.abandoned,
  };
  stack.note(`phase ${phase} row: ${JSON.stringify(row)}; archive ${result.archiveObjects} objects ${result.archiveLines} lines, ${result.overlappingObjects} overlapping; events ${result.eventsRows} rows; rollups ${result.rollups.total} (expected ${result.rollups.expected}, hours ${result.rollups.hourTotal})`);
  // The live rollups against the acknowledged set: every acknowledged human event counted, plus the
  // extra Kafka messages (duplicates, deliveries whose 202 was lost) that the rollups count too.
  let ackedHumans = 0;
  for (const id of load.acked.keys()) if (result.humanIds.has(id)) ackedHumans++;
  const rollupNote =
    `live rollups hold ${result.rollups.total} events: ${ackedHumans} acknowledged human events ` +
    `${result.rollups.total >= ackedHumans ? '+' : '-'} ${Math.abs(result.rollups.total - ackedHumans)} (Kafka duplicates and deliveries whose 202 never arrived); ` +
    `archive ${result.archiveLines} lines in ${result.archiveObjects} objects (${result.overlappingObjects} overlapping), events ${result.eventsRows} rows`;
  return { row, lostIds: counts.lostIds, drainState: describeDrain(state), rollupNote };
}
