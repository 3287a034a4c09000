// Ingest under load: autocannon against ingest + the dev broker (acks=all, every 202 is in Kafka),
// beside a bare Fastify endpoint that only parses JSON, in the same run. Each server runs in its
// own process; the load runs here.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBrokerProcess } from '@clickstream/kafka-dev-broker';
import autocannon from 'autocannon';
import { formatRate } from '../measure';
import { freePort, startService, type ProcessPeak, type Service } from '../processes';
import type { BenchResult } from '../result';

const INGEST_MAIN = resolve(__dirname, '../../../../apps/ingest/dist/main.js');
const BARE_MAIN = resolve(__dirname, '../baselines/bare-fastify.js');

function event(i: number) {
  return {
    event_type: i % 5 === 0 ? 'click' : 'page_view',
    user_id: `user_${i % 997}`,
    session_id: `session_${i % 4001}`,
    page: { url: `https://shop.example/products/${i % 50}?utm_source=news`, referrer: 'https://www.google.com/' },
    button_id: i % 5 === 0 ? 'add_to_cart' : undefined,
    user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  };
}

const SINGLE = JSON.stringify(event(1));
const BATCH = JSON.stringify({ events: Array.from({ length: 100 }, (_, i) => event(i)) });

interface Load {
  requestsPerSecond: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, body: string, seconds: number, connections: number, overallRate?: number): Promise<Load> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
  });
  return { requestsPerSecond: r['2xx'] / r.duration, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const MB = 2 ** 20;

/**
 * Memory as VmHWM (peak resident set) of each ingest process, read from /proc after the load runs.
 * The target is per process; the sum of the processes' peaks is shown beside it without one (the
 * peaks need not have happened at the same moment, so the sum is an upper bound on the total).
 */
function memoryResults(peaks: ProcessPeak[]): BenchResult[] {
  const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
  const largest = Math.max(...peaks.map((p) => p.bytes));
  const total = peaks.reduce((sum, p) => sum + p.bytes, 0);
  const primary = peaks.filter((p) => p.role === 'main').map((p) => mb(p.bytes));
  const workers = peaks.filter((p) => p.role === 'child').map((p) => mb(p.bytes));
  const each = workers.length ? `primary ${primary.join(', ')}, workers ${workers.join(', ')}` : `one process, ${primary.join(', ')}`;
  const perProcess: BenchResult = {
    name: `ingest peak RSS per process (VmHWM of the largest${workers.length ? ` of the primary and ${workers.length} workers` : ''})`,
    figure: mb(largest),
    value: largest / MB,
    unit: 'MB',
    target: { text: '< 200 MB', met: largest < 200 * MB },
    note: `VmHWM of each ingest process after the load runs: ${each}.`,
  };
  if (!workers.length) return [perProcess];
  return [
    perProcess,
    {
      name: `ingest peak RSS, sum of all ${peaks.length} processes' peaks (primary + ${workers.length} workers)`,
      figure: mb(total),
      value: total / MB,
      unit: 'MB',
      note: "each process's own peak added up; the peaks need not have coincided, so the total at any one moment was at most this. No target: the target is per process.",
    },
  ];
}

/** INGEST_WORKERS for the run: one per core by default, as on a box dedicated to ingest. */
const WORKERS = process.env['BENCH_INGEST_WORKERS'] ?? '2';

export async function runIngestBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const seconds = options.quick ? 4 : 15;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const broker = await spawnBrokerProcess(dataDir);
  const port = await freePort();
  let ingest: Service | undefined;
  let bare: Service | undefined;
  try {
    ingest = await startService(
      INGEST_MAIN,
      [],
      { KAFKA_BROKERS: broker.address, INGEST_PORT: String(port), INGEST_HOST: '127.0.0.1', LOG_LEVEL: 'info', INGEST_RATE_LIMIT_PER_IP: '0', INGEST_WORKERS: WORKERS },
      /Server listening/,
    );
    const barePort = await freePort();
    bare = await startService(BARE_MAIN, [String(barePort)], {}, /ready on/);
    const ingestUrl = `http://127.0.0.1:${port}`;
    const bareUrl = `http://127.0.0.1:${barePort}`;

    // Warm both up (JIT, Kafka connections) before measuring.
    await load(`${ingestUrl}/api/events/batch`, BATCH, 2, 10);
    await load(`${bareUrl}/api/events/batch`, BATCH, 1, 10);

    const batched = await load(`${ingestUrl}/api/events/batch`, BATCH, seconds, 20);
    const bareBatched = await load(`${bareUrl}/api/events/batch`, BATCH, seconds, 20);
    const single = await load(`${ingestUrl}/api/events`, SINGLE, seconds, 100);
    const bareSingle = await load(`${bareUrl}/api/events`, SINGLE, seconds, 100);
    const half = await load(`${ingestUrl}/api/events`, SINGLE, seconds, 20, Math.max(1, Math.round(single.requestsPerSecond / 2)));
    const peaks = ingest.peakRssByProcess();

    const failures = [batched, single, half].reduce((n, l) => n + l.non2xx + l.errors, 0);
    const batchedEvents = batched.requestsPerSecond * 100;
    return [
      {
        name: `ingest (${WORKERS} workers), batched (100 events/request) → Kafka acks=all`,
        figure: `${formatRate(batchedEvents)} events/s`,
        value: batchedEvents,
        unit: 'events/s',
        baseline: { name: 'bare Fastify endpoint parsing the same batches', value: bareBatched.requestsPerSecond * 100 },
        target: { text: '≥ 40k events/s', met: batchedEvents >= 40_000 },
        note: failures ? `${failures} requests were not answered 2xx during the ingest runs` : undefined,
      },
      {
        name: `ingest (${WORKERS} workers), single-event requests`,
        figure: `${formatRate(single.requestsPerSecond)} req/s`,
        value: single.requestsPerSecond,
        unit: 'req/s',
        baseline: { name: 'bare Fastify endpoint', value: bareSingle.requestsPerSecond },
        target: { text: '≥ 15k req/s and ≥ 50% of the bare endpoint', met: single.requestsPerSecond >= 15_000 && single.requestsPerSecond >= bareSingle.requestsPerSecond / 2 },
      },
      {
        name: `ingest (${WORKERS} workers) p99 latency at half of peak single-event load`,
        figure: `${half.p99} ms at ${formatRate(half.requestsPerSecond)} req/s`,
        value: half.p99,
        unit: 'ms',
        target: { text: '≤ 25 ms', met: half.p99 <= 25 },
      },
      ...memoryResults(peaks),
    ];
  } finally {
    await ingest?.stop();
    await bare?.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
