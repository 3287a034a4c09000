// tracker.js keeps its events through a Kafka outage: ingest answers 503, the tracker backs off and
// retries with the same event ids, and once Kafka is back every event arrives. A send that ingest
// gave up on may still land once Kafka is back (at-least-once, like any Kafka producer without
// idempotence): such a copy carries the same event id, which is what downstream dedup keys on.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { startDevBroker, waitFor, type DevBroker } from '@clickstream/kafka/testing';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { readTopic, startIngest, type Harness } from './harness';

jest.setTimeout(120_000);

describe('tracker.js during a Kafka outage', () => {
  let broker: DevBroker;
  let h: Harness;
  let site: Server;
  let browser: Browser;

  beforeAll(async () => {
    broker = await startDevBroker();
    h = await startIngest(broker.brokers, { sendTimeoutMs: 1000 });
    const ingest = await h.app.listen({ port: 0, host: '127.0.0.1' });
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>t</title><button id="b">Go</button><script src="${ingest}/tracker.js" async></script>`);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await h?.close();
    await broker?.stop();
    if (broker) rmSync(broker.dataDir, { recursive: true, force: true });
  });

  it('retries after 503 and delivers every event, under one event id each', async () => {
    await broker.kill();
    const tab = await browser.newPage();
    const statuses: number[] = [];
    tab.on('response', (r) => {
      if (r.url().includes('/api/events/batch')) statuses.push(r.status());
    });
    await tab.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
    await tab.waitForFunction(() => 'clickstream' in window);
    await tab.click('#b');
    await tab.evaluate(() => (window as unknown as { clickstream: { flush(): void } }).clickstream.flush());
    await waitFor('a 503 from ingest', () => statuses.includes(503), 30_000);

    broker = await startDevBroker({ dataDir: broker.dataDir, port: broker.port });
    await waitFor('the retried batch to be accepted', () => statuses.includes(202), 60_000);
    const userId = await tab.evaluate(() => localStorage.getItem('cs_uid'));
    await tab.close();

    const events = (await readTopic(broker.brokers, h.topic, 3, 10_000))
      .map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent)
      .filter((e) => e.user_id === userId);
    const idsByType = new Map<string, Set<string>>();
    for (const e of events) idsByType.set(e.event_type, (idsByType.get(e.event_type) ?? new Set()).add(e.event_id));
    for (const type of ['session_start', 'page_view', 'click']) expect([type, idsByType.get(type)?.size]).toEqual([type, 1]);
  });
});
