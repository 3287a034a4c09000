// PostgreSQL (through a TCP proxy that the test cuts) and S3 (s3rver stopped) going away before and
// in the middle of a run: the run fails cleanly, is recorded as failed when PostgreSQL is there to
// record it, leaves no part of an object behind, and the next run loads everything and rebuilds the
// models the failed run never got to.

import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import { createWarehouse, type Warehouse } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { runEtl, type EtlDeps } from '../src/loader';
import { keyOf, makeEvents, manifest, modelSnapshot, quietLogger, runs, storedEventKeys, writeObjects, type WrittenObject } from './harness';
import { startTcpProxy, type TcpProxy } from '@clickstream/runtime/testing';

jest.setTimeout(90_000);

let pg: TestPostgres;
let s3: TestS3;
let proxy: TcpProxy;

beforeAll(async () => {
  [pg, s3] = await Promise.all([startTestPostgres(), startTestS3()]);
  const target = new URL(pg.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([pg?.stop(), s3?.destroy()]);
});

/** A warehouse reached through the proxy, its direct twin for checks, and an archive with objects. */
async function setUp(): Promise<{ wh: TestWarehouse; viaProxy: Warehouse; archive: RawArchive; deps: EtlDeps; objects: WrittenObject[]; eventKeys: string[] }> {
  const wh = await createTestWarehouse(pg.url);
  const url = new URL(pg.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const viaProxy = createWarehouse({ url: url.toString(), schema: wh.schema, max: 4 });
  const archive = createRawArchive(s3.newBucket(), { connectionTimeoutMs: 1000, maxAttempts: 1 });
  await archive.ensureBucket();
  const events = makeEvents(1600);
  const objects = await writeObjects(archive, events, 200);
  return { wh, viaProxy, archive, deps: { sql: viaProxy.sql, archive, logger: quietLogger() }, objects, eventKeys: events.map(keyOf).sort() };
}

/** Events of exactly the objects in the manifest: nothing of an object the manifest does not have. */
async function expectWholeObjectsOnly(wh: TestWarehouse, objects: WrittenObject[]): Promise<void> {
  const loaded = new Set((await manifest(wh)).map((m) => m.key));
  const expected = objects
    .filter((o) => loaded.has(o.key))
    .flatMap((o) => o.lines.map((l) => JSON.parse(l) as Parameters<typeof keyOf>[0]))
    .map(keyOf)
    .sort();
  expect(await storedEventKeys(wh)).toEqual(expected);
}

async function expectCleanLoad(wh: TestWarehouse, archive: RawArchive): Promise<void> {
  const clean = await createTestWarehouse(pg.url);
  try {
    expect((await runEtl({ sql: clean.sql, archive, logger: quietLogger() })).status).toBe('succeeded');
    expect(await modelSnapshot(wh)).toEqual(await modelSnapshot(clean));
    expect(await manifest(wh)).toEqual(await manifest(clean));
  } finally {
    await clean.drop();
  }
}

describe('PostgreSQL down', () => {
  it('before a run: the run fails at once, nothing is written; the next run loads everything', async () => {
    const { wh, viaProxy, archive, deps, eventKeys } = await setUp();
    try {
      await proxy.cut();
      const failed = await runEtl(deps);
      expect(failed).toMatchObject({ status: 'failed', runId: null, objects: 0 });
      expect(failed.error).toMatch(/ECONNREFUSED|CONNECTION|connect/i);
      expect(await runs(wh)).toEqual([]);
      expect(await storedEventKeys(wh)).toEqual([]);

      await proxy.restore();
      const next = await runEtl(deps);
      expect(next).toMatchObject({ status: 'succeeded', objects: 8, rows: 1600 });
      expect(await storedEventKeys(wh)).toEqual(eventKeys);
    } finally {
      await proxy.restore();
      archive.close();
      await viaProxy.close();
      await wh.drop();
    }
  });

  it('in the middle of an object: no partial object; the next run loads the rest and rebuilds the models the first never did', async () => {
    const { wh, viaProxy, archive, deps, objects, eventKeys } = await setUp();
    try {
      // Cut a moment after the third object committed: the fourth one's transaction is under way.
      const failed = await runEtl(deps, {
        onProgress: (p) => {
          if (p.phase === 'object' && p.done === 3) setTimeout(() => void proxy.cut(), 25);
        },
      });
      expect(failed.status).toBe('failed');
      expect(failed.objects).toBeGreaterThanOrEqual(3);
      expect(failed.objects).toBeLessThan(8);
      expect(failed.models).toBeNull();
      // The failure could not be recorded: the row is still `running`, with the counts of the objects it committed.
      // A commit can reach PostgreSQL while the cut loses its acknowledgement: that object is loaded (and
      // counted in the row, in the same transaction) though the failed run could not know it.
      const before = await runs(wh);
      expect(before).toHaveLength(1);
      const [running] = before;
      expect(running).toMatchObject({ status: 'running', finished: false });
      expect(running.objects).toBeGreaterThanOrEqual(failed.objects);
      expect(running.objects).toBeLessThan(8);
      expect(await manifest(wh)).toHaveLength(running.objects);
      await expectWholeObjectsOnly(wh, objects);

      await proxy.restore();
      const next = await runEtl(deps);
      expect(next).toMatchObject({ status: 'succeeded', objects: 8 - running.objects, repairedRuns: 1 });
      expect(await storedEventKeys(wh)).toEqual(eventKeys);
      const [first, second] = await runs(wh);
      expect(first).toMatchObject({ status: 'failed', finished: true, error: expect.stringContaining('stopped before the run finished') });
      expect(second).toMatchObject({ status: 'succeeded', objects: 8 - running.objects });
      await expectCleanLoad(wh, archive);
    } finally {
      await proxy.restore();
      archive.close();
      await viaProxy.close();
      await wh.drop();
    }
  });
});

describe('S3 down', () => {
  it('before a run: the run is recorded as failed; the next run loads everything', async () => {
    const { wh, viaProxy, archive, deps, eventKeys } = await setUp();
    try {
      await s3.stop();
      const failed = await runEtl(deps);
      expect(failed).toMatchObject({ status: 'failed', objects: 0 });
      expect(await runs(wh)).toEqual([expect.objectContaining({ id: failed.runId, status: 'failed', finished: true, error: failed.error })]);
      expect(await storedEventKeys(wh)).toEqual([]);

      await s3.start();
      expect(await runEtl(deps)).toMatchObject({ status: 'succeeded', objects: 8, repairedRuns: 0 });
      expect(await storedEventKeys(wh)).toEqual(eventKeys);
    } finally {
      await s3.start();
      archive.close();
      await viaProxy.close();
      await wh.drop();
    }
  });

  it('in the middle of a run: recorded as failed with what it loaded; the next run loads the rest and repairs the models', async () => {
    const { wh, viaProxy, archive, deps, objects, eventKeys } = await setUp();
    try {
      let stopping: Promise<void> | undefined;
      const failed = await runEtl(deps, {
        onProgress: (p) => {
          if (p.phase === 'object' && p.done === 2) stopping = s3.stop();
        },
      });
      await stopping;
      // Objects already read when S3 went away may still have committed.
      expect(failed.status).toBe('failed');
      expect(failed.objects).toBeGreaterThanOrEqual(2);
      expect(failed.objects).toBeLessThan(8);
      expect(await runs(wh)).toEqual([expect.objectContaining({ status: 'failed', objects: failed.objects, finished: true, error: failed.error })]);
      expect(await manifest(wh)).toHaveLength(failed.objects);
      await expectWholeObjectsOnly(wh, objects);

      await s3.start();
      expect(await runEtl(deps)).toMatchObject({ status: 'succeeded', objects: 8 - failed.objects, repairedRuns: 1 });
      expect(await storedEventKeys(wh)).toEqual(eventKeys);
      await expectCleanLoad(wh, archive);
    } finally {
      await s3.start();
      archive.close();
      await viaProxy.close();
      await wh.drop();
    }
  });
});
