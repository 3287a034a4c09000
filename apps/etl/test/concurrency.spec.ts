// Three loaders with pools of their own, started together over the same 24 objects: each object is
// loaded by exactly one of them (its lock, then the manifest check), every event once, no errors.

import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createWarehouse, type Warehouse } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { runEtl } from '../src/loader';
import { keyOf, makeEvents, manifest, modelSnapshot, quietLogger, storedEventKeys, writeObjects } from './harness';

jest.setTimeout(90_000);

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

describe('several loaders at once', () => {
  it('load every object exactly once between them', async () => {
    const events = makeEvents(7200);
    const objects = await writeObjects(archive, events, 300);
    expect(objects).toHaveLength(24);

    const loaders: Warehouse[] = [0, 1, 2].map(() => createWarehouse({ url: pg.url, schema: wh.schema, max: 3 }));
    const archives = loaders.map(() => createRawArchive(s3.config));
    try {
      const summaries = await Promise.all(loaders.map((loader, i) => runEtl({ sql: loader.sql, archive: archives[i], logger: quietLogger() })));
      for (const s of summaries) expect(s).toMatchObject({ status: 'succeeded', failedObjects: 0 });
      expect(summaries.reduce((n, s) => n + s.objects, 0)).toBe(24);
      expect(summaries.reduce((n, s) => n + s.rows, 0)).toBe(events.length);
      expect(summaries.reduce((n, s) => n + s.duplicates, 0)).toBe(0);
      // Every object a loader listed it either loaded or left to another (locked, or loaded since the listing).
      for (const s of summaries) expect(s.objects + s.skipped).toBe(s.listed);
      // They really shared the work (a loader that took everything would mean no concurrency was tested).
      expect(summaries.filter((s) => s.objects > 0).length).toBeGreaterThan(1);

      expect(await storedEventKeys(wh)).toEqual(events.map(keyOf).sort());
      const rows = await manifest(wh);
      expect(rows.map((r) => r.key)).toEqual(objects.map((o) => o.key));
      expect(rows.every((r) => r.rows === 300 && r.rejected === 0)).toBe(true);
      const runRows = await wh.sql<{ status: string; objects: number }[]>`select status, objects from etl_runs order by id`;
      expect(runRows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(runRows.reduce((n, r) => n + r.objects, 0)).toBe(24);

      // The models agree with a load by one loader alone.
      const single = await createTestWarehouse(pg.url);
      try {
        expect((await runEtl({ sql: single.sql, archive, logger: quietLogger() })).status).toBe('succeeded');
        expect(await modelSnapshot(wh)).toEqual(await modelSnapshot(single));
      } finally {
        await single.drop();
      }
    } finally {
      for (const a of archives) a.close();
      await Promise.all(loaders.map((l) => l.close()));
    }
  });
});
