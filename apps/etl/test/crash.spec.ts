// The built etl as a child process (`run --once`), killed with SIGKILL once its log says a few objects
// committed, then run again: events, manifest and models end up identical to a clean single run, and
// the killed run is marked failed by the one that repaired its models.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { runEtl } from '../src/loader';
import { keyOf, makeEvents, manifest, modelSnapshot, quietLogger, runs, storedEventKeys, writeObjects } from './harness';

jest.setTimeout(90_000);

const MAIN = resolve(__dirname, '../dist/main.js');
const OBJECTS = 30;
const KILL_AFTER = 4;

let pg: TestPostgres;
let s3: TestS3;
let wh: TestWarehouse;
let archive: RawArchive;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startTestPostgres(), startTestS3()]);
  wh = await createTestWarehouse(pg.url);
  archive = createRawArchive(s3.config);
  await archive.ensureBucket();
});
afterAll(async () => {
  archive?.close();
  await wh?.drop();
  await Promise.all([pg?.stop(), s3?.destroy()]);
});

/** `etl run --once` on the test warehouse; `killAfter`: SIGKILL once that many objects are logged as committed. */
function runOnce(killAfter?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; committed: number }> {
  const child = spawn(process.execPath, [MAIN, 'run', '--once'], {
    env: { PATH: process.env['PATH'], DATABASE_URL: pg.url, DATABASE_SCHEMA: wh.schema, ...s3.config, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let committed = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    const lines = stderr.split('\n');
    stderr = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"msg":"object committed"')) committed++;
      if (killAfter !== undefined && committed >= killAfter && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  return new Promise((res) => child.once('exit', (code, signal) => res({ code, signal, stdout, committed })));
}

describe('etl run --once killed with SIGKILL between objects', () => {
  it('loses nothing and doubles nothing when run again, and the models match a clean run', async () => {
    const events = makeEvents(OBJECTS * 150);
    await writeObjects(archive, events, 150);

    const killed = await runOnce(KILL_AFTER);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe(''); // no summary: it never finished
    // Killed part-way: what it committed is whole, and the rest is not there.
    const partial = await manifest(wh);
    expect(partial.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(partial.length).toBeLessThan(OBJECTS);
    expect(await runs(wh)).toEqual([expect.objectContaining({ status: 'running', objects: partial.length, finished: false })]);
    expect((await storedEventKeys(wh)).length).toBe(partial.reduce((n, m) => n + m.rows, 0));

    const again = await runOnce();
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout.trim()) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'succeeded', objects: OBJECTS - partial.length, repairedRuns: 1, rows: events.length - partial.length * 150 });

    expect(await storedEventKeys(wh)).toEqual(events.map(keyOf).sort());
    const [dead, finished] = await runs(wh);
    expect(dead).toMatchObject({ status: 'failed', finished: true, error: expect.stringMatching(/stopped before the run finished.*models of its objects were rebuilt by run/) });
    expect(finished).toMatchObject({ status: 'succeeded', objects: OBJECTS - partial.length });

    // A clean single run over the same archive gives the same manifest and models.
    const clean = await createTestWarehouse(pg.url);
    try {
      expect((await runEtl({ sql: clean.sql, archive, logger: quietLogger() })).status).toBe('succeeded');
      expect(await storedEventKeys(clean)).toEqual(await storedEventKeys(wh));
      expect(await manifest(wh)).toEqual(await manifest(clean));
      expect(await modelSnapshot(wh)).toEqual(await modelSnapshot(clean));
    } finally {
      await clean.drop();
    }
  });
});
