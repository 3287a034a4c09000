// The bad-input corpus against the real collector process (dist/main.js) on a real Kafka-protocol
// broker, over real TCP: every case gets its 4xx and error code, the process stays up and its memory
// flat over repeated rounds, only valid events reach the events topic, and injection strings in
// valid events are stored as the same text.
import { validateCanonicalEvent, type CanonicalEvent } from '@clickstream/event-schema';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { freePort, HOSTILE_STRINGS, sendRaw, sendRawRequest, type RawReply } from '@clickstream/runtime/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { readTopic } from './harness';
import { CORPUS, KEY, REQUEST_TIMEOUT_MS, SITE, type CorpusCase } from './bad-input/corpus';

jest.setTimeout(60_000);

const MAIN = resolve(__dirname, '../dist/main.js');
const MB = 1024 * 1024;

function send(port: number, c: CorpusCase): Promise<RawReply> {
  return 'request' in c.send ? sendRawRequest(port, c.send.request) : sendRaw(port, c.send.chunks, { gapMs: c.send.gapMs, timeoutMs: REQUEST_TIMEOUT_MS * 8 });
}

function errorCode(reply: RawReply): string | undefined {
  try {
    return (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

describe('ingest bad-input corpus (real process, real broker, real HTTP)', () => {
  let broker: DevBroker;
  let ingest: ChildProcess;
  let port: number;
  /** What the process logged (LOG_LEVEL=warn: warnings and errors only). */
  let output = '';
  const topic = `bad-input-${randomUUID().slice(0, 8)}`;
  /** event_id of every 202 this spec got. */
  const acknowledged = new Set<string>();

  beforeAll(async () => {
    broker = await startDevBroker();
    port = await freePort();
    ingest = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        INGEST_PORT: String(port),
        INGEST_HOST: '127.0.0.1',
        WRITE_KEYS: `${SITE}:${KEY}`,
        INGEST_RATE_LIMIT_PER_IP: '0',
        INGEST_RATE_LIMIT_PER_KEY: '0',
        INGEST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        INGEST_GEOIP: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ingest.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    ingest.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('ingest to be ready', async () => (await sendRawRequest(port, { path: '/ready' }).catch(() => undefined))?.status === 200, 30_000);
  }, 60_000);

  afterAll(async () => {
    if (ingest?.exitCode === null) {
      const exited = new Promise((r) => ingest.once('exit', r));
      ingest.kill('SIGTERM');
      await exited;
    }
    await broker?.stop();
    if (broker) rmSync(broker.dataDir, { recursive: true, force: true });
  });

  it(`holds at least 150 cases, each named once`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  describe('round 1: each case gets its status and error code', () => {
    test.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const reply = await send(port, c);
      if (c.code === '') {
        expect([reply.status, reply.body]).toEqual([c.status, '']);
        return;
      }
      expect({ status: reply.status, code: errorCode(reply) }).toEqual({ status: c.status, code: c.code });
      // The uniform error body, with no stack trace, internals or file contents.
      expect(JSON.parse(reply.body)).toEqual({ error: { code: c.code, message: expect.any(String), ...(/"details"/.test(reply.body) ? { details: expect.anything() } : {}) } });
      expect(reply.body).not.toMatch(/\bat .+\.js:\d+|node_modules|root:x:0:0|"dependencies"/);
    });
  });

  it('answers every case the same in rounds 2 and 3, stays up, and its memory does not keep growing', async () => {
    const round = async () => {
      const replies = await pool(CORPUS, 8, (c) => send(port, c));
      const wrong = CORPUS.map((c, i) => ({ name: c.name, want: c.status, got: replies[i].status })).filter((r) => r.want !== r.got);
      expect(wrong).toEqual([]);
      return rssOf(ingest.pid as number);
    };
    const afterRound2 = await round();
    const afterRound3 = await round();
    expect(ingest.exitCode).toBeNull();
    expect((await sendRawRequest(port, { path: '/health' })).status).toBe(200);
    // Generous: allocation noise and a lazy GC, but no per-request leak of the corpus' megabytes.
    expect(afterRound3).toBeLessThan(afterRound2 * 1.25 + 32 * MB);
    // No 5xx was logged along the way (the error handler logs every one at level 50).
    expect(output).not.toMatch(/"level":(50|60)/);
  });

  describe('injection strings in valid events are accepted and stored as the same text', () => {
    const events = HOSTILE_STRINGS.map(([name, s]) => ({
      event_type: 'purchase',
      user_id: `u ${s}`,
      session_id: `s ${s}`,
      page: { url: `https://shop.example/${s}`, path: `/p/${s}`, title: s, referrer: s },
      button_id: s,
      user_agent: s,
      order: { order_id: `o ${s}`, amount: 1, payment_method: s.slice(0, 64), items: [{ product_id: `p ${s}`, name: s, category: s, price: 1 }] },
      props: { [s]: s, case: name, nested: { list: [s] } },
    }));

    it('by batch, one event and sendBeacon', async () => {
      const batch = await sendRawRequest(port, { method: 'POST', path: '/api/events/batch', headers: [['Content-Type', 'application/json'], ['X-Write-Key', KEY]], body: JSON.stringify({ events }) });
      expect(batch.status).toBe(202);
      const body = JSON.parse(batch.body) as { accepted: number; results: Array<{ event_id: string }> };
      expect(body.accepted).toBe(events.length);
      for (const r of body.results) acknowledged.add(r.event_id);

      const one = await sendRawRequest(port, { method: 'POST', path: '/api/events', headers: [['Content-Type', 'application/json'], ['X-Write-Key', KEY]], body: JSON.stringify(events[0]) });
      expect(one.status).toBe(202);
      acknowledged.add((JSON.parse(one.body) as { event_id: string }).event_id);
      const beacon = await sendRawRequest(port, { method: 'POST', path: `/api/collect?write_key=${KEY}`, headers: [['Content-Type', 'text/plain']], body: JSON.stringify(events[6]) });
      expect(beacon.status).toBe(202);
      acknowledged.add((JSON.parse(beacon.body) as { event_id: string }).event_id);

      const stored = (await readTopic(broker.brokers, topic, acknowledged.size)).map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent);
      for (const [i, input] of events.entries()) {
        const e = stored.find((x) => x.props?.['case'] === input.props.case && acknowledged.has(x.event_id));
        expect(e).toBeDefined();
        const [name, s] = HOSTILE_STRINGS[i];
        expect([name, e?.user_id, e?.session_id, e?.button_id, e?.page, e?.context?.user_agent]).toEqual([name, input.user_id, input.session_id, s, input.page, s]);
        expect([name, e?.order?.order_id, e?.order?.payment_method, e?.order?.items?.[0]]).toEqual([name, input.order.order_id, input.order.payment_method, expect.objectContaining({ product_id: `p ${s}`, name: s, category: s })]);
        expect([name, e?.props?.[s], e?.props?.['nested']]).toEqual([name, s, { list: [s] }]);
      }
    });
  });

  it('puts nothing invalid in the events topic: every message is a valid canonical event that got a 202 (invalid batch items are in the DLQ)', async () => {
    const messages = await readTopic(broker.brokers, topic, acknowledged.size);
    // Give anything that should not be there a moment to show up.
    const settled = await readTopic(broker.brokers, topic, acknowledged.size + 1, 1_000);
    expect(settled.length).toBe(messages.length);
    expect(messages.length).toBe(acknowledged.size);
    for (const m of messages) {
      const value = JSON.parse((m.value as Buffer).toString()) as unknown;
      const checked = validateCanonicalEvent(value);
      expect(checked.ok ? [] : checked.errors).toEqual([]);
      const event = value as CanonicalEvent;
      expect(acknowledged.has(event.event_id)).toBe(true);
      expect(event.site_id).toBe(SITE);
    }
    const dlq = await readTopic(broker.brokers, `${topic}.dlq`, 1);
    expect(dlq.length).toBeGreaterThan(0);
  });
});
