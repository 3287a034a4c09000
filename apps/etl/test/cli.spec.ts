// The built etl end to end through `node dist/main.js`: --help, argument errors (exit 2), run --once
// (JSON summary, exit 1 on failure), retention (dry run, then for real), backfill (progress lines,
// deleted events back) and serve (/health, /metrics, scheduled runs, SIGTERM).

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createRawArchive, parseRawObjectKey, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { keyOf, makeEvents, manifest, storedEventKeys, waitFor, writeObjects } from './harness';

jest.setTimeout(60_000);

const MAIN = resolve(__dirname, '../dist/main.js');
const DAY = 86_400_000;

let pg: TestPostgres;
let s3: TestS3;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startTestPostgres(), startTestS3()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.destroy()]);
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function etl(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env['PATH'], LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.once('exit', (code) => res({ code, stdout, stderr })));
}

/** The one JSON line a command prints on stdout. */
function resultOf(r: Result): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

async function testEnv(): Promise<{ wh: TestWarehouse; archive: RawArchive; env: Record<string, string>; done: () => Promise<void> }> {
  const wh = await createTestWarehouse(pg.url);
  const bucket = s3.newBucket();
  const archive = createRawArchive(bucket);
  await archive.ensureBucket();
  const env: Record<string, string> = { DATABASE_URL: pg.url, DATABASE_SCHEMA: wh.schema, ...(bucket as unknown as Record<string, string>) };
  return {
    wh,
    archive,
    env,
    done: async () => {
      archive.close();
      await wh.drop();
    },
  };
}

describe('etl --help and argument errors', () => {
  it('prints the commands, options and environment', async () => {
    const top = await etl(['--help']);
    expect(top.code).toBe(0);
    for (const text of ['serve', 'run --once', 'backfill --from DATE --to DATE', 'retention', 'ETL_INTERVAL_SECONDS', 'ETL_PORT', 'DATABASE_URL', 'RETENTION_DAYS']) {
      expect(top.stdout).toContain(text);
    }
    const backfill = await etl(['backfill', '--help']);
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).toMatch(/--from <YYYY-MM-DD>[\s\S]*--to <YYYY-MM-DD>/);
    const retention = await etl(['retention', '--help']);
    expect(retention.stdout).toMatch(/--days <N>[\s\S]*--dry-run/);
  });

  it.each([
    [['rerun'], {}, /unknown command "rerun"/],
    [['backfill', '--from', '2026-01-05', '--to', '2026-01-04'], {}, /--from 2026-01-05 is after --to 2026-01-04/],
    [['backfill', '--from', '2026-01-32', '--to', '2026-02-01'], {}, /not a date/],
    [['backfill'], {}, /--from and --to are required/],
    [['retention', '--days', 'soon'], {}, /--days "soon" is not a whole number/],
    [['retention'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/test' }, /--days N is required when RETENTION_DAYS is not set/],
  ])('etl %j exits 2 with a clear line', async (args, env, message) => {
    const r = await etl(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a bad environment exits 1 naming the variable', async () => {
    const r = await etl(['run', '--once'], { DATABASE_URL: 'mysql://x' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL/);
  });
});

describe('etl run --once', () => {
  it('loads the archive, prints a JSON summary and exits 0; a run that fails exits 1 with its summary', async () => {
    const t = await testEnv();
    try {
      const events = makeEvents(500);
      const objects = await writeObjects(t.archive, events, 100);
      const ok = await etl(['run', '--once'], t.env);
      expect(ok.code).toBe(0);
      expect(resultOf(ok)).toMatchObject({ status: 'succeeded', objects: 5, rows: 500, rejects: 0 });
      expect(await storedEventKeys(t.wh)).toEqual(events.map(keyOf).sort());
      expect((await manifest(t.wh)).map((m) => m.key)).toEqual(objects.map((o) => o.key));

      const down = await etl(['run', '--once'], { ...t.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', MIGRATE: 'false' });
      expect(down.code).toBe(1);
      expect(resultOf(down)).toMatchObject({ status: 'failed', runId: null, error: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await t.done();
    }
  });
});

describe('etl retention', () => {
  it('--dry-run counts what is older than today − N days; without it exactly that goes', async () => {
    const t = await testEnv();
    try {
      const today = Math.floor(Date.now() / DAY) * DAY;
      const days = [10, 3, 0].map((ago) => today - ago * DAY + 3_600_000);
      const batches = days.map((start) => makeEvents(120, { start }));
      for (const [i, batch] of batches.entries()) await writeObjects(t.archive, batch, 60, { partition: i });
      expect((await etl(['run', '--once'], t.env)).code).toBe(0);

      const cutoff = new Date(today - 5 * DAY);
      const older = async () => {
        const [row] = await t.wh.sql<[{ events: number; sessions: number; page_views: number; orders: number; manifest: number }]>`
          select (select count(*) from events where event_time < ${cutoff})::int as events,
                 (select count(*) from sessions where started_at < ${cutoff})::int as sessions,
                 (select count(*) from page_views where viewed_at < ${cutoff})::int as page_views,
                 (select count(*) from orders where ordered_at < ${cutoff})::int as orders,
                 (select count(*) from etl_objects where key < ${`raw/dt=${cutoff.toISOString().slice(0, 10)}`})::int as manifest`;
        return row;
      };
      const rawKeys = async () => {
        const keys: string[] = [];
        for await (const o of t.archive.list({ prefix: 'raw/' })) keys.push(o.key);
        return keys;
      };
      const before = await older();
      expect(before).toMatchObject({ events: 120, manifest: 2 });
      expect(before.sessions).toBeGreaterThan(0);
      const keysBefore = await rawKeys();
      const eventsBefore = await storedEventKeys(t.wh);

      const dry = await etl(['retention', '--days', '5', '--dry-run'], t.env);
      expect(dry.code).toBe(0);
      const planned = resultOf(dry);
      expect(planned).toMatchObject({ dryRun: true, days: 5, cutoff: cutoff.toISOString(), archive: { objects: 2 } });
      expect(planned['tables']).toMatchObject({ events: before.events, sessions: before.sessions, page_views: before.page_views, orders: before.orders, etl_objects: 2 });
      expect(await rawKeys()).toEqual(keysBefore);
      expect(await storedEventKeys(t.wh)).toEqual(eventsBefore);

      // RETENTION_DAYS stands in for --days.
      const real = await etl(['retention'], { ...t.env, RETENTION_DAYS: '5' });
      expect(real.code).toBe(0);
      expect(resultOf(real)).toMatchObject({ dryRun: false, archive: { objects: 2 }, tables: planned['tables'] as object });
      expect(await older()).toEqual({ events: 0, sessions: 0, page_views: 0, orders: 0, manifest: 0 });
      const cutoffDay = cutoff.toISOString().slice(0, 10);
      expect(await rawKeys()).toEqual(keysBefore.filter((k) => (parseRawObjectKey(k)?.date ?? '') >= cutoffDay));
      expect(await storedEventKeys(t.wh)).toEqual(batches.slice(1).flat().map(keyOf).sort());
    } finally {
      await t.done();
    }
  });
});

describe('etl backfill', () => {
  it('reloads the days asked for: deleted events come back; progress lines go to stderr', async () => {
    const t = await testEnv();
    try {
      const dayA = Date.UTC(2026, 1, 1, 8);
      const dayB = Date.UTC(2026, 1, 2, 8);
      const eventsA = makeEvents(300, { start: dayA });
      const eventsB = makeEvents(300, { start: dayB });
      await writeObjects(t.archive, eventsA, 100, { partition: 0 });
      await writeObjects(t.archive, eventsB, 100, { partition: 1 });
      expect((await etl(['run', '--once'], t.env)).code).toBe(0);
      const all = await storedEventKeys(t.wh);

      await t.wh.sql`delete from events where event_id in ${t.wh.sql([eventsA[3], eventsA[150], eventsA[299], eventsB[0]].map((e) => e.event_id))}`;
      const sessionsBefore = await t.wh.sql`select count(*)::int as n from sessions`;

      const r = await etl(['backfill', '--from', '2026-02-01', '--to', '2026-02-01'], t.env);
      expect(r.code).toBe(0);
      expect(resultOf(r)).toMatchObject({ status: 'succeeded', mode: 'backfill', listed: 3, objects: 3, rows: 3, duplicates: 297 });
      const progress = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{"progress"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(progress[0]).toEqual({ progress: 'listed', objects: 3 });
      expect(progress.filter((p) => p['progress'] === 'objects').at(-1)).toMatchObject({ done: 3, total: 3, rows: 3 });
      expect(progress.at(-1)).toMatchObject({ progress: 'models' });

      // Day A's events are back; day B's deleted one is not (outside the range).
      const eventB0 = keyOf(eventsB[0]);
      expect(await storedEventKeys(t.wh)).toEqual(all.filter((k) => k !== eventB0));
      expect(await t.wh.sql`select count(*)::int as n from sessions`).toEqual(sessionsBefore);
    } finally {
      await t.done();
    }
  });
});

describe('etl serve', () => {
  it('runs on its interval, serves /health and /metrics, and stops cleanly on SIGTERM', async () => {
    const t = await testEnv();
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env['PATH'], ...t.env, LOG_LEVEL: 'info', ETL_PORT: '0', ETL_HOST: '127.0.0.1', ETL_INTERVAL_SECONDS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      await waitFor('the ops server', async () => /"msg":"etl ops server listening"/.test(output), 20_000);
      const port = Number(/"port":(\d+)[^\n]*"msg":"etl ops server listening"/.exec(output)?.[1]);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'healthy', service: 'etl' });

      const first = makeEvents(200);
      await writeObjects(t.archive, first, 100, { partition: 0 });
      await waitFor('the first objects loaded', async () => (await storedEventKeys(t.wh)).length === 200, 20_000);
      // Objects that arrive later are picked up by a later run.
      const second = makeEvents(100);
      await writeObjects(t.archive, second, 100, { partition: 1 });
      await waitFor('the later object loaded', async () => (await storedEventKeys(t.wh)).length === 300, 20_000);
      expect(await storedEventKeys(t.wh)).toEqual([...first, ...second].map(keyOf).sort());

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/clickstream_etl_runs_total\{status="succeeded",service="etl"\} [1-9]/);
      expect(metrics).toMatch(/clickstream_etl_rows_loaded_total\{service="etl"\} 300\b/);
      expect(metrics).toMatch(/clickstream_etl_last_success_timestamp_seconds\{service="etl"\} [1-9]/);
      expect(metrics).toContain('clickstream_etl_model_rebuild_duration_seconds_bucket');
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, s3: { ok: true } } });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const runRows = await t.wh.sql<{ status: string }[]>`select status from etl_runs`;
      expect(runRows.every((r) => r.status === 'succeeded')).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await t.done();
    }
  });

  it('on SIGTERM in the middle of a run, commits the current object, rebuilds the models of what it loaded, and exits 0', async () => {
    const t = await testEnv();
    const events = makeEvents(30 * 200);
    const objects = await writeObjects(t.archive, events, 200);
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      env: { PATH: process.env['PATH'], ...t.env, LOG_LEVEL: 'debug', ETL_PORT: '0', ETL_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let committed = 0;
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"msg":"object committed"')) continue;
        committed++;
        if (committed === 3) child.kill('SIGTERM');
      }
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      expect(await exited).toBe(0);
      const loaded = await manifest(t.wh);
      expect(loaded.length).toBeGreaterThanOrEqual(3);
      expect(loaded.length).toBeLessThan(objects.length);
      const loadedKeys = new Set(loaded.map((m) => m.key));
      const expected = objects.filter((o) => loadedKeys.has(o.key)).flatMap((o) => o.lines.map((l) => keyOf(JSON.parse(l) as Parameters<typeof keyOf>[0])));
      expect(await storedEventKeys(t.wh)).toEqual(expected.sort());
      const runRows = await t.wh.sql<{ status: string; objects: number }[]>`select status, objects from etl_runs`;
      expect(runRows).toEqual([{ status: 'succeeded', objects: loaded.length }]);
      const [{ n }] = await t.wh.sql<[{ n: number }]>`select count(*)::int as n from sessions`;
      expect(n).toBeGreaterThan(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await t.done();
    }
  });
});
