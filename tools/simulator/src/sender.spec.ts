// The sender against a real HTTP server that answers from a script: retries, Retry-After, and
// never a second request for a batch that was answered.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSender, IngestRefusedError, IngestUnreachableError, retryAfterMs } from './sender';
import type { SimEvent } from './generator';

type Answer = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop';

describe('sender', () => {
  let server: Server;
  let url: string;
  let script: Answer[] = [];
  let requests: Array<{ at: number; body: { events: SimEvent[]; sent_at: string }; headers: IncomingMessage['headers'] }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as { events: SimEvent[]; sent_at: string };
        requests.push({ at: Date.now(), body, headers: req.headers });
        const answer = script.shift() ?? { status: 202, body: { status: 'queued', accepted: body.events.length, rejected: 0, results: body.events.map((e, index) => ({ index, event_id: e.event_id })) } };
        if (answer === 'drop') return req.socket.destroy();
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    script = [];
    requests = [];
  });

  const events = (n: number): SimEvent[] => Array.from({ length: n }, (_, i) => ({ event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, event_type: 'click', user_id: 'u', session_id: 's' }));

  it('posts {events, sent_at} with the write key and counts what ingest says', async () => {
    const sender = createSender({ ingestUrl: url, writeKey: 'k1' });
    const out = await sender.send(events(3));
    expect(out).toMatchObject({ accepted: 3, rejected: 0, retries: 0, requests: 1 });
    expect(requests).toHaveLength(1);
    expect(requests[0].headers['x-write-key']).toBe('k1');
    expect(requests[0].headers['content-type']).toBe('application/json');
    expect(Object.keys(requests[0].body)).toEqual(['events', 'sent_at']);
    expect(Math.abs(Date.parse(requests[0].body.sent_at) - Date.now())).toBeLessThan(5000);
  });

  it('retries 429 and 503 honouring Retry-After, and network errors with backoff; then sends no more', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited' } } }, 'drop', { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'kafka_unavailable' } } }];
    const retries: string[] = [];
    const sender = createSender({ ingestUrl: url, backoffMs: 50, onRetry: (r) => retries.push(r.reason) });
    const out = await sender.send(events(5));
    expect(out).toMatchObject({ accepted: 5, retries: 3, requests: 1 });
    expect(requests).toHaveLength(4);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(retries[0]).toBe('HTTP 429 rate_limited');
    expect(retries[2]).toBe('HTTP 503 kafka_unavailable');
    // the same events each time (the same client ids, so a repeat would be idempotent downstream)
    for (const r of requests) expect(r.body.events.map((e) => e.event_id)).toEqual(requests[0].body.events.map((e) => e.event_id));
  });

  it('counts a batch with no valid item (400 invalid_batch with per-item results) as rejected, without retrying', async () => {
    script = [{ status: 400, body: { error: { code: 'invalid_batch', message: 'no event in the batch is valid', details: [{ index: 0, error: { message: 'x' } }, { index: 1, error: { message: 'y' } }] } } }];
    const out = await createSender({ ingestUrl: url }).send(events(2));
    expect(out).toMatchObject({ accepted: 0, rejected: 2, retries: 0, requests: 1 });
    expect(requests).toHaveLength(1);
  });

  it('splits a batch ingest finds too large (413)', async () => {
    script = [{ status: 413, body: { error: { code: 'batch_too_large' } } }];
    const out = await createSender({ ingestUrl: url }).send(events(10));
    expect(out).toMatchObject({ accepted: 10, requests: 2 });
    expect(requests.map((r) => r.body.events.length)).toEqual([10, 5, 5]);
    expect(out.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops on 401 and other refusals, and gives up when ingest stays unreachable', async () => {
    script = [{ status: 401, body: { error: { code: 'invalid_write_key', message: 'unknown write key' } } }];
    await expect(createSender({ ingestUrl: url, writeKey: 'nope' }).send(events(1))).rejects.toEqual(new IngestRefusedError(401, 'ingest answered 401 invalid_write_key: unknown write key'));
    script = Array.from({ length: 50 }, () => ({ status: 503, body: {} }));
    await expect(createSender({ ingestUrl: url, backoffMs: 20, giveUpAfterMs: 300 }).send(events(1))).rejects.toBeInstanceOf(IngestUnreachableError);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('5')).toBe(5000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(1000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
