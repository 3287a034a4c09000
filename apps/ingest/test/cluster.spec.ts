// INGEST_WORKERS=2: two processes share the port, /metrics sums both, SIGTERM stops all cleanly.
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { freePort } from '@clickstream/runtime/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';

jest.setTimeout(90_000);

const MAIN = resolve(__dirname, '../dist/main.js');


/** One request on its own connection, so the cluster spreads them over the workers. */
function post(port: number, body: object): Promise<number> {
  return new Promise((res, rej) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/api/events', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(JSON.stringify(body));
  });
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('ingest with INGEST_WORKERS=2', () => {
  let broker: DevBroker;
  let ingest: ChildProcess;

  beforeAll(async () => {
    broker = await startDevBroker();
  });
  afterAll(async () => {
    if (ingest?.exitCode === null) ingest.kill('SIGKILL');
    await broker?.stop();
    if (broker) rmSync(broker.dataDir, { recursive: true, force: true });
  });

  it('serves from both workers, sums their metrics, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    ingest = spawn(process.execPath, [MAIN], {
      env: { ...process.env, KAFKA_BROKERS: broker.brokers, INGEST_PORT: String(port), INGEST_HOST: '127.0.0.1', INGEST_WORKERS: '2', LOG_LEVEL: 'warn', INGEST_GEOIP: 'false' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const primary = ingest.pid as number;
    await waitFor('two workers', () => childPids(primary).length === 2, 30_000);
    const workers = childPids(primary);
    await waitFor('ingest to answer', async () => (await post(port, { event_type: 'click', user_id: 'u', session_id: 's' }).catch(() => 0)) === 202, 30_000);

    const codes = await Promise.all(Array.from({ length: 19 }, (_, i) => post(port, { event_type: 'click', user_id: 'u', session_id: `s${i}` })));
    expect(codes.every((c) => c === 202)).toBe(true);

    // Connections alternate between the workers (round-robin), so each worker's own registry holds
    // only part of the 20; the total shows /metrics sums them.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    const accepted = [...metrics.matchAll(/clickstream_ingest_events_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(accepted).toBe(20);

    const exited = new Promise<number | null>((res) => ingest.once('exit', (code) => res(code)));
    ingest.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});
