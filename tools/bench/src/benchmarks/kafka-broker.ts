// Dev broker throughput with unmodified kafkajs (1 KB messages, batches of 500), beside the
// broker's own raw-socket throughput for the same records (pre-encoded requests, no client
// library) measured in the same run. The broker runs as its own process, as in the stack.

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKey, buildRecordBatch, FrameDecoder, Reader, spawnBrokerProcess, Writer } from '@clickstream/kafka-dev-broker';
import { Kafka, logLevel } from 'kafkajs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatRate } from '../measure';
import type { BenchResult } from '../result';

const TARGET_PRODUCE = 100_000;
const MESSAGE_BYTES = 1024;
const BATCH = 500;
const PARTITIONS = 6;

/** A pipelined raw-protocol connection: send frames, await responses in order. */
class RawConnection {
  private readonly decoder = new FrameDecoder();
  private readonly pending: Array<(frame: Buffer) => void> = [];
  private nextId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const frame of this.decoder.push(chunk)) this.pending.shift()?.(frame);
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((res, rej) => {
      const s = connect(port, '127.0.0.1', () => res(new RawConnection(s)));
      s.setNoDelay(true);
      s.once('error', rej);
    });
  }

  request(apiKey: number, version: number, body: Buffer): Promise<Reader> {
    const header = new Writer().int16(apiKey).int16(version).int32(this.nextId++).nullableString('bench').toBuffer();
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(header.length + body.length);
    this.socket.write(Buffer.concat([size, header, body]));
    return new Promise((res) =>
      this.pending.push((frame) => {
        const r = new Reader(frame);
        r.int32();
        res(r);
      }),
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

function payload(i: number): Buffer {
  const b = Buffer.alloc(MESSAGE_BYTES, 'x');
  b.write(`{"n":${i},"event_type":"page_view"}`);
  return b;
}

function produceBodies(topic: string): Buffer[] {
  const records = Array.from({ length: BATCH }, (_, i) => ({ key: `k${i}`, value: payload(i) }));
  return Array.from({ length: PARTITIONS }, (_, p) =>
    new Writer()
      .nullableString(null)
      .int16(-1)
      .int32(10_000)
      .array([topic], (w, t) => w.string(t).array([p], (w, p) => w.int32(p).nullableBytes(buildRecordBatch({ records }))))
      .toBuffer(),
  );
}

/** The loopback ceiling: the same Produce request bytes into a socket that only counts them. */
async function socketSink(ms: number): Promise<number> {
  let received = 0;
  const server = createServer((s) => s.on('data', (d: Buffer) => (received += d.length)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const body = produceBodies('sink')[0];
  const frame = Buffer.concat([Buffer.alloc(4), new Writer().int16(ApiKey.Produce).int16(3).int32(1).nullableString('bench').toBuffer(), body]);
  frame.writeInt32BE(frame.length - 4);
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (!socket.write(frame)) await new Promise((r) => socket.once('drain', r));
  }
  const elapsed = Date.now() - start;
  socket.destroy();
  server.close();
  return (received / frame.length) * BATCH * (1000 / elapsed);
}

async function rawProduce(port: number, topic: string, ms: number): Promise<number> {
  const conns = await Promise.all([RawConnection.open(port), RawConnection.open(port)]);
  const bodies = produceBodies(topic);
  let sent = 0;
  const start = Date.now();
  const loop = async (conn: RawConnection, offset: number) => {
    let i = offset;
    const inflight: Promise<Reader>[] = [];
    while (Date.now() - start < ms) {
      inflight.push(conn.request(ApiKey.Produce, 3, bodies[i++ % PARTITIONS]));
      if (inflight.length >= 4) {
        await inflight.shift();
        sent += BATCH;
      }
    }
    for (const p of inflight) {
      await p;
      sent += BATCH;
    }
  };
  await Promise.all(conns.map((c, i) => loop(c, i * 3)));
  const rate = (sent / (Date.now() - start)) * 1000;
  conns.forEach((c) => c.close());
  return rate;
}

async function rawConsume(port: number, topic: string, total: number): Promise<number> {
  const conn = await RawConnection.open(port);
  const offsets = new Array<bigint>(PARTITIONS).fill(0n);
  let received = 0;
  const start = Date.now();
  while (received < total) {
    const body = new Writer()
      .int32(-1)
      .int32(100)
      .int32(1)
      .int32(8 * 1024 * 1024)
      .int8(0)
      .array([topic], (w, t) => w.string(t).array([...offsets.keys()], (w, p) => w.int32(p).int64(offsets[p]).int32(1024 * 1024)))
      .toBuffer();
    const r = await conn.request(ApiKey.Fetch, 4, body);
    r.int32();
    r.array((r) => {
      r.string();
      return r.array((r) => {
        const p = r.int32();
        r.int16();
        r.int64();
        r.int64();
        r.int32();
        const records = r.nullableBytes();
        // Walk the batch headers: base offset, length, record count.
        for (let pos = 0; records && pos + 61 <= records.length; ) {
          const base = records.readBigInt64BE(pos);
          const size = 12 + records.readInt32BE(pos + 8);
          if (pos + size > records.length) break;
          const count = records.readInt32BE(pos + 57);
          const lastDelta = records.readInt32BE(pos + 23);
          if (base + BigInt(lastDelta) >= offsets[p]) {
            received += count;
            offsets[p] = base + BigInt(lastDelta) + 1n;
          }
          pos += size;
        }
        return p;
      });
    });
  }
  conn.close();
  return (received / (Date.now() - start)) * 1000;
}

/** One kafkajs producer sending batches for `ms`; runs in a worker thread so several can share the cores. */
export async function kafkajsProduceLoop(address: string, topic: string, ms: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  // One send = one record batch of 500 for one partition, partitions in turn (keyed messages would
  // be split by the partitioner into six batches of ~83).
  const batches = Array.from({ length: PARTITIONS }, (_, partition) =>
    Array.from({ length: BATCH }, (_, i) => ({ key: `k${i}`, value: payload(i), partition })),
  );
  let sent = 0;
  let turn = 0;
  const start = Date.now();
  const loop = async () => {
    while (Date.now() - start < ms) {
      await producer.send({ topic, acks: -1, messages: batches[turn++ % PARTITIONS] });
      sent += BATCH;
    }
  };
  await Promise.all([loop(), loop(), loop(), loop()]);
  await producer.disconnect();
  return sent;
}

/** kafkajs encodes on the producer's thread; `producers` threads show what the broker takes. */
async function kafkajsProduce(address: string, topic: string, ms: number, producers: number): Promise<{ rate: number; sent: number }> {
  const start = Date.now();
  const counts = await Promise.all(
    Array.from(
      { length: producers },
      () =>
        new Promise<number>((res, rej) => {
          const worker = new Worker(__filename, { workerData: { address, topic, ms } });
          worker.once('message', (n: number) => res(n));
          worker.once('error', rej);
        }),
    ),
  );
  const sent = counts.reduce((a, b) => a + b, 0);
  return { rate: (sent / (Date.now() - start)) * 1000, sent };
}

if (!isMainThread && workerData) {
  const { address, topic, ms } = workerData as { address: string; topic: string; ms: number };
  void kafkajsProduceLoop(address, topic, ms).then((n) => parentPort?.postMessage(n));
}

/** A plain kafkajs group consumer reading `total` messages of `topic` from the start: the consume baseline. */
export async function kafkajsConsume(address: string, topic: string, total: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}`, maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  let start = 0;
  const done = new Promise<void>((res) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (start === 0) start = Date.now();
        received += batch.messages.length;
        if (received >= total) res();
      },
    });
  });
  await done;
  const rate = (received / (Date.now() - start)) * 1000;
  await consumer.disconnect();
  return rate;
}

export async function runKafkaBrokerBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-broker-'));
  const broker = await spawnBrokerProcess(dataDir, { args: ['--partitions', String(PARTITIONS)] });
  const ms = options.quick ? 3000 : 10_000;
  try {
    const sink = await socketSink(ms);
    const raw = await rawProduce(broker.port, 'bench-raw', ms);
    const single = await kafkajsProduce(broker.address, 'bench-kafkajs-1', ms, 1);
    const produced = await kafkajsProduce(broker.address, 'bench-kafkajs', ms, 2);
    const consumeTotal = Math.min(produced.sent, options.quick ? 100_000 : 300_000);
    const rawRead = await rawConsume(broker.port, 'bench-kafkajs', consumeTotal);
    const consumed = await kafkajsConsume(broker.address, 'bench-kafkajs', consumeTotal);
    const clientBound =
      `one kafkajs producer thread alone reached ${formatRate(single.rate)} msg/s (kafkajs encodes every record in JavaScript: ` +
      `Buffer copies, its CRC-32C, GC); two share the 2 cores with the broker, whose own capacity is the first row.`;
    return [
      {
        name: 'dev broker produce capacity: pre-encoded Produce requests, 2 connections (1 KB, batches of 500, acks=all)',
        figure: `${formatRate(raw)} msg/s`,
        value: raw,
        unit: 'msg/s',
        baseline: { name: 'the same bytes into a socket that only counts them', value: sink },
        target: { text: `≥ ${formatRate(TARGET_PRODUCE)} msg/s`, met: raw >= TARGET_PRODUCE },
      },
      {
        name: 'dev broker produce, 1 kafkajs producer (1 KB, batches of 500, acks=all)',
        figure: `${formatRate(single.rate)} msg/s`,
        value: single.rate,
        unit: 'msg/s',
        baseline: { name: 'raw pre-encoded Produce requests to the same broker', value: raw },
      },
      {
        name: 'dev broker produce, 2 kafkajs producers in worker threads (1 KB, batches of 500, acks=all)',
        figure: `${formatRate(produced.rate)} msg/s`,
        value: produced.rate,
        unit: 'msg/s',
        baseline: { name: 'raw pre-encoded Produce requests to the same broker', value: raw },
        target: { text: `≥ ${formatRate(TARGET_PRODUCE)} msg/s`, met: produced.rate >= TARGET_PRODUCE },
        note: clientBound,
      },
      {
        name: 'dev broker consume, kafkajs (1 KB messages)',
        figure: `${formatRate(consumed)} msg/s`,
        value: consumed,
        unit: 'msg/s',
        baseline: { name: 'raw Fetch requests to the same broker', value: rawRead },
      },
    ];
  } finally {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
