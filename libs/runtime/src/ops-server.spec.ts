import { Counter } from 'prom-client';
import { createHealth, type Health } from './health';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';
import { startOpsServer, type OpsServer } from './ops-server';

describe('startOpsServer', () => {
  let server: OpsServer;
  let health: Health;
  let base: string;
  const logLines: string[] = [];
  let kafkaUp = true;
  const registry = createMetricsRegistry({ service: 'stream-consumer' });
  const consumed = new Counter({ name: 'consumed_total', help: 'messages consumed', registers: [registry] });

  beforeAll(async () => {
    health = createHealth({ service: 'stream-consumer', version: '0.1.0' });
    health.addCheck('kafka', () => {
      if (!kafkaUp) throw new Error('broker unreachable');
    });
    const logger = createLogger({
      service: 'stream-consumer',
      level: 'info',
      pretty: false,
      destination: { write: (line: string) => void logLines.push(line) },
    });
    server = await startOpsServer({ port: 0, host: '127.0.0.1', health, registry, logger });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('listens on the free port it picked', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(logLines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ msg: 'ops server listening', port: server.port }),
    );
  });

  it('GET /health answers 200 with live()', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ status: 'healthy', service: 'stream-consumer', version: '0.1.0' });
  });

  it('GET /ready answers 200 when ready and 503 when not', async () => {
    const ok = await fetch(`${base}/ready`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ready', checks: { kafka: { ok: true } } });

    kafkaUp = false;
    const down = await fetch(`${base}/ready?verbose=1`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'not_ready', checks: { kafka: { ok: false, error: 'broker unreachable' } } });
    kafkaUp = true;
  });

  it('GET /metrics answers Prometheus text', async () => {
    consumed.inc(2);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('consumed_total{service="stream-consumer"} 2');
    expect(text).toContain('clickstream_process_resident_memory_bytes');
  });

  it('answers 404 with the uniform error body for an unknown path', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });

  it('answers 405 with the uniform error body for a wrong method', async () => {
    const res = await fetch(`${base}/health`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ error: { code: 'method_not_allowed', message: 'POST is not allowed on /health' } });
  });

  it('answers 500 without a stack trace when a handler fails, and logs it with a request id', async () => {
    const failing = createMetricsRegistry({ service: 'etl', defaultMetrics: false });
    new Counter({
      name: 'broken_total',
      help: 'a collect() that throws',
      registers: [failing],
      collect() {
        throw new Error('collector exploded at /secret/path.ts:12');
      },
    });
    const lines: string[] = [];
    const logger = createLogger({ service: 'etl', level: 'info', pretty: false, destination: { write: (l: string) => void lines.push(l) } });
    const other = await startOpsServer({ port: 0, host: '127.0.0.1', health, registry: failing, logger });
    try {
      const res = await fetch(`http://127.0.0.1:${other.port}/metrics`);
      expect(res.status).toBe(500);
      const requestId = res.headers.get('x-request-id');
      const body = await res.json();
      expect(body).toEqual({ error: { code: 'internal_error', message: `internal error (request id ${requestId})` } });
      expect(JSON.stringify(body)).not.toContain('exploded');
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'ops server request failed');
      expect(logged).toMatchObject({ request_id: requestId, path: '/metrics', err: { message: expect.stringContaining('exploded') } });
    } finally {
      await other.close();
    }
  });

  it('close() resolves even with a kept-alive connection, and is idempotent', async () => {
    const other = await startOpsServer({ port: 0, host: '127.0.0.1', health, registry });
    const res = await fetch(`http://127.0.0.1:${other.port}/health`);
    await res.text();
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`http://127.0.0.1:${other.port}/health`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    await expect(startOpsServer({ port: server.port, host: '127.0.0.1', health, registry })).rejects.toThrow(/EADDRINUSE/);
  });
});
