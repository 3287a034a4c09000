// The bad-input corpus against the analyst server on real parts (PostgreSQL, the dev broker,
// s3rver), listening on a real port: every case gets its 4xx and error code (never a 500, never a
// file's contents), and injection strings stored in the warehouse come back from the API as the
// same JSON strings while the tables stay where they were.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalize, type CanonicalEvent } from '@clickstream/event-schema';
import { HOSTILE_STRINGS, sendRaw, sendRawRequest, type RawReply } from '@clickstream/runtime/testing';
import { parse } from 'csv-parse/sync';
import { RANGE, REQUEST_TIMEOUT_MS, SECRET, SITE, webCorpus, type CorpusCase } from './bad-input/corpus';
import { inertCsvText } from './support/csv';
import { startWebHarness, type WebHarness } from './support/web-harness';

jest.setTimeout(60_000);

const NOW = new Date('2026-04-08T12:30:00Z');

/** One session per injection string, with the string in every free-text field the reports show. */
function hostileEvents(): CanonicalEvent[] {
  return HOSTILE_STRINGS.flatMap(([name, s], i) => {
    const base = { user_id: `u ${s}`, session_id: `s-${i}` };
    const page = { url: `https://shop.example/p${i}`, path: `/${s}`, title: s, referrer: `https://ref.example/${s}` };
    const inputs = [
      { ...base, event_type: 'page_view', event_time: '2026-04-07T10:00:00Z', page },
      { ...base, event_type: 'click', event_time: '2026-04-07T10:00:05Z', page, button_id: s },
      { ...base, event_type: 'purchase', event_time: '2026-04-07T10:00:09Z', page, order: { order_id: `o ${s}`, amount: 10, payment_method: s.slice(0, 64), items: [{ product_id: `p ${s}`, name: s, price: 10 }] } },
    ];
    return inputs.map((input, j) => {
      const r = normalize({ ...input, event_id: `0190a000-0000-7000-8000-${String(i * 10 + j).padStart(12, '0')}` }, { receivedAt: input.event_time, siteId: SITE });
      if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
      // What enrichment would have derived from a hostile user agent and referrer.
      r.event.context = { ...r.event.context, is_bot: false, browser: s, os: s, referrer_domain: s };
      return r.event;
    });
  });
}

const TABLES = ['events', 'sessions', 'page_engagement_daily', 'click_through_daily', 'orders', 'order_items', 'analysts', 'analyst_sessions', 'api_tokens'];

describe('web bad-input corpus (real PostgreSQL, real HTTP)', () => {
  let h: WebHarness;
  let port: number;
  let root: string;
  let cookie: string;
  let corpus: CorpusCase[];
  let storedEvents: number;

  const send = (c: CorpusCase): Promise<RawReply> =>
    'request' in c.send ? sendRawRequest(port, c.send.request) : sendRaw(port, c.send.chunks, { gapMs: c.send.gapMs, timeoutMs: REQUEST_TIMEOUT_MS * 8 });
  const getJson = async <T>(path: string): Promise<T> => {
    const reply = await sendRawRequest(port, { path, headers: [['Cookie', cookie]] });
    expect([path, reply.status]).toEqual([path, 200]);
    return JSON.parse(reply.body) as T;
  };

  beforeAll(async () => {
    // The SPA's directory, with a secret beside it that traversal must not reach.
    root = mkdtempSync(join(tmpdir(), 'web-bad-input-'));
    const clientDir = join(root, 'client');
    mkdirSync(join(clientDir, 'assets'), { recursive: true });
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Clickstream</title><div id="root"></div>');
    writeFileSync(join(clientDir, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(root, 'secret'), SECRET);

    const events = hostileEvents();
    h = await startWebHarness({ events, now: () => NOW, clientDir, requestTimeoutMs: REQUEST_TIMEOUT_MS, loginRateLimit: 10_000 });
    storedEvents = events.length;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as { port: number }).port;
    cookie = await h.login();

    const expired = await h.analysts.createSession('admin', -60_000);
    const revokedToken = await h.analysts.createToken('admin', 'revoked');
    const [listed] = (await h.analysts.listTokens('admin')).filter((t) => t.name === 'revoked');
    await h.analysts.revokeToken('admin', listed.prefix);
    corpus = webCorpus({ cookie, expiredCookie: `cs_session=${expired.id}`, revokedToken });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  // The corpus needs run-time credentials, so the cases are built in beforeAll; jest names tests
  // before that runs, hence a corpus built with placeholders for the names and the count.
  const names = webCorpus({ cookie: 'cs_session=x', expiredCookie: 'cs_session=y', revokedToken: 'cst_z' }).map((c) => c.name);

  it('holds at least 150 cases, each named once', () => {
    expect(names.length).toBeGreaterThanOrEqual(150);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(names.map((name, i) => [name, i] as const))('%s', async (name, i) => {
    const c = corpus[i];
    expect(c.name).toBe(name);
    const reply = await send(c);
    expect(reply.body).not.toContain(SECRET);
    expect(reply.body).not.toMatch(/root:x:0:0|\bat .+\.[jt]s:\d+|node_modules|\bselect\b.+\bfrom\b/i);
    if (c.code === '') {
      expect([reply.status, reply.body]).toEqual([c.status, '']);
      return;
    }
    let body: { error?: { code?: string; message?: string } } = {};
    try {
      body = JSON.parse(reply.body) as typeof body;
    } catch {
      // compared below: a body that is not JSON has no error code
    }
    expect({ status: reply.status, code: body.error?.code }).toEqual({ status: c.status, code: c.code });
    expect(typeof body.error?.message).toBe('string');
  });

  it('is still up, and still answers a good request, after the corpus', async () => {
    expect((await sendRawRequest(port, { path: '/api/health' })).status).toBe(200);
    expect((await sendRawRequest(port, { path: '/' })).body).toContain('<div id="root">');
    expect((await sendRawRequest(port, { path: '/assets/app.js' })).body).toBe('console.log("app")');
    expect(h.logLines.join('\n')).not.toMatch(/"level":(50|60)/);
  });

  describe('injection strings stored in the warehouse come back as the same text', () => {
    const strings = HOSTILE_STRINGS.map(([, s]) => s);

    it('/api/pages and /api/clicks', async () => {
      const pages = await getJson<{ rows: Array<{ path: string; page_views: number }> }>(`/api/pages?${RANGE}&limit=1000`);
      expect(pages.rows.map((r) => r.path).sort()).toEqual(strings.map((s) => `/${s}`).sort());
      const clicks = await getJson<{ rows: Array<{ path: string; button_id: string }> }>(`/api/clicks?${RANGE}&limit=1000`);
      expect(clicks.rows.map((r) => r.button_id).sort()).toEqual([...strings].sort());
      expect(clicks.rows.every((r) => r.path === `/${r.button_id}`)).toBe(true);
    });

    it('/api/breakdown by browser, os and referrer domain', async () => {
      for (const dimension of ['browser', 'os', 'referrer_domain']) {
        const { rows } = await getJson<{ rows: Array<{ value: string }> }>(`/api/breakdown?${RANGE}&dimension=${dimension}&limit=1000`);
        expect([dimension, rows.map((r) => r.value).sort()]).toEqual([dimension, [...strings].sort()]);
      }
    });

    it('/api/revenue: payment methods and product names', async () => {
      const revenue = await getJson<{ top_products: Array<{ product_id: string; name: string }>; payment_methods: Array<{ payment_method: string }> }>(`/api/revenue?${RANGE}&limit=1000`);
      expect(revenue.payment_methods.map((p) => p.payment_method).sort()).toEqual(strings.map((s) => s.slice(0, 64)).sort());
      expect(revenue.top_products.map((p) => [p.product_id, p.name]).sort()).toEqual(strings.map((s) => [`p ${s}`, s]).sort());
    });

    it('/api/export/clicks.csv parses back to the same strings, formula-like ones behind a quote mark', async () => {
      const reply = await sendRawRequest(port, { path: `/api/export/clicks.csv?${RANGE}&limit=1000`, headers: [['Cookie', cookie]] });
      expect(reply.status).toBe(200);
      const rows = parse(reply.body, { columns: true }) as Array<Record<string, string>>;
      expect(strings.some((s) => inertCsvText(s) !== s)).toBe(true);
      expect(rows.map((r) => r['button_id']).sort()).toEqual(strings.map(inertCsvText).sort());
    });

    it('the tables are all still there, holding what was loaded', async () => {
      for (const table of TABLES) {
        const [row] = await h.wh.sql<{ t: string | null }[]>`select to_regclass(${table})::text as t`;
        expect([table, row.t]).toEqual([table, table]);
      }
      const [{ n }] = await h.wh.sql<{ n: number }[]>`select count(*)::int as n from events`;
      expect(n).toBe(storedEvents);
      const [{ analysts }] = await h.wh.sql<{ analysts: number }[]>`select count(*)::int as analysts from analysts`;
      expect(analysts).toBe(1);
    });
  });
});
