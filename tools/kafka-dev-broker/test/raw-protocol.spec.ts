// Protocol behaviour no client library shows directly: response order on one connection,
// acks=0, held fetches, version negotiation and unsupported APIs. Spoken over a raw socket.
import { connect, type Socket } from 'node:net';
import { startBroker, type RunningBroker } from '../src';
import { FrameDecoder } from '../src/frame-decoder';
import { ApiKey } from '../src/protocol/api-keys';
import { ErrorCode } from '../src/protocol/error-codes';
import { Reader } from '../src/protocol/reader';
import { Writer } from '../src/protocol/writer';
import { buildRecordBatch } from '../src/storage';
import { tempDir } from './helpers';

jest.setTimeout(30_000);

class RawClient {
  private readonly decoder = new FrameDecoder();
  private readonly waiting: Array<(frame: Buffer) => void> = [];
  private readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const f of this.decoder.push(chunk)) {
        const w = this.waiting.shift();
        if (w) w(f);
        else this.frames.push(f);
      }
    });
    this.closed = new Promise((r) => socket.on('close', () => r()));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(apiKey: number, version: number, correlationId: number, body: Writer = new Writer()): void {
    const header = new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString('raw-test');
    const payload = Buffer.concat([header.toBuffer(), body.toBuffer()]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    this.socket.write(Buffer.concat([size, payload]));
  }

  /** The next response: its correlation id and a reader positioned at the body. */
  next(): Promise<{ correlationId: number; body: Reader; at: number }> {
    const wrap = (f: Buffer) => {
      const r = new Reader(f);
      return { correlationId: r.int32(), body: r, at: Date.now() };
    };
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(wrap(ready));
    return new Promise((resolve) => this.waiting.push((f) => resolve(wrap(f))));
  }

  close(): void {
    this.socket.destroy();
  }
}

function produceBody(topic: string, acks: number, partition: number, values: string[]): Writer {
  const batch = buildRecordBatch({ records: values.map((value) => ({ key: null, value })) });
  return new Writer()
    .nullableString(null)
    .int16(acks)
    .int32(5000)
    .array([topic], (w, t) => w.string(t).array([partition], (w, p) => w.int32(p).nullableBytes(batch)));
}

function fetchBody(topic: string, partition: number, offset: bigint, maxWaitMs: number): Writer {
  return new Writer()
    .int32(-1)
    .int32(maxWaitMs)
    .int32(1)
    .int32(1024 * 1024)
    .int8(0)
    .array([topic], (w, t) => w.string(t).array([partition], (w, p) => w.int32(p).int64(offset).int32(1024 * 1024)));
}

function metadataBody(topics: string[]): Writer {
  return new Writer().array(topics, (w, t) => w.string(t));
}

describe('kafka-dev-broker wire protocol', () => {
  const dir = tempDir();
  let broker: RunningBroker;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, dataDir: dir.path, defaultPartitions: 2 });
  });
  beforeEach(async () => {
    client = await RawClient.open(broker.port);
  });
  afterEach(() => client.close());
  afterAll(async () => {
    await broker.stop();
    dir.remove();
  });

  it('answers in request order even when an earlier fetch is held', async () => {
    client.send(ApiKey.Metadata, 1, 1, metadataBody(['ordered']));
    await client.next();
    client.send(ApiKey.Fetch, 4, 2, fetchBody('ordered', 0, 0n, 800));
    client.send(ApiKey.Metadata, 1, 3, metadataBody(['ordered']));
    client.send(ApiKey.ApiVersions, 0, 4);
    const ids = [(await client.next()).correlationId, (await client.next()).correlationId, (await client.next()).correlationId];
    expect(ids).toEqual([2, 3, 4]);
  });

  it('holds an empty fetch until data arrives, then answers with it', async () => {
    client.send(ApiKey.Metadata, 1, 1, metadataBody(['held']));
    await client.next();
    client.send(ApiKey.Fetch, 4, 2, fetchBody('held', 1, 0n, 20_000));
    const producer = await RawClient.open(broker.port);
    producer.send(ApiKey.Produce, 3, 9, produceBody('held', -1, 1, ['wake up']));
    await producer.next();
    producer.close();
    const fetched = await client.next();
    const r = fetched.body;
    r.int32(); // throttle
    const [topic] = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ p: r.int32(), error: r.int16(), hw: r.int64(), lso: r.int64(), aborted: r.int32(), records: r.nullableBytes() })),
    }));
    expect(topic.name).toBe('held');
    expect(topic.partitions[0]).toMatchObject({ p: 1, error: ErrorCode.NONE, hw: 1n });
    expect(topic.partitions[0].records?.toString()).toContain('wake up');
  });

  it('sends nothing back for acks=0, and the next response is the next request\'s', async () => {
    client.send(ApiKey.Produce, 3, 10, produceBody('fire-and-forget', 0, 0, ['a', 'b']));
    client.send(ApiKey.ApiVersions, 0, 11);
    expect((await client.next()).correlationId).toBe(11);
    client.send(ApiKey.ListOffsets, 1, 12, new Writer().int32(-1).array(['fire-and-forget'], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).int64(-1n))));
    const r = (await client.next()).body;
    const [t] = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ p: r.int32(), error: r.int16(), ts: r.int64(), offset: r.int64() })) }));
    expect(t.partitions[0]).toMatchObject({ error: ErrorCode.NONE, offset: 2n });
  });

  it('answers an ApiVersions version it does not know with UNSUPPORTED_VERSION and its ranges (KIP-511)', async () => {
    client.send(ApiKey.ApiVersions, 3, 20);
    const r = (await client.next()).body;
    expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const ranges = r.array((r) => [r.int16(), r.int16(), r.int16()]);
    expect(ranges).toContainEqual([ApiKey.Produce, 3, 3]);
    expect(ranges).toContainEqual([ApiKey.Fetch, 4, 4]);
  });

  it('refuses SASL and the idempotent producer with UNSUPPORTED_VERSION', async () => {
    client.send(ApiKey.SaslHandshake, 1, 30, new Writer().string('PLAIN'));
    expect((await client.next()).body.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    client.send(ApiKey.InitProducerId, 0, 31, new Writer().nullableString(null).int32(1000));
    const r = (await client.next()).body;
    r.int32();
    expect(r.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it('closes the connection on an API it cannot answer at all', async () => {
    client.send(ApiKey.Produce, 9, 40, new Writer());
    await client.closed;
  });

  it('answers OFFSET_OUT_OF_RANGE for an offset past the log end', async () => {
    client.send(ApiKey.Metadata, 1, 1, metadataBody(['range']));
    await client.next();
    client.send(ApiKey.Fetch, 4, 50, fetchBody('range', 0, 5n, 0));
    const r = (await client.next()).body;
    r.int32();
    const [t] = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ p: r.int32(), error: r.int16() })) }));
    expect(t.partitions[0].error).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});
