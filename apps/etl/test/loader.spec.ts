// The loader against real PostgreSQL and s3rver: exact events, rejects and manifest for objects with
// bad lines and a duplicate across objects; nothing changes on a second run; backfill reloads; runs
// that died before their model rebuild are repaired; events PostgreSQL refuses become rejects.

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import type { CanonicalEvent } from '@clickstream/event-schema';
import { ETL_REJECT_LINE_MAX_CHARS } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { createMetricsRegistry } from '@clickstream/runtime';
import { loadRawObject, runEtl, type EtlDeps } from '../src/loader';
import { createEtlMetrics } from '../src/metrics';
import { keyOf, makeEvents, manifest, modelSnapshot, objectKey, quietLogger, rejects, runs, storedEventKeys, writeObjects } from './harness';

jest.setTimeout(60_000);

let pg: TestPostgres;
let s3: TestS3;
let wh: TestWarehouse;
let archive: RawArchive;
let deps: EtlDeps;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startTestPostgres(), startTestS3()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), s3?.destroy()]);
});
beforeEach(async () => {
  wh = await createTestWarehouse(pg.url);
  archive = createRawArchive(s3.newBucket());
  await archive.ensureBucket();
  deps = { sql: wh.sql, archive, logger: quietLogger() };
});
afterEach(async () => {
  archive?.close();
  await wh?.drop();
});

const sorted = (xs: string[]) => [...xs].sort();

/** Six objects of 100 events; bad lines in three of them; object 5 repeats an event of object 1. */
async function writeMixedObjects(): Promise<{ valid: CanonicalEvent[]; keys: string[]; bad: Array<{ key: string; lineNumber: number; reason: RegExp; line: string }> }> {
  const events = makeEvents(600);
  const chunks = Array.from({ length: 6 }, (_, i) => events.slice(i * 100, i * 100 + 100).map((e) => JSON.stringify(e)));
  const longBad = `{"oops": "${'x'.repeat(ETL_REJECT_LINE_MAX_CHARS * 2)}`;
  const insertions: Array<[number, number, string, RegExp]> = [
    [1, 4, 'not json {', /^not JSON/],
    [2, 9, JSON.stringify({ event_type: 'click' }), /^not a canonical event/],
    [2, 50, JSON.stringify({ ...events[0], event_id: 'f0000000-0000-4000-8000-000000000000', user_id: 42 }), /^not a canonical event: \/user_id/],
    [3, 0, `nul \u0000 inside, not json`, /^not JSON/],
    [3, 99, longBad, /^not JSON/],
  ];
  for (const [object, index, line] of insertions) chunks[object].splice(index, 0, line);
  chunks[4].push(JSON.stringify(events[5])); // the same event again, in another object
  const keys: string[] = [];
  for (const [i, lines] of chunks.entries()) {
    const key = objectKey(0, i * 1000, lines.length, events[i * 100].received_at);
    await archive.putObject(key, lines);
    keys.push(key);
  }
  const bad = insertions.map(([object, index, line, reason]) => ({ key: keys[object], lineNumber: index + 1, reason, line }));
  return { valid: events, keys, bad };
}

describe('runEtl', () => {
  it('loads every valid event once, keeps bad lines as rejects with their object and line, and a second run changes nothing', async () => {
    const { valid, keys, bad } = await writeMixedObjects();
    const registry = createMetricsRegistry({ service: 'etl', defaultMetrics: false });
    const metrics = createEtlMetrics(registry);

    const first = await runEtl({ ...deps, metrics }, { rebuildModels: false });
    expect(first).toMatchObject({ status: 'succeeded', listed: 6, objects: 6, skipped: 0, events: 601, rows: 600, duplicates: 1, rejects: 5 });
    expect(await storedEventKeys(wh)).toEqual(sorted(valid.map(keyOf)));

    const stored = await rejects(wh);
    expect(stored.map((r) => [r.object_key, r.line_number])).toEqual(bad.map((b) => [b.key, b.lineNumber]).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])));
    for (const b of bad) {
      const row = stored.find((r) => r.object_key === b.key && r.line_number === b.lineNumber);
      expect(row?.reason).toMatch(b.reason);
      expect(row?.line).toBe(b.line.replaceAll('\0', '\uFFFD').slice(0, ETL_REJECT_LINE_MAX_CHARS));
    }

    const expectedManifest = await Promise.all(
      keys.map(async (key, i) => {
        const stat = await archive.statObject(key);
        const rejected = bad.filter((b) => b.key === key).length;
        return { key, etag: stat?.etag, rows: i === 4 ? 101 : 100, rejected, bytes: stat?.size };
      }),
    );
    expect(await manifest(wh)).toEqual(expectedManifest);
    expect(await runs(wh)).toEqual([{ id: first.runId, status: 'succeeded', objects: 6, rows: 600, rejects: 5, error: null, finished: true }]);

    const metricText = await registry.metrics();
    expect(metricText).toMatch(/clickstream_etl_rows_loaded_total\{service="etl"\} 600\b/);
    expect(metricText).toMatch(/clickstream_etl_objects_loaded_total\{service="etl"\} 6\b/);
    expect(metricText).toMatch(/clickstream_etl_duplicate_events_total\{service="etl"\} 1\b/);
    expect(metricText).toMatch(/clickstream_etl_rejected_lines_total\{service="etl"\} 5\b/);
    expect(metricText).toMatch(/clickstream_etl_objects_pending\{service="etl"\} 6\b/);
    expect(metricText).toMatch(/clickstream_etl_runs_total\{status="succeeded",service="etl"\} 1\b/);

    const before = { events: await storedEventKeys(wh), manifest: await manifest(wh), rejects: await rejects(wh) };
    const second = await runEtl({ ...deps, metrics }, { rebuildModels: false });
    expect(second).toMatchObject({ status: 'succeeded', listed: 0, objects: 0, rows: 0, rejects: 0 });
    expect({ events: await storedEventKeys(wh), manifest: await manifest(wh), rejects: await rejects(wh) }).toEqual(before);
    expect(await registry.getSingleMetricAsString('clickstream_etl_objects_pending')).toMatch(/ 0$/m);
  });

  it('rebuilds the models of the days it loaded', async () => {
    const events = makeEvents(240);
    await writeObjects(archive, events, 60);
    const summary = await runEtl(deps);
    expect(summary.status).toBe('succeeded');
    expect(summary.siteDays).toBeGreaterThan(0);
    expect(summary.models).not.toBeNull();
    const sessions = new Set(events.map((e) => `${e.site_id}/${e.session_id}`));
    const [{ n: sessionRows }] = await wh.sql<[{ n: number }]>`select count(*)::int as n from sessions`;
    const [{ n: pageViews }] = await wh.sql<[{ n: number }]>`select count(*)::int as n from page_views`;
    expect(sessionRows).toBe(sessions.size);
    expect(pageViews).toBe(events.filter((e) => e.event_type === 'page_view').length);
  });

  it('writes rejects in batches when an object has many bad lines, keeping every line number', async () => {
    const events = makeEvents(50);
    const lines: string[] = [];
    const badLines: number[] = [];
    events.forEach((e, i) => {
      lines.push(JSON.stringify(e));
      if (i % 2 === 0) {
        lines.push(`bad line ${i}`);
        badLines.push(lines.length);
      }
    });
    const key = objectKey(3, 0, lines.length, events[0].received_at);
    await archive.putObject(key, lines);

    const summary = await runEtl(deps, { rebuildModels: false, rejectBatch: 4 });
    expect(summary).toMatchObject({ status: 'succeeded', objects: 1, rows: 50, rejects: 25 });
    expect(await storedEventKeys(wh)).toEqual(sorted(events.map(keyOf)));
    expect((await rejects(wh)).map((r) => r.line_number)).toEqual(badLines);
    expect(await manifest(wh)).toEqual([expect.objectContaining({ key, rows: 50, rejected: 25 })]);
  });

  it('turns events PostgreSQL refuses into rejects instead of failing the object for ever', async () => {
    const events = makeEvents(30);
    // Valid by the event contract (amount ≥ 0), too big for numeric(14,2).
    const huge = { ...events[7], event_type: 'purchase' as const, order: { order_id: 'huge', amount: 1e15, currency: 'EUR' } };
    const lines = events.map((e) => JSON.stringify(e));
    lines[7] = JSON.stringify(huge);
    const key = objectKey(4, 0, lines.length, events[0].received_at);
    await archive.putObject(key, lines);

    const summary = await runEtl(deps, { rebuildModels: false });
    expect(summary).toMatchObject({ status: 'succeeded', objects: 1, rows: 29, rejects: 1 });
    expect(await storedEventKeys(wh)).toEqual(sorted(events.filter((_, i) => i !== 7).map(keyOf)));
    expect(await rejects(wh)).toEqual([{ object_key: key, line_number: 8, reason: expect.stringMatching(/^refused by PostgreSQL: .*numeric/), line: lines[7] }]);
  });

  it('fails the run for an unreadable object, loads the others, and leaves nothing of the bad one', async () => {
    const events = makeEvents(100);
    const good = await writeObjects(archive, events, 50);
    const badKey = objectKey(9, 0, 10, events[0].received_at);
    await archive.putObject(badKey, ['placeholder']);
    // Not gzip: overwrite the object's body through the raw client.
    await archive.client.send(new PutObjectCommand({ Bucket: archive.bucket, Key: badKey, Body: Buffer.from('this is not gzip') }));

    const summary = await runEtl(deps, { rebuildModels: false });
    expect(summary).toMatchObject({ status: 'failed', objects: 2, failedObjects: 1, rows: 100 });
    expect(summary.error).toContain(badKey);
    expect(await storedEventKeys(wh)).toEqual(sorted(events.map(keyOf)));
    expect((await manifest(wh)).map((m) => m.key)).toEqual(good.map((o) => o.key));
    expect(await runs(wh)).toEqual([expect.objectContaining({ status: 'failed', objects: 2, rows: 100, error: expect.stringContaining(badKey) })]);
  });

  it('backfill reloads every object of its days, restoring deleted events, without doubling rejects or manifest rows', async () => {
    const { valid, keys } = await writeMixedObjects();
    expect((await runEtl(deps, { rebuildModels: false })).status).toBe('succeeded');
    const manifestBefore = await manifest(wh);
    const rejectsBefore = await rejects(wh);
    const deleted = await wh.sql`delete from events where event_id in (select event_id from events order by event_id limit 40) returning event_id`;
    expect(deleted).toHaveLength(40);

    const day = valid[0].received_at.slice(0, 10);
    const summary = await runEtl(deps, { backfill: { from: day, to: day } });
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'backfill', listed: 6, objects: 6, rows: 40, duplicates: 561 });
    expect(summary.siteDays).toBeGreaterThan(0);
    expect(await storedEventKeys(wh)).toEqual(sorted(valid.map(keyOf)));
    expect((await manifest(wh)).map(({ key, rows, rejected }) => ({ key, rows, rejected }))).toEqual(manifestBefore.map(({ key, rows, rejected }) => ({ key, rows, rejected })));
    expect(await rejects(wh)).toEqual(rejectsBefore);
    expect(keys).toHaveLength(6);

    // A range with no objects loads nothing and still succeeds.
    expect(await runEtl(deps, { backfill: { from: '2020-01-01', to: '2020-01-02' } })).toMatchObject({ status: 'succeeded', listed: 0, objects: 0 });
  });

  it('rebuilds the models a dead run never got to, and only once', async () => {
    const events = makeEvents(120);
    const objects = await writeObjects(archive, events, 40);
    // A run that loaded objects and died before its rebuild: `running`, its lock gone with its process.
    const [dead] = await wh.sql<[{ id: string }]>`insert into etl_runs (status, started_at, objects) values ('running', now() - interval '1 minute', 3) returning id`;
    for (const o of objects) {
      const stat = await archive.statObject(o.key);
      if (!stat) throw new Error(`missing ${o.key}`);
      expect((await loadRawObject({ sql: wh.sql, archive }, stat)).status).toBe('loaded');
    }
    expect(await modelSnapshot(wh)).toEqual({ sessions: [], pageViews: [], orders: [] });

    const repair = await runEtl(deps);
    expect(repair).toMatchObject({ status: 'succeeded', objects: 0, repairedRuns: 1 });
    const repaired = await modelSnapshot(wh);
    expect(repaired.sessions).toHaveLength(new Set(events.map((e) => `${e.site_id}/${e.session_id}`)).size);
    expect((await runs(wh)).find((r) => r.id === Number(dead.id))).toMatchObject({ status: 'failed', finished: true, error: expect.stringContaining('stopped') });

    // Compare with a clean load into a fresh warehouse.
    const clean = await createTestWarehouse(pg.url);
    try {
      expect((await runEtl({ ...deps, sql: clean.sql })).status).toBe('succeeded');
      expect(repaired).toEqual(await modelSnapshot(clean));
    } finally {
      await clean.drop();
    }
    expect(await runEtl(deps)).toMatchObject({ status: 'succeeded', repairedRuns: 0, siteDays: 0 });
  });

  it('starts no object once its signal is aborted', async () => {
    await writeObjects(archive, makeEvents(60), 20);
    const controller = new AbortController();
    controller.abort();
    const summary = await runEtl(deps, { signal: controller.signal, rebuildModels: false });
    expect(summary).toMatchObject({ status: 'succeeded', stopped: true, listed: 3, objects: 0 });
    expect(await storedEventKeys(wh)).toEqual([]);
  });
});
