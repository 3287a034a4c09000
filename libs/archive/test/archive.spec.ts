// libs/archive against a real S3: s3rver in process, or the S3-compatible endpoint in S3_ENDPOINT.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createRawArchive, isRetriableS3Error, rawObjectKey, type ArchiveObject, type RawArchive } from '../src';
import { startTestS3, usesExternalS3, type TestS3 } from '../src/testing';

jest.setTimeout(60_000);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Rejects when `promise` has not settled within `ms`: the behaviour under test is "does not hang". */
function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const SAMPLES = ['ascii', 'é à ü ß', '中文 日本語 한국어', 'עברית عربي', '😀 👩‍👩‍👧 🇫🇷', 'quote " backslash \\ tab \t', '\u2028\u2029', 'z'.repeat(300)];
const eventLine = (i: number) =>
  JSON.stringify({ schema_version: 1, event_id: randomUUID(), event_type: 'click', user_id: `u${i % 97}`, session_id: randomUUID(), props: { text: SAMPLES[i % SAMPLES.length], i } });

const key = (partition: number, first: number, last: number, receivedAt = '2026-03-01T07:30:00Z') =>
  rawObjectKey({ topic: 'clickstream.events', partition, firstOffset: String(first), lastOffset: String(last), receivedAt: new Date(receivedAt) });

describe('libs/archive against a real S3', () => {
  let s3: TestS3;
  let archive: RawArchive;
  const archives: RawArchive[] = [];

  const newArchive = async () => {
    const a = createRawArchive(s3.newBucket());
    archives.push(a);
    await a.ensureBucket();
    return a;
  };

  beforeAll(async () => {
    s3 = await startTestS3();
    archive = createRawArchive(s3.config);
    archives.push(archive);
    await archive.ensureBucket();
  });
  afterAll(async () => {
    for (const a of archives) a.close();
    await s3?.destroy();
  });

  it('ensureBucket is idempotent, also when several callers race', async () => {
    await archive.ensureBucket();
    const another = createRawArchive(s3.newBucket());
    archives.push(another);
    await Promise.all([another.ensureBucket(), another.ensureBucket(), another.ensureBucket()]);
    await another.ensureBucket();
    expect(await collect(another.list())).toEqual([]);
  });

  it('round-trips 10k lines with unicode through one in-memory object', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => eventLine(i));
    const k = key(0, 0, 9999);
    const put = await archive.putObject(k, lines);
    expect(put).toMatchObject({ key: k, lines: 10_000 });
    expect(put.bytes).toBeGreaterThan(0);

    const read = await collect(archive.readLines(k));
    expect(read.map((r) => r.line)).toEqual(lines);
    expect(read.map((r) => r.lineNumber)).toEqual(lines.map((_, i) => i + 1));

    // The reader gets the gzip bytes themselves: no transparent decompression on the way.
    const bytes = await archive.readObjectBytes(k);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(bytes.length).toBe(put.bytes);
    expect(await archive.statObject(k)).toMatchObject({ key: k, size: put.bytes, etag: put.etag });
  });

  it('rewrites a byte-identical object for the same lines, by either writer', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => eventLine(i));
    const k = key(1, 100, 599);
    const first = await archive.putObject(k, lines);
    const before = await archive.readObjectBytes(k);
    const again = await archive.putObject(k, lines);
    expect(again).toEqual(first);
    expect(await archive.readObjectBytes(k)).toEqual(before);

    const writer = archive.createObjectWriter(k);
    for (const line of lines) await writer.write(line);
    const streamed = await writer.close();
    expect(streamed).toMatchObject({ key: k, lines: 500, bytes: first.bytes });
    expect(await archive.readObjectBytes(k)).toEqual(before);
  });

  it('streams 200k lines into one multipart object with bounded buffering, and reads them back streaming', async () => {
    const k = key(2, 0, 199_999);
    const writer = archive.createObjectWriter(k);
    const written = createHash('sha256');
    let maxBuffered = 0;
    for (let i = 0; i < 200_000; i++) {
      // Random ids keep the object big after compression, so it goes up in several parts.
      const line = JSON.stringify({ i, event_id: randomUUID(), session_id: randomUUID(), user_id: randomUUID(), text: SAMPLES[i % SAMPLES.length] });
      written.update(line).update('\n');
      await writer.write(line);
      maxBuffered = Math.max(maxBuffered, writer.bufferedBytes);
    }
    const result = await writer.close();
    expect(result).toMatchObject({ key: k, lines: 200_000 });
    expect(result.bytes).toBeGreaterThan(10 * 1024 * 1024); // more than two 5 MiB parts
    // write() waited for the gzip stream to drain: never more than one chunk plus a line queued.
    expect(maxBuffered).toBeLessThan(64 * 1024);
    expect(await archive.statObject(k)).toMatchObject({ size: result.bytes, etag: result.etag });

    const read = createHash('sha256');
    let count = 0;
    for await (const { line, lineNumber } of archive.readLines(k)) {
      count++;
      if (lineNumber !== count) throw new Error(`line ${count} came as ${lineNumber}`);
      read.update(line).update('\n');
    }
    expect(count).toBe(200_000);
    expect(read.digest('hex')).toBe(written.digest('hex'));
  });

  it('an aborted writer leaves no object behind; a refused line does not poison the writer', async () => {
    const k = key(3, 0, 9);
    const writer = archive.createObjectWriter(k);
    await writer.write('{"a":1}');
    await expect(writer.write('two\nlines')).rejects.toThrow('without line breaks');
    await writer.abort();
    await expect(writer.write('{"b":2}')).rejects.toThrow('aborted');
    expect(await archive.statObject(k)).toBeUndefined();
  });

  it('a reader that stops early releases the download', async () => {
    const k = key(3, 10, 2009);
    await archive.putObject(k, Array.from({ length: 2000 }, (_, i) => eventLine(i)));
    let n = 0;
    for await (const _ of archive.readLines(k)) if (++n === 3) break;
    expect(n).toBe(3);
    expect((await collect(archive.readLines(k))).length).toBe(2000);
  });

  it('lists by prefix and by UTC date range, page after page, in key order, without walking the bucket', async () => {
    const a = await newArchive();
    const day1 = Array.from({ length: 1100 }, (_, i) => key(i % 6, i * 10, i * 10 + 9, `2026-02-28T${String(i % 24).padStart(2, '0')}:00:00Z`));
    const day2 = Array.from({ length: 7 }, (_, i) => key(i, i, i, `2026-03-01T0${i}:59:59Z`));
    const day3 = Array.from({ length: 3 }, (_, i) => key(i, i, i, '2026-03-02T00:00:00Z'));
    const before = [key(0, 1, 1, '2026-02-27T23:59:59Z')];
    const notRaw = ['raw/dt=2026-02-28/_manifest.json', 'raw/dt=2026-03-01/hour=00/notes.txt', 'exports/2026-02-28.csv'];
    const all = [...day1, ...day2, ...day3, ...before, ...notRaw];
    const queue = [...all];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let k = queue.pop(); k !== undefined; k = queue.pop()) await a.putObject(k, [JSON.stringify({ k })]);
      }),
    );

    const listPrefixes: (string | undefined)[] = [];
    a.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsCommand') listPrefixes.push((args.input as { Prefix?: string }).Prefix);
        return next(args);
      },
      { step: 'initialize', name: 'recordListPrefixes' },
    );

    const range = await collect(a.list({ from: '2026-02-28', to: '2026-03-01' }));
    const keys = range.map((o) => o.key);
    expect(keys).toEqual([...day1, ...day2].sort());
    expect(listPrefixes).toEqual(['raw/dt=2026-02-28/', 'raw/dt=2026-02-28/', 'raw/dt=2026-03-01/']); // 1100 keys take two pages
    const sample = range[0] as ArchiveObject;
    expect(sample.size).toBeGreaterThan(0);
    expect(sample.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(sample.lastModified).toBeInstanceOf(Date);

    expect((await collect(a.list({ prefix: 'raw/dt=2026-02-28/' }))).map((o) => o.key)).toEqual([...day1, notRaw[0]].sort());
    expect((await collect(a.list({ from: '2026-03-02', to: '2026-03-02' }))).map((o) => o.key)).toEqual([...day3].sort());
    expect((await collect(a.list())).length).toBe(all.length);
    await expect(collect(a.list({ from: '2026-02-30', to: '2026-03-01' }))).rejects.toThrow('not a YYYY-MM-DD date');
    await expect(collect(a.list({ from: '2026-03-02', to: '2026-03-01' }))).rejects.toThrow('after');

    // deleteObjects: in batches of 1000; a key twice or a missing key is no error.
    expect(await a.deleteObjects([...day1, day1[0], notRaw[0]])).toBe(1101);
    expect(await collect(a.list({ prefix: 'raw/dt=2026-02-28/' }))).toEqual([]);
    expect(await a.deleteObjects([])).toBe(0);
    expect((await collect(a.list())).length).toBe(all.length - 1101);
  });

  it('says which failures are worth a retry: a missing bucket or key is not', async () => {
    const missing = createRawArchive(s3.newBucket());
    archives.push(missing);
    const noBucket = await rejection(missing.putObject(key(0, 0, 0), ['{}']));
    expect((noBucket as Error).name).toBe('NoSuchBucket');
    expect(isRetriableS3Error(noBucket)).toBe(false);

    const noKey = await rejection(collect(archive.readLines('raw/dt=2026-01-01/hour=00/missing-p0-0-0.ndjson.gz')));
    expect((noKey as Error).name).toBe('NoSuchKey');
    expect(isRetriableS3Error(noKey)).toBe(false);
    expect(await archive.statObject('raw/missing')).toBeUndefined();
  });
});

// An outage can be staged only on the s3rver this process runs.
(usesExternalS3() ? describe.skip : describe)('libs/archive when S3 goes away', () => {
  const stopped: TestS3[] = [];
  afterAll(async () => {
    for (const s of stopped.reverse()) await s.destroy();
  });

  it('fails fast and retriably while s3rver is down, and works again after a restart on the same port and directory', async () => {
    const first = await startTestS3();
    stopped.push(first);
    const archive = createRawArchive(first.config);
    try {
      await archive.ensureBucket();
      const before = key(0, 0, 1);
      await archive.putObject(before, ['{"n":1}', '{"n":2}']);
      await collect(archive.list()); // leaves a keep-alive connection open, as a live service has

      await first.stop();
      const putErr = await settlesWithin(rejection(archive.putObject(key(0, 2, 3), ['{"n":3}'])), 5000, 'putObject while S3 is down');
      expect(isRetriableS3Error(putErr)).toBe(true);

      const writer = archive.createObjectWriter(key(0, 4, 5));
      await writer.write('{"n":4}');
      const closeErr = await settlesWithin(rejection(writer.close()), 5000, 'a streaming write while S3 is down');
      expect(isRetriableS3Error(closeErr)).toBe(true);
      const listErr = await settlesWithin(rejection(collect(archive.list({ from: '2026-03-01', to: '2026-03-01' }))), 5000, 'list while S3 is down');
      expect(isRetriableS3Error(listErr)).toBe(true);

      await first.start();
      // The same archive (same client) carries on: nothing to reconnect by hand.
      await archive.ensureBucket();
      expect((await collect(archive.readLines(before))).map((l) => l.line)).toEqual(['{"n":1}', '{"n":2}']);
      await archive.putObject(key(0, 2, 3), ['{"n":3}']);

      // A new s3rver on the same directory and port is the same S3, too.
      await first.stop();
      const second = await startTestS3({ dir: first.dir, port: first.port, bucket: first.config.S3_BUCKET });
      stopped.push(second);
      expect(second.endpoint).toBe(first.endpoint);
      expect((await collect(archive.list())).map((o) => o.key)).toEqual([before, key(0, 2, 3)]);
      expect((await collect(archive.readLines(key(0, 2, 3)))).map((l) => l.line)).toEqual(['{"n":3}']);
    } finally {
      archive.close();
    }
  });

  it('times out against an S3 that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    const archive = createRawArchive(
      { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: 'test-black-hole', S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'x', S3_SECRET_ACCESS_KEY: 'x' },
      { requestTimeoutMs: 500, maxAttempts: 1 },
    );
    try {
      const err = await settlesWithin(rejection(archive.putObject(key(0, 0, 0), ['{}'])), 5000, 'putObject against a silent S3');
      expect((err as Error).name).toBe('TimeoutError');
      expect(isRetriableS3Error(err)).toBe(true);
    } finally {
      archive.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
