// The analyst API on real parts (PostgreSQL loaded the way the ETL loads it, the dev broker,
// s3rver): authentication, every report endpoint against the libs/warehouse query it serves, input
// errors, CSV exports parsed back, the SPA's static serving and security headers, and /metrics.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import {
  applyMinuteCounts,
  breakdown,
  clicks,
  eventTypeTotals,
  funnel,
  liveSummary,
  overview,
  pages,
  parseFunnelSteps,
  rangeFromDates,
  retention,
  revenue,
  scrollDepth,
  sessionsDaily,
  sites,
  timeseries,
  topUsers,
  type MetricRange,
} from '@clickstream/warehouse';
import { generateSessions } from '@clickstream/warehouse/testing';
import { parse } from 'csv-parse/sync';
import { EXPORT_REPORTS } from '../src/shared/api-types';
import { ADMIN, startWebHarness, type WebHarness } from './support/web-harness';
import { inertCsvText } from './support/csv';
import { RANGED_REPORT_URLS } from './support/routes';

// Fixed "now" inside the data, so /api/live and /api/users/top have a today and a last hour.
const NOW = new Date('2026-04-08T12:30:00Z');
const dataset = generateSessions({ seed: 5, start: '2026-04-06', days: 3 });

/** Text that CSV must quote and HTML must escape, in the button id and the path of one session. */
const TRICKY_BUTTON = 'say "hi", then\nleave';
/** A button id a spreadsheet would run as a formula if the CSV handed it over as it is. */
const FORMULA_BUTTON = '=HYPERLINK("https://evil.example","open")';
function trickyEvents(): CanonicalEvent[] {
  const base = { user_id: 'u-tricky', session_id: 's-tricky' };
  return [
    { ...base, event_type: 'page_view', event_time: '2026-04-07T10:00:00Z', page: { url: 'https://shop.example/a,b/<script>alert(1)</script>' } },
    { ...base, event_type: 'click', event_time: '2026-04-07T10:00:05Z', button_id: TRICKY_BUTTON, page: { url: 'https://shop.example/a,b/<script>alert(1)</script>' } },
    { ...base, event_type: 'click', event_time: '2026-04-07T10:00:07Z', button_id: FORMULA_BUTTON, page: { url: 'https://shop.example/a,b/<script>alert(1)</script>' } },
  ].map((input, i) => {
    const r = normalize({ ...input, event_id: `0190a000-0000-7000-8000-00000000000${i}` }, { receivedAt: input.event_time, siteId: 'site_a' });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
}

const json = <T>(body: string): T => JSON.parse(body) as T;
/** The JSON a query function's result becomes on the wire. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('analyst API', () => {
  let h: WebHarness;
  let cookie: string;
  let clientDir: string;
  const range: MetricRange = { site: 'site_a', ...rangeFromDates('2026-04-06', '2026-04-08', 'America/New_York') };
  const q = 'site=site_a&from=2026-04-06&to=2026-04-08&tz=America/New_York';

  const get = (url: string, headers: Record<string, string> = { cookie }) => h.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    clientDir = mkdtempSync(join(tmpdir(), 'web-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Clickstream</title><div id="root"></div><script type="module" src="/assets/app.js"></script>');
    h = await startWebHarness({ events: [...dataset, ...trickyEvents()], now: () => NOW, loginRateLimit: 5, clientDir });
    // live rollups for "now": two users in the last hour, one earlier today
    await applyMinuteCounts(h.wh.sql, [
      { site_id: 'site_a', minute: new Date('2026-04-08T12:10:00Z'), user_id: 'u1', event_type: 'page_view', count: 7 },
      { site_id: 'site_a', minute: new Date('2026-04-08T12:29:00Z'), user_id: 'u2', event_type: 'click', count: 3 },
      { site_id: 'site_a', minute: new Date('2026-04-08T03:00:00Z'), user_id: 'u3', event_type: 'page_view', count: 11 },
    ]);
    cookie = await h.login();
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(clientDir, { recursive: true, force: true });
  });

  describe('authentication', () => {
    const protectedUrls = [
      ...RANGED_REPORT_URLS,
      '/api/users/top',
      '/api/live',
      '/api/pipeline',
      '/api/sites',
      '/api/me',
      '/api/tokens',
      '/api/docs/json',
    ];

    it.each(protectedUrls)('%s refuses an anonymous request with 401 and the uniform error body', async (url) => {
      const res = await get(url, {});
      expect(res.statusCode).toBe(401);
      expect(json<{ error: { code: string } }>(res.body).error.code).toBe('unauthorized');
    });

    it('refuses a forged session cookie and an unknown bearer token', async () => {
      expect((await get('/api/overview', { cookie: 'cs_session=forged' })).statusCode).toBe(401);
      expect((await get('/api/overview', { authorization: 'Bearer cst_not-a-token' })).statusCode).toBe(401);
    });

    it('answers /api/health without a login', async () => {
      const res = await get('/api/health', {});
      expect(res.statusCode).toBe(200);
      expect(json<{ service: string }>(res.body).service).toBe('web');
    });

    it('logs in with an httpOnly SameSite=Strict cookie, says who is logged in, and logs out', async () => {
      const wrong = await h.app.inject({ method: 'POST', url: '/api/login', payload: { username: ADMIN.username, password: 'wrong password' }, remoteAddress: '10.0.0.1' });
      expect(wrong.statusCode).toBe(401);
      expect(json<{ error: { code: string } }>(wrong.body).error.code).toBe('invalid_credentials');
      expect(wrong.cookies).toHaveLength(0);

      const res = await h.app.inject({ method: 'POST', url: '/api/login', payload: ADMIN, remoteAddress: '10.0.0.1' });
      expect(res.statusCode).toBe(200);
      const set = String(res.headers['set-cookie']);
      expect(set).toMatch(/HttpOnly/i);
      expect(set).toMatch(/SameSite=Strict/i);
      const session = `cs_session=${res.cookies[0].value}`;
      expect(json(( await get('/api/me', { cookie: session })).body)).toEqual({ username: 'admin', role: 'admin' });

      const out = await h.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: session } });
      expect(out.statusCode).toBe(204);
      expect((await get('/api/me', { cookie: session })).statusCode).toBe(401);
      // the stored session is gone, not just the browser's cookie
      expect((await get('/api/overview', { cookie: session })).statusCode).toBe(401);
    });

    it('rate limits logins per client address with 429 and Retry-After', async () => {
      const attempt = () => h.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin', password: 'guessing-1234' }, remoteAddress: '10.9.9.9' });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await attempt()).statusCode);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      const limited = await attempt();
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(json<{ error: { code: string } }>(limited.body).error.code).toBe('rate_limited');
      // another address is not affected
      const other = await h.app.inject({ method: 'POST', url: '/api/login', payload: ADMIN, remoteAddress: '10.9.9.10' });
      expect(other.statusCode).toBe(200);
    });

    it('issues, accepts and revokes API tokens for scripts', async () => {
      const created = await h.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { name: 'nightly export' } });
      expect(created.statusCode).toBe(201);
      const { token } = json<{ token: string }>(created.body);
      const bearer = { authorization: `Bearer ${token}` };
      expect((await get(`/api/overview?${q}`, bearer)).statusCode).toBe(200);

      const list = json<{ rows: { name: string; prefix: string; last_used_at: string | null }[] }>((await get('/api/tokens')).body).rows;
      const listed = list.find((t) => t.name === 'nightly export');
      expect(listed?.last_used_at).not.toBeNull();
      expect(JSON.stringify(list)).not.toContain(token);

      expect((await h.app.inject({ method: 'DELETE', url: `/api/tokens/${listed?.prefix}`, headers: { cookie } })).statusCode).toBe(204);
      expect((await get(`/api/overview?${q}`, bearer)).statusCode).toBe(401);
    });

    it('lets only an admin create analysts, who can then log in', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/analysts', headers: { cookie }, payload: { username: 'ana', password: 'ana-password-1' } });
      expect(res.statusCode).toBe(201);
      const login = await h.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'ana', password: 'ana-password-1' }, remoteAddress: '10.0.0.2' });
      expect(login.statusCode).toBe(200);
      const ana = `cs_session=${login.cookies[0].value}`;
      const refused = await h.app.inject({ method: 'POST', url: '/api/analysts', headers: { cookie: ana }, payload: { username: 'eve', password: 'eve-password-1' } });
      expect(refused.statusCode).toBe(403);
    });
  });

  describe('reports answer what the warehouse queries compute', () => {
    it('holds data to compare', async () => {
      const o = await overview(h.wh.sql, range);
      expect(o.sessions).toBeGreaterThan(10);
      expect((await clicks(h.wh.sql, range)).some((c) => c.button_id === TRICKY_BUTTON)).toBe(true);
    });

    it.each([
      ['/api/overview', (r: MetricRange) => overview(h.wh.sql, r)],
      ['/api/pages', async (r: MetricRange) => ({ rows: await pages(h.wh.sql, r) })],
      ['/api/clicks', async (r: MetricRange) => ({ rows: await clicks(h.wh.sql, r) })],
      ['/api/sessions/daily', async (r: MetricRange) => ({ rows: await sessionsDaily(h.wh.sql, r) })],
      ['/api/event-types', async (r: MetricRange) => ({ rows: await eventTypeTotals(h.wh.sql, r) })],
      ['/api/scroll-depth', async (r: MetricRange) => ({ rows: await scrollDepth(h.wh.sql, r) })],
      ['/api/revenue', (r: MetricRange) => revenue(h.wh.sql, r)],
      ['/api/retention', async (r: MetricRange) => ({ rows: await retention(h.wh.sql, r, { weeks: 8 }) })],
    ] as const)('%s', async (url, expected) => {
      const res = await get(`${url}?${q}`);
      expect(res.statusCode).toBe(200);
      expect(json(res.body)).toEqual(wire(await expected(range)));
    });

    it('/api/timeseries with metric and interval', async () => {
      const res = await get(`/api/timeseries?${q}&metric=sessions&interval=hour`);
      expect(json(res.body)).toEqual(wire({ rows: await timeseries(h.wh.sql, range, { metric: 'sessions', interval: 'hour' }) }));
    });

    it('/api/breakdown by each dimension', async () => {
      for (const dimension of ['country', 'device_type', 'browser', 'os', 'referrer_domain', 'utm_source'] as const) {
        const res = await get(`/api/breakdown?${q}&dimension=${dimension}&limit=5`);
        expect(json(res.body)).toEqual(wire({ rows: await breakdown(h.wh.sql, range, dimension, { limit: 5 }) }));
      }
    });

    it('/api/funnel with steps', async () => {
      const steps = 'page_view,click:buy,purchase';
      const res = await get(`/api/funnel?${q}&steps=${encodeURIComponent(steps)}`);
      const rows = json<{ rows: { sessions: number }[] }>(res.body).rows;
      expect(rows).toEqual(wire(await funnel(h.wh.sql, range, parseFunnelSteps(steps))));
      expect(rows[0].sessions).toBeGreaterThan(0);
    });

    it('bots=include and the filters reach the query', async () => {
      const res = await get(`/api/overview?${q}&bots=include&device=mobile`);
      const expected = await overview(h.wh.sql, { ...range, bots: true, filters: { deviceType: 'mobile' } });
      expect(json(res.body)).toEqual(wire(expected));
      expect(expected.events).not.toBe((await overview(h.wh.sql, range)).events);
    });

    it('/api/analytics is seed 001s summary of the range', async () => {
      const body = json<{ summary: Record<string, number>; top_pages: unknown[] }>((await get(`/api/analytics?${q}`)).body);
      const o = await overview(h.wh.sql, range);
      expect(body.summary).toEqual({ total_sessions: o.sessions, total_users: o.users, avg_session_duration: o.avg_session_seconds, total_page_views: o.page_views });
      expect(body.top_pages).toEqual(wire(await pages(h.wh.sql, range, { limit: 10 })));
    });

    it('/api/sites lists the sites with data', async () => {
      expect(json((await get('/api/sites')).body)).toEqual(wire({ rows: await sites(h.wh.sql) }));
    });

    it('/api/live and /api/users/top read the live rollups around now', async () => {
      const live = json<{ events_today: number; top_users_last_hour: { user_id: string }[] }>((await get('/api/live?site=site_a&tz=UTC')).body);
      expect(live).toEqual(wire(await liveSummary(h.wh.sql, { site: 'site_a', tz: 'UTC', now: NOW })));
      expect(live.events_today).toBe(21);
      expect(live.top_users_last_hour.map((u) => u.user_id)).toEqual(['u1', 'u2']);
      const top = json((await get('/api/users/top?site=site_a&window=24h')).body);
      expect(top).toEqual(wire({ rows: await topUsers(h.wh.sql, { site: 'site_a', since: new Date(NOW.getTime() - 86_400_000), limit: 50 }) }));
    });

    it('/api/pipeline reports the consumer groups, the ETL, the DLQ and the archive', async () => {
      const res = await get('/api/pipeline');
      expect(res.statusCode).toBe(200);
      const body = json<{ consumers: { group: string }[]; dlq: { topic: string; messages: number }; archive: { objects: number } }>(res.body);
      expect(body.consumers.map((c) => c.group).sort()).toEqual(['clickstream-archiver', 'clickstream-live']);
      expect(body.dlq).toMatchObject({ topic: `${h.topic}.dlq`, messages: 0 });
      expect(body.archive.objects).toBe(0);
    });
  });

  describe('bad input', () => {
    it.each([
      ['tz', `/api/overview?site=site_a&tz=Mars/Olympus`],
      ['from', `/api/overview?site=site_a&from=2026-02-30&to=2026-03-01`],
      ['to', `/api/overview?site=site_a&from=2026-03-02&to=2026-03-01`],
      ['dimension', `/api/breakdown?${q}&dimension=shoe_size`],
      ['steps', `/api/funnel?${q}&steps=page_view`],
      ['steps', `/api/funnel?${q}`],
      ['limit', `/api/pages?${q}&limit=0`],
      ['metric', `/api/timeseries?${q}&metric=vibes`],
      ['window', `/api/users/top?site=site_a&window=forever`],
      ['device', `/api/overview?${q}&device=${encodeURIComponent('<b>')}`],
    ])('%s: 400 with the uniform error body (%s)', async (_field, url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      const body = json<{ error: { code: string; message: string } }>(res.body);
      expect(body.error.code).toMatch(/^invalid_/);
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(res.body).not.toMatch(/\.ts:\d+|\bselect\b.*\bfrom\b/i);
    });

    it('an unknown export is 404 naming the exports there are', async () => {
      const res = await get(`/api/export/passwords.csv?${q}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('pages.csv');
    });
  });

  describe('CSV exports', () => {
    const extra: Record<string, string> = {
      timeseries: '&metric=events&interval=day',
      breakdown: '&dimension=browser',
      funnel: `&steps=${encodeURIComponent('page_view,click,purchase')}`,
      'users-top': '&window=24h',
    };
    const jsonOf: Record<string, (body: Record<string, unknown>) => unknown[]> = {
      'revenue-daily': (b) => b['rows'] as unknown[],
      'top-products': (b) => b['top_products'] as unknown[],
      'payment-methods': (b) => b['payment_methods'] as unknown[],
    };
    const jsonUrl: Record<string, string> = {
      'sessions-daily': '/api/sessions/daily',
      'users-top': '/api/users/top',
      'revenue-daily': '/api/revenue',
      'top-products': '/api/revenue',
      'payment-methods': '/api/revenue',
    };

    it.each(EXPORT_REPORTS.filter((r) => r !== 'retention'))('%s.csv parses back to the rows of its JSON endpoint', async (report) => {
      const query = `${q}${extra[report] ?? ''}`;
      const res = await get(`/api/export/${report}.csv?${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${report}.csv"`);
      const body = json<Record<string, unknown>>((await get(`${jsonUrl[report] ?? `/api/${report}`}?${query}`)).body);
      const rows = (jsonOf[report] ?? ((b) => b['rows'] as unknown[]))(body) as Record<string, unknown>[];
      const parsed = parse(res.body, { columns: true }) as Record<string, string>[];
      expect(parsed.length).toBe(rows.length);
      expect(parsed.length).toBeGreaterThan(0);
      // text that starts like a formula comes back behind a quote mark (see the formula test below)
      const asText = (row: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : typeof v === 'string' ? inertCsvText(v) : String(v)]));
      expect(parsed).toEqual(rows.map(asText));
    });

    it('quotes commas, quotes and newlines so the tricky button id survives', async () => {
      const parsed = parse((await get(`/api/export/clicks.csv?${q}&limit=1000`)).body, { columns: true }) as Record<string, string>[];
      expect(parsed.some((r) => r['button_id'] === TRICKY_BUTTON && r['path'].includes('script'))).toBe(true);
    });

    it('hands over formula-like text inert: a leading quote mark in the CSV, the text itself in JSON', async () => {
      const parsed = parse((await get(`/api/export/clicks.csv?${q}&limit=1000`)).body, { columns: true }) as Record<string, string>[];
      const formulaRows = parsed.filter((r) => r['button_id'].includes('HYPERLINK'));
      expect(formulaRows.map((r) => r['button_id'])).toEqual([`'${FORMULA_BUTTON}`]);
      // nothing else in the file starts like a formula
      expect(parsed.flatMap((r) => Object.values(r)).filter((v) => /^[=+@\t\r]/.test(v))).toEqual([]);
      const rows = json<{ rows: { button_id: string }[] }>((await get(`/api/clicks?${q}&limit=1000`)).body).rows;
      expect(rows.some((r) => r.button_id === FORMULA_BUTTON)).toBe(true);
    });

    it('retention.csv has one line per cohort and week', async () => {
      const rows = json<{ rows: { cohort: string; retained: number[]; rates: number[] }[] }>((await get(`/api/retention?${q}`)).body).rows;
      const parsed = parse((await get(`/api/export/retention.csv?${q}`)).body, { columns: true }) as Record<string, string>[];
      expect(parsed).toEqual(
        rows.flatMap((r) => r.retained.map((n, week) => expect.objectContaining({ cohort: r.cohort, week: String(week), retained: String(n), rate: String(r.rates[week]) }))),
      );
    });
  });

  describe('the dashboard pages and the rest', () => {
    it('serves the SPA for its routes with a Content-Security-Policy and no inline scripts allowed', async () => {
      for (const url of ['/', '/live', '/pages?site=site_a']) {
        const res = await get(url, {});
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('<div id="root">');
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toMatch(/script-src 'self'(;|$)/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
      // a missing asset is a 404, not the page
      expect((await get('/assets/missing.js', {})).statusCode).toBe(404);
      expect((await get('/api/nothing-here')).statusCode).toBe(404);
    });

    it('documents every endpoint in OpenAPI', async () => {
      const spec = json<{ paths: Record<string, unknown> }>((await get('/api/docs/json')).body);
      for (const path of ['/api/overview', '/api/timeseries', '/api/funnel', '/api/retention', '/api/live', '/api/pipeline', '/api/export/{file}', '/api/login']) {
        expect(Object.keys(spec.paths)).toContain(path);
      }
    });

    it('exposes request metrics for Prometheus', async () => {
      const res = await get('/metrics', {});
      expect(res.body).toMatch(/clickstream_web_request_duration_seconds_count\{[^}]*route="\/api\/overview",status="200"\} [1-9]/);
    });
  });
});
