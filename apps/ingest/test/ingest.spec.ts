// apps/ingest end to end on inject(): every front door, every class of bad input, write keys,
// rate limits, CORS, and what lands in Kafka — against a real Kafka-protocol broker.
import { fixtures, type CanonicalEvent } from '@clickstream/event-schema';
import { readDeadLetterHeaders } from '@clickstream/kafka';
import { startKafkaBackend, type KafkaBackend } from '@clickstream/kafka/testing';
import { gzipSync } from 'node:zlib';
import { readTopic, startIngest, type Harness } from './harness';

jest.setTimeout(60_000);

const json = { 'content-type': 'application/json' };

describe('ingest', () => {
  let backend: KafkaBackend;
  let h: Harness;

  beforeAll(async () => {
    backend = await startKafkaBackend();
    h = await startIngest(backend.brokers);
  });
  afterAll(async () => {
    await h?.close();
    await backend?.stop();
  });

  describe("every seed's curl example gets the reply its README shows", () => {
    it.each([
      ['session_created', { event_type: 'session_created', user_id: 'user_001', session_id: 'session_001' }],
      ['page_visited', { event_type: 'page_visited', user_id: 'user_001', session_id: 'session_001', page_path: '/home' }],
      ['button_clicked', { event_type: 'button_clicked', user_id: 'user_001', session_id: 'session_001', page_path: '/home', button_id: 'signup_btn' }],
      ['page_closed', { event_type: 'page_closed', user_id: 'user_001', session_id: 'session_001', page_path: '/home' }],
      ['session_ended', { event_type: 'session_ended', user_id: 'user_001', session_id: 'session_001' }],
    ])('seed 001 %s → POST /api/events', async (_name, body) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/events', headers: json, payload: body });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'queued', event_id: expect.stringMatching(/^[0-9a-f-]{36}$/), message: `Event successfully queued to ${h.topic}` });
    });

    it('seed 004 → POST /event', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/event',
        headers: json,
        payload: { type: 'page_view', user_id: 'user123', session_id: 'session456', url: 'https://example.com/home', path: '/home' },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'accepted', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    });

    it('seed 001 and 004 health checks', async () => {
      for (const url of ['/', '/health']) {
        const res = await h.app.inject({ url });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ status: 'healthy', service: 'ingest' });
      }
    });
  });

  it('accepts every valid fixture of the event contract', async () => {
    for (const f of fixtures.validInputs) {
      const res = await h.app.inject({ method: 'POST', url: '/api/events', headers: json, payload: f.input });
      expect([f.name, res.statusCode]).toEqual([f.name, 202]);
    }
  });

  it('refuses every invalid fixture with 400 and the error the contract names', async () => {
    // The 10,000-deep fixture cannot go through JSON.stringify; it has its own test below.
    for (const f of fixtures.invalidInputs.filter((f) => f.name !== 'pathologically deep nesting')) {
      const res = await h.app.inject({ method: 'POST', url: '/api/events', headers: json, payload: JSON.stringify(f.input) });
      expect([f.name, res.statusCode]).toEqual([f.name, 400]);
      const { error } = res.json() as { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } };
      if (error.code === 'forbidden_key') continue; // caught by the JSON parser, before the contract
      expect([f.name, error.code]).toEqual([f.name, 'invalid_event']);
      expect(error.details?.[0]).toMatchObject({ path: f.error.path });
      expect(error.details?.[0].message).toContain(f.error.message);
    }
  });

  describe('bad requests get the right 4xx and the uniform error body', () => {
    it.each([
      ['malformed JSON', { headers: json, payload: '{"event_type": "click",' }, 400, 'invalid_json'],
      ['an empty body', { headers: json, payload: '' }, 400, 'empty_body'],
      ['a wrong content type', { headers: { 'content-type': 'text/plain' }, payload: '{}' }, 415, 'unsupported_media_type'],
      ['an unknown content type', { headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415, 'unsupported_media_type'],
      ['invalid UTF-8', { headers: json, payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400, 'invalid_utf8'],
      ['a __proto__ key', { headers: json, payload: '{"event_type":"click","user_id":"u","session_id":"s","__proto__":{"x":1}}' }, 400, 'forbidden_key'],
      ['a constructor.prototype key', { headers: json, payload: '{"event_type":"click","user_id":"u","session_id":"s","props":{"constructor":{"prototype":{}}}}' }, 400, 'forbidden_key'],
      ['an oversize body', { headers: json, payload: JSON.stringify({ event_type: 'click', user_id: 'u', session_id: 's', props: { pad: 'x'.repeat(70_000) } }) }, 413, 'payload_too_large'],
    ])('%s', async (_name, req, status, code) => {
      const res = await h.app.inject({ method: 'POST', url: '/api/events', ...req });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    });

    it('props nested 10,000 deep (the process does not crash)', async () => {
      const payload = `{"event_type":"click","user_id":"u","session_id":"s","props":${'{"n":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
      const res = await h.app.inject({ method: 'POST', url: '/api/events', headers: json, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toEqual({ path: '/props/n/n/n/n/n', message: 'nests deeper than 5 levels' });
      expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    });

    it('a batch over 500 events → 413', async () => {
      const events = Array.from({ length: 501 }, (_, i) => ({ event_type: 'click', user_id: 'u', session_id: `s${i}` }));
      const res = await h.app.inject({ method: 'POST', url: '/api/events/batch', headers: json, payload: { events } });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('batch_too_large');
    });

    it('a batch body over 512 KB → 413', async () => {
      const events = Array.from({ length: 20 }, (_, i) => ({ event_type: 'click', user_id: 'u', session_id: `s${i}`, props: { pad: 'x'.repeat(30_000) } }));
      const res = await h.app.inject({ method: 'POST', url: '/api/events/batch', headers: json, payload: { events } });
      expect(res.statusCode).toBe(413);
    });

    it('an unknown route → 404 with the uniform body', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/nope' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    });

    it('never logs the payload at info level', () => {
      const secret = 'x'.repeat(70_000);
      expect(h.logs.some((l) => l.includes(secret.slice(0, 1000)) || l.includes('signup_btn'))).toBe(false);
    });
  });

  it('puts accepted events in Kafka, normalised, enriched and keyed site_id:session_id; the raw address nowhere', async () => {
    const before = (await readTopic(backend.brokers, h.topic, 0, 500)).length;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/events/batch',
      headers: { ...json, 'x-forwarded-for': '81.2.69.160', 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' },
      payload: {
        events: [
          { event_type: 'page_view', user_id: 'kafka-u', session_id: 'kafka-s', page: { url: 'https://shop.example/p?utm_source=news&utm_campaign=x', referrer: 'https://www.google.com/' } },
          { event_type: 'click', user_id: 'kafka-u', session_id: 'kafka-s', button_id: 'buy', user_agent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
        ],
      },
    });
    expect(res.statusCode).toBe(202);
    const ids = (res.json().results as Array<{ event_id: string }>).map((r) => r.event_id);
    const all = await readTopic(backend.brokers, h.topic, before + 2);
    const mine = all.filter((m) => ids.includes(JSON.parse((m.value as Buffer).toString()).event_id));
    expect(mine).toHaveLength(2);
    for (const m of mine) {
      expect((m.key as Buffer).toString()).toBe('default:kafka-s');
      expect((m.value as Buffer).toString()).not.toContain('81.2.69.160');
    }
    const [view, click] = ids.map((id) => mine.map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent).find((e) => e.event_id === id));
    expect(view?.context).toMatchObject({
      ip: '81.2.69.0',
      browser: 'Mobile Safari',
      os: 'iOS',
      device_type: 'mobile',
      is_bot: false,
      referrer_domain: 'google.com',
      utm: { source: 'news', campaign: 'x' },
    });
    expect(click?.context).toMatchObject({ is_bot: true, device_type: 'bot' });
    expect(h.logs.join('\n')).not.toContain('81.2.69.160');
  });

  it('sends the invalid items of a batch to the dead-letter topic and accepts the rest', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/events/batch',
      headers: json,
      payload: { events: [{ event_type: 'click', user_id: 'u', session_id: 's' }, { event_type: 'click', session_id: 'dlq-marker' }] },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ status: 'queued', accepted: 1, rejected: 1 });
    expect(body.results[0]).toEqual({ index: 0, event_id: expect.any(String) });
    expect(body.results[1]).toMatchObject({ index: 1, error: { message: '/user_id is required' } });
    const dlq = await readTopic(backend.brokers, `${h.topic}.dlq`, 1);
    const letter = dlq.find((m) => (m.value as Buffer).toString().includes('dlq-marker'));
    expect(JSON.parse((letter?.value as Buffer).toString())).toEqual({ event_type: 'click', session_id: 'dlq-marker' });
    expect(readDeadLetterHeaders(letter?.headers as Record<string, Buffer>)).toMatchObject({
      'error-stage': 'ingest',
      'error-code': 'invalid_event',
      'error-message': '/user_id is required',
    });
  });

  it('refuses a batch with no valid item (they are still kept in the dead-letter topic)', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/events/batch', headers: json, payload: { events: [{ event_type: 'click' }] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_batch');
  });

  it('takes sendBeacon bodies (text/plain) on /api/collect, single or batch', async () => {
    const single = await h.app.inject({
      method: 'POST',
      url: '/api/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify({ event_type: 'page_close', user_id: 'u', session_id: 's' }),
    });
    expect(single.statusCode).toBe(202);
    expect(single.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const batch = await h.app.inject({
      method: 'POST',
      url: '/api/collect',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ events: [{ event_type: 'scroll', user_id: 'u', session_id: 's', scroll_depth: 50 }, { event_type: 'page_close', user_id: 'u', session_id: 's' }] }),
    });
    expect(batch.json()).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it('answers preflight requests and allows browsers to post', async () => {
    const res = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/events/batch',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-write-key' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('x-write-key');
  });

  it('serves /ready, /metrics, the OpenAPI document and tracker.js', async () => {
    expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(200);
    const metrics = await h.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/clickstream_ingest_events_total\{site="default",event_type="page_view",outcome="accepted"[^}]*\} [1-9]/);
    expect(metrics.body).toMatch(/clickstream_ingest_dlq_writes_total\{reason="invalid_event"[^}]*\} [1-9]/);
    expect(metrics.body).toContain('clickstream_ingest_kafka_produce_seconds_bucket');
    const spec = (await h.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/events', '/api/events/batch', '/event', '/api/collect']));
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['EventInput', 'BatchInput', 'Seed004Input']));
    expect((await h.app.inject({ url: '/docs/' })).statusCode).toBe(200);
    const tracker = await h.app.inject({ url: '/tracker.js' });
    expect(tracker.headers['content-type']).toContain('javascript');
    expect(gzipSync(tracker.rawPayload).length).toBeLessThanOrEqual(4096);
  });
});

describe('ingest with write keys and rate limits', () => {
  let backend: KafkaBackend;
  let h: Harness;

  beforeAll(async () => {
    backend = await startKafkaBackend();
    h = await startIngest(backend.brokers, { writeKeys: 'shop:k-shop,blog:k-blog', rateLimitPerIp: 5 });
  });
  afterAll(async () => {
    await h?.close();
    await backend?.stop();
  });

  const event = { event_type: 'click', user_id: 'u', session_id: 's' };

  it('refuses a missing or unknown key with 401 and files a known one under its site', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.1' };
    expect((await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip }, payload: event })).statusCode).toBe(401);
    const wrong = await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip, 'x-write-key': 'nope' }, payload: event });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_write_key');
    const byHeader = await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip, 'x-write-key': 'k-blog' }, payload: event });
    expect(byHeader.statusCode).toBe(202);
    const byQuery = await h.app.inject({ method: 'POST', url: '/api/events/batch?write_key=k-shop', headers: { ...json, ...ip }, payload: { events: [event] } });
    expect(byQuery.statusCode).toBe(202);
    const byBody = await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip }, payload: { ...event, write_key: 'k-shop' } });
    expect(byBody.statusCode).toBe(202);
    const ids = [byHeader.json().event_id, byQuery.json().results[0].event_id, byBody.json().event_id];
    const messages = await readTopic(backend.brokers, h.topic, 3);
    const sites = ids.map((id) => messages.map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent).find((e) => e.event_id === id)?.site_id);
    expect(sites).toEqual(['blog', 'shop', 'shop']);
    expect(messages.map((m) => (m.value as Buffer).toString()).join('')).not.toContain('k-shop');
  });

  it('answers 429 with Retry-After past the per-address limit', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.2', 'x-write-key': 'k-shop' };
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip }, payload: event })).statusCode);
    expect(codes).toEqual([202, 202, 202, 202, 202, 429, 429]);
    const limited = await h.app.inject({ method: 'POST', url: '/api/events', headers: { ...json, ...ip }, payload: event });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
  });
});
