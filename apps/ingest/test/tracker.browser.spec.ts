// tracker.js in a real headless Chromium on a page served from another origin: the events it
// sends arrive in Kafka.
import type { CanonicalEvent } from '@clickstream/event-schema';
import { startKafkaBackend, waitFor, type KafkaBackend } from '@clickstream/kafka/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { readTopic, startIngest, type Harness } from './harness';

jest.setTimeout(120_000);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

function page(ingestOrigin: string, extra = ''): string {
  return `<!doctype html><html><head><title>Shop</title></head><body>
  <button id="buy">Buy now</button>
  <div data-track="promo"><span id="inner">Spring sale</span></div>
  <a href="#" onclick="return false">Read more</a>
  <div style="height: 5000px">long page</div>
  <script src="${ingestOrigin}/tracker.js" data-write-key="k-shop" ${extra} async></script>
  </body></html>`;
}

describe('tracker.js in headless Chromium', () => {
  let backend: KafkaBackend;
  let h: Harness;
  let site: Server;
  let browser: Browser;
  let siteOrigin: string;

  beforeAll(async () => {
    backend = await startKafkaBackend();
    h = await startIngest(backend.brokers, { writeKeys: 'shop:k-shop' });
    const ingestAddress = await h.app.listen({ port: 0, host: '127.0.0.1' });
    site = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(ingestAddress, req.url?.startsWith('/dnt') ? 'data-respect-dnt="true"' : ''));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await h?.close();
    await backend?.stop();
  });

  it('sends page views (also on history changes), clicks, scroll depth, custom events and page close', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteOrigin}/products?utm_source=news`);
    await tab.waitForFunction(() => 'clickstream' in window);
    await tab.click('#buy');
    await tab.click('#inner');
    await tab.click('text=Read more');
    await tab.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await tab.waitForTimeout(300);
    await tab.evaluate(() => history.pushState({}, '', '/checkout'));
    await tab.evaluate(() => (window as unknown as { clickstream: { track(n: string, p: object): void } }).clickstream.track('signup.completed', { plan: 'pro' }));
    await tab.evaluate(() => (window as unknown as { clickstream: { flush(): void } }).clickstream.flush());
    const userId = await tab.evaluate(() => localStorage.getItem('cs_uid'));
    expect(userId).toBeTruthy();
    await tab.close({ runBeforeUnload: true });

    const events = await waitFor('the tracker events in Kafka', async () => {
      const all = (await readTopic(backend.brokers, h.topic, 1, 3000)).map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent);
      const mine = all.filter((e) => e.user_id === userId);
      return mine.some((e) => e.event_type === 'page_close') && mine.some((e) => e.event_name === 'signup.completed') ? mine : undefined;
    }, 60_000);

    const types = events.map((e) => e.event_type);
    expect(types).toEqual(expect.arrayContaining(['session_start', 'page_view', 'click', 'scroll', 'custom', 'page_close']));
    expect(events.filter((e) => e.event_type === 'page_view').map((e) => e.page?.path).sort()).toEqual(['/checkout', '/products']);
    expect(events.filter((e) => e.event_type === 'click').map((e) => e.button_id).sort()).toEqual(['Read more', 'buy', 'promo']);
    expect(Math.max(...events.filter((e) => e.event_type === 'scroll').map((e) => e.scroll_depth ?? 0))).toBe(100);
    expect(events.find((e) => e.event_name === 'signup.completed')?.props).toEqual({ plan: 'pro' });
    expect(new Set(events.map((e) => e.session_id)).size).toBe(1);
    expect(events.every((e) => e.site_id === 'shop')).toBe(true);
    const view = events.find((e) => e.page?.path === '/products');
    expect(view?.context).toMatchObject({ browser: expect.stringMatching(/Chrom/), utm: { source: 'news' }, is_bot: expect.any(Boolean) });
    await context.close();
  });

  it('starts a new session after 30 minutes without activity, keeping the user id', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteOrigin}/a`);
    await tab.waitForFunction(() => 'clickstream' in window);
    const first = await tab.evaluate(() => ({ user: localStorage.getItem('cs_uid'), session: localStorage.getItem('cs_sid') }));
    await tab.evaluate(() => localStorage.setItem('cs_last', String(Date.now() - 31 * 60 * 1000)));
    await tab.evaluate(() => (window as unknown as { clickstream: { track(n: string): void; flush(): void } }).clickstream.track('late.click'));
    const second = await tab.evaluate(() => ({ user: localStorage.getItem('cs_uid'), session: localStorage.getItem('cs_sid') }));
    expect(second.user).toBe(first.user);
    expect(second.session).not.toBe(first.session);
    await tab.evaluate(() => (window as unknown as { clickstream: { flush(): void } }).clickstream.flush());
    const events = await waitFor('both sessions in Kafka', async () => {
      const mine = (await readTopic(backend.brokers, h.topic, 1, 3000))
        .map((m) => JSON.parse((m.value as Buffer).toString()) as CanonicalEvent)
        .filter((e) => e.user_id === first.user);
      return mine.some((e) => e.event_name === 'late.click') ? mine : undefined;
    }, 60_000);
    const starts = events.filter((e) => e.event_type === 'session_start').map((e) => e.session_id);
    expect(starts.sort()).toEqual([first.session, second.session].sort());
    expect(events.find((e) => e.event_name === 'late.click')?.session_id).toBe(second.session);
    await context.close();
  });

  it('sends nothing when Do-Not-Track is on and the site asked to respect it', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' }));
    const tab = await context.newPage();
    const sent: string[] = [];
    tab.on('request', (r) => {
      if (r.method() === 'POST') sent.push(r.url());
    });
    await tab.goto(`${siteOrigin}/dnt`);
    await tab.waitForFunction(() => 'clickstream' in window);
    await tab.click('#buy');
    await tab.evaluate(() => (window as unknown as { clickstream: { track(n: string): void; flush(): void } }).clickstream.track('ignored'));
    await tab.evaluate(() => (window as unknown as { clickstream: { flush(): void } }).clickstream.flush());
    await tab.close({ runBeforeUnload: true });
    expect(sent).toEqual([]);
    await context.close();
  });
});
