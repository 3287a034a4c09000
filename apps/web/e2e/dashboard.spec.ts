// The dashboard in a real headless Chromium against the real server (PostgreSQL loaded with
// generated sessions, the dev broker, s3rver) and a real collector process: log in, every page
// renders the fixture's numbers, user text stays text, an event posted to ingest shows up on the
// Live page within 2 s, and each page is saved as a screenshot under e2e/screenshots/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { waitFor, freePort } from '@clickstream/runtime/testing';
import { clicks, overview, pages, rangeFromDates, revenue, sessionsDaily, type MetricRange } from '@clickstream/warehouse';
import { generateSessions } from '@clickstream/warehouse/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, BUILT_CLIENT_DIR, startWebHarness, type WebHarness } from '../test/support/web-harness';

jest.setTimeout(180_000);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const INGEST_MAIN = resolve(__dirname, '../../ingest/dist/main.js');
const SCREENSHOTS = join(__dirname, 'screenshots');
const XSS_PATH = '/search/<img src=x onerror=alert(1)>';

const dataset = generateSessions({ seed: 8, start: '2026-05-04', days: 3 });
const query = 'range=custom&from=2026-05-04&to=2026-05-06&tz=UTC&site=site_a';
const range: MetricRange = { site: 'site_a', ...rangeFromDates('2026-05-04', '2026-05-06', 'UTC') };

function xssEvent(): CanonicalEvent {
  const r = normalize(
    { event_type: 'page_view', user_id: 'u-xss', session_id: 's-xss', event_time: '2026-05-05T09:00:00Z', page: { url: `https://shop.example${XSS_PATH}`, path: XSS_PATH } },
    { receivedAt: '2026-05-05T09:00:00Z', siteId: 'site_a' },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.event;
}


/** Digits of a formatted figure ("1,234" → 1234). */
const digits = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

describe('dashboard in Chromium', () => {
  let h: WebHarness;
  let browser: Browser;
  let ingest: ChildProcess;
  let ingestUrl: string;
  let base: string;
  let page: Page;
  const problems: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    h = await startWebHarness({ events: [...dataset, xssEvent()], clientDir: BUILT_CLIENT_DIR });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });

    const port = await freePort();
    ingestUrl = `http://127.0.0.1:${port}`;
    ingest = spawn(process.execPath, [INGEST_MAIN], {
      env: { ...process.env, KAFKA_BROKERS: h.brokers, KAFKA_TOPIC: h.topic, INGEST_PORT: String(port), INGEST_HOST: '127.0.0.1', WRITE_KEYS: 'site_a:e2e-key', LOG_LEVEL: 'warn', INGEST_GEOIP: 'false' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor('ingest ready', async () => (await fetch(`${ingestUrl}/ready`).catch(() => undefined))?.ok || undefined, 30_000);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterAll(async () => {
    await browser?.close();
    ingest?.kill('SIGTERM');
    await h?.stop();
  });

  it('asks for a login, refuses a wrong password and logs in', async () => {
    await page.goto(`${base}/?${query}`);
    await page.waitForSelector('[data-testid=page-login]');
    await page.fill('input[name=username]', ADMIN.username);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=login-error]');
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=page-overview]');
  });

  it('overview cards show the warehouse figures of the range', async () => {
    const expected = await overview(h.wh.sql, range);
    expect(expected.events).toBeGreaterThan(100);
    const card = (key: string) => page.locator(`[data-testid=card-${key}] [data-testid=card-value]`);
    await expect(waitFor('overview cards', async () => (digits(await card('events').textContent()) > 0 ? true : undefined), 15_000)).resolves.toBe(true);
    expect(digits(await card('events').textContent())).toBe(expected.events);
    expect(digits(await card('page_views').textContent())).toBe(expected.page_views);
    expect(digits(await card('sessions').textContent())).toBe(expected.sessions);
    expect(digits(await card('users').textContent())).toBe(expected.users);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  it.each([
    ['pages', 'table-pages', async () => (await pages(h.wh.sql, range))[0].path],
    ['clicks', 'table-clicks', async () => (await clicks(h.wh.sql, range))[0].button_id],
    ['sessions', 'table-sessions-daily', async () => (await sessionsDaily(h.wh.sql, range))[0].day],
    ['revenue', 'table-top-products', async () => (await revenue(h.wh.sql, range)).top_products[0].product_id],
    ['retention', 'table-retention', async () => '2026-05-04'],
    ['audience', 'panel-breakdown-browser', async () => 'Chrome'],
  ])('the %s page shows the fixture data', async (name, table, expectedText) => {
    await page.click(`[data-testid=nav-${name}]`);
    await page.waitForSelector(`[data-testid=page-${name}]`);
    expect(new URL(page.url()).search).toContain('site=site_a');
    const text = await expectedText();
    await page.locator(`[data-testid=${table}]`).first().getByText(text, { exact: false }).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  });

  it('the funnels page shows sessions per step', async () => {
    await page.click('[data-testid=nav-funnels]');
    await page.waitForSelector('[data-testid=page-funnels]');
    await page.locator('[data-testid=table-funnel]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'funnels.png'), fullPage: true });
  });

  it('the pipeline page shows the consumer groups', async () => {
    await page.click('[data-testid=nav-pipeline]');
    await page.waitForSelector('[data-testid=page-pipeline]');
    await page.getByText('clickstream-archiver').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'pipeline.png'), fullPage: true });
  });

  it('renders user-supplied text as text: a markup path never runs', async () => {
    await page.goto(`${base}/pages?${query}&limit=100`);
    await page.locator('[data-testid=table-pages]').getByText(XSS_PATH).first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=table-pages] img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows an event posted to ingest on the Live page within 2 s', async () => {
    await page.goto(`${base}/live?site=site_a&tz=UTC`);
    await page.waitForSelector('[data-testid=page-live]');
    await page.locator('[data-testid=live-status]').getByText(/live/i).waitFor({ timeout: 20_000 });
    const path = `/e2e-live-${Date.now()}`;
    const res = await fetch(`${ingestUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-write-key': 'e2e-key' },
      body: JSON.stringify({ event_type: 'page_view', user_id: 'u-live', session_id: 's-live', page: { url: `https://shop.example${path}` } }),
    });
    expect(res.status).toBe(202);
    const posted = Date.now();
    await page.locator('[data-testid=live-feed]').getByText(path).waitFor({ timeout: 2_000 });
    console.info(`posted event on the Live page after ${Date.now() - posted} ms`);
    await page.screenshot({ path: join(SCREENSHOTS, 'live.png'), fullPage: true });
  });

  it('works at 375 px wide without horizontal scrolling, in the dark theme too', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: 'dark', storageState: await page.context().storageState() });
    const phone = await context.newPage();
    phone.on('pageerror', (e) => problems.push(e.message));
    await phone.goto(`${base}/?${query}`);
    await phone.waitForSelector('[data-testid=card-events]');
    // (a string: this project's types are Node's, not the DOM's)
    const overflow = (await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: join(SCREENSHOTS, 'overview-375-dark.png'), fullPage: true });
    await context.close();
  });

  it('logged no errors and no Content-Security-Policy violations in the browser', () => {
    expect(problems.filter((p) => !/401|Unauthorized/i.test(p))).toEqual([]);
  });
});
