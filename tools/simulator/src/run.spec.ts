// runSimulation() in process, against a real HTTP server that accepts everything.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultConfig, type SimulationConfig } from './config';
import { generateEvents, type SimEvent } from './generator';
import { runSimulation, SimulationError } from './run';

describe('runSimulation', () => {
  let server: Server;
  let url: string;
  let received: Array<{ events: SimEvent[]; at: number }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        const { events } = JSON.parse(text) as { events: SimEvent[] };
        received.push({ events, at: Date.now() });
        const rejected = events.filter((e) => typeof e['user_id'] !== 'string' || (e['props'] as Record<string, unknown> | undefined)?.['simulator_defect']).length;
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'queued', accepted: events.length - rejected, rejected, results: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (received = []));

  const config = (over: Partial<SimulationConfig>): SimulationConfig => ({ ...defaultConfig(), seed: 'run', ...over });

  it('sends the seeded events in batches and sums the answers', async () => {
    const cfg = config({ maxEvents: 450, batchSize: 100, malformedRate: 0.1 });
    const summary = await runSimulation({ config: cfg, ingestUrl: url, pace: false });
    expect(summary).toMatchObject({ sent: 450, batches: 5, retries: 0 });
    expect(summary.accepted + summary.rejected).toBe(450);
    expect(summary.rejected).toBe(summary.malformed);
    expect(received.map((r) => r.events.length)).toEqual([100, 100, 100, 100, 50]);
    expect(received.flatMap((r) => r.events.map((e) => e.event_id))).toEqual(generateEvents(cfg, 450).map((g) => g.event.event_id));
  });

  it('paces to the rate and stops at the simulated duration', async () => {
    const started = Date.now();
    const summary = await runSimulation({ config: config({ rate: 200, durationMs: 1500 }), ingestUrl: url });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(4000);
    expect(summary.sent).toBeGreaterThan(200);
    expect(summary.sent).toBeLessThan(400);
  });

  it('stops on abort, sends what it buffered and returns the summary', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    const summary = await runSimulation({ config: config({ rate: 300 }), ingestUrl: url }, { signal: controller.signal });
    expect(summary.sent).toBeGreaterThan(100);
    expect(summary.sent).toBe(received.reduce((n, r) => n + r.events.length, 0));
  });

  it('throws a SimulationError carrying the partial summary when ingest is gone', async () => {
    const error = await runSimulation({ config: config({ maxEvents: 10 }), ingestUrl: 'http://127.0.0.1:9', giveUpAfterMs: 300, pace: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulationError);
    expect((error as SimulationError).summary).toMatchObject({ sent: 0, accepted: 0 });
    expect((error as SimulationError).message).toMatch(/stayed unreachable/);
  });
});
