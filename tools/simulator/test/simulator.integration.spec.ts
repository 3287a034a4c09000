// The simulator CLI against real parts: the dev Kafka broker and ingest, both started from their
// builds as child processes; Kafka is read back with kafkajs.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { parseCli, type CliSettings } from '../src/cli';
import { generateEvents } from '../src/generator';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../../..');
const BROKER_MAIN = join(ROOT, 'tools/kafka-dev-broker/dist/main.js');
const INGEST_MAIN = join(ROOT, 'apps/ingest/dist/main.js');
const SIMULATOR_MAIN = join(ROOT, 'tools/simulator/dist/main.js');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.unref();
    server.on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET on its own connection (no keep-alive socket left behind). */
function statusOf(url: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = get(url, { agent: false }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('error', rej);
  });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function simulate(args: string[], options: { onStart?: (child: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [SIMULATOR_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => res({ code, stdout, stderr }));
    options.onStart?.(child);
  });
}

function summaryOf(run: Run): Record<string, number> {
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const summary = JSON.parse(lines[0]) as Record<string, number>;
  expect(Object.keys(summary)).toEqual(['sent', 'accepted', 'rejected', 'malformed', 'batches', 'retries', 'seconds']);
  return summary;
}

const children: ChildProcess[] = [];

describe('simulator → ingest → Kafka', () => {
  let dataDir: string;
  let broker: ChildProcess;
  let ingest: ChildProcess;
  let brokers: string;
  let ingestUrl: string;
  let admin: Admin;
  let kafka: Kafka;
  const topic = `sim-${randomUUID().slice(0, 8)}`;
  const dlq = `${topic}.dlq`;

  const messagesIn = async (t: string): Promise<number> => {
    const offsets = await admin.fetchTopicOffsets(t);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'simulator-kafka-'));
    const brokerPort = await freePort();
    broker = spawn(process.execPath, [BROKER_MAIN, '--port', String(brokerPort), '--data-dir', dataDir], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(broker);
    brokers = await new Promise<string>((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error('the dev broker did not start (is tools/kafka-dev-broker built?)')), 20_000);
      broker.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready on (\S+:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
      broker.once('exit', (code) => rej(new Error(`the dev broker exited ${code}`)));
    });

    const ingestPort = await freePort();
    ingestUrl = `http://127.0.0.1:${ingestPort}`;
    ingest = spawn(process.execPath, [INGEST_MAIN], {
      env: { ...process.env, INGEST_PORT: String(ingestPort), INGEST_HOST: '127.0.0.1', KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic, LOG_LEVEL: 'warn', INGEST_GEOIP: 'false' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(ingest);
    await waitFor('ingest /ready', async () => (await statusOf(`${ingestUrl}/ready`)) === 200, 60_000);

    kafka = new Kafka({ brokers: [brokers], clientId: 'simulator-test', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends a seeded run: Kafka holds exactly the accepted events, the DLQ the malformed ones', async () => {
    const args = ['--ingest-url', ingestUrl, '--seed', 'integration', '--max-events', '2000', '--malformed-rate', '0.05', '--rate', '4000', '--batch-size', '100'];
    const run = await simulate(args);
    expect(run.stderr).not.toMatch(/retrying/);
    expect(run.code).toBe(0);
    const s = summaryOf(run);
    expect(s.sent).toBe(2000);
    expect(s.accepted + s.rejected).toBe(2000);
    expect(s.malformed).toBeGreaterThan(50);
    expect(s.rejected).toBe(s.malformed);
    expect(s.batches).toBeGreaterThanOrEqual(20);
    expect(s.retries).toBe(0);
    expect(run.stderr).toContain('accepted  ' + s.accepted);

    expect(await messagesIn(topic)).toBe(s.accepted);
    expect(await messagesIn(dlq)).toBe(s.rejected);

    // The events in Kafka are exactly the valid events the seed makes, and the DLQ the malformed ones.
    const expected = generateEvents((parseCli(args) as CliSettings).config, 2000);
    const valid = new Set(expected.filter((g) => !g.malformed).map((g) => g.event.event_id));
    const malformed = new Set(expected.filter((g) => g.malformed).map((g) => g.event.event_id));
    const seen = { events: new Set<string>(), dlq: new Set<string>() };
    const consumer = kafka.consumer({ groupId: `simulator-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic, dlq], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: t, message }) => {
        const value = JSON.parse(String(message.value)) as { event_id: string; site_id?: string; context?: { is_bot?: boolean } };
        (t === topic ? seen.events : seen.dlq).add(value.event_id);
      },
    });
    await waitFor('all messages', () => seen.events.size === s.accepted && seen.dlq.size === s.rejected, 60_000);
    await consumer.disconnect();
    expect(seen.events).toEqual(valid);
    expect(seen.dlq).toEqual(malformed);
  });

  it('stops on SIGTERM when running until stopped: finishes the batch in flight, prints the summary, exits 0', async () => {
    const before = await messagesIn(topic);
    let progressLines = 0;
    const run = await simulate(['--ingest-url', ingestUrl, '--rate', '300', '--seed', 'endless', '--progress-interval', '1s'], {
      onStart: (child) => {
        child.stderr?.on('data', (d: Buffer) => {
          if (d.toString().includes('"progress"')) progressLines++;
        });
        setTimeout(() => child.kill('SIGTERM'), 5000);
      },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('SIGTERM');
    expect(progressLines).toBeGreaterThanOrEqual(1); // not a TTY: JSON progress lines on stderr
    const s = summaryOf(run);
    expect(s.accepted).toBeGreaterThan(500);
    expect(s.accepted).toBe(s.sent);
    expect(await messagesIn(topic)).toBe(before + s.accepted);
  });

  it('exits 1 with a clear message when ingest stays unreachable', async () => {
    const port = await freePort();
    const run = await simulate(['--ingest-url', `http://127.0.0.1:${port}`, '--max-events', '10', '--give-up-after', '2s', '--rate', '1000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`ingest at http://127.0.0.1:${port} stayed unreachable for \\d+ s \\(last: ECONNREFUSED\\)`));
    const s = summaryOf(run);
    expect(s.sent).toBe(0);
    expect(s.retries).toBeGreaterThan(0);
  });

  it('exits 2 naming the flag for bad arguments', async () => {
    const run = await simulate(['--users', 'zero', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--users: must be a number (got "zero")');
    expect(run.stdout).toBe('');
  });
});
