// Dashboard query speed: every report endpoint of apps/web asked over real HTTP of the real server
// (buildServer on PostgreSQL, the dev Kafka broker and s3rver, logged in with a session cookie), on
// a warehouse of 10M events (1M with --quick) over 30 days and 3 sites that was loaded and modelled
// the way the ETL does it — beside a direct scan of `events` for the overview's figures, timed the
// same way in the same run.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createRawArchive } from '@clickstream/archive';
import { randomSource } from '@clickstream/runtime/testing';
import { startTestS3 } from '@clickstream/archive/testing';
import type { CanonicalEvent } from '@clickstream/event-schema';
import { CONSUMER_GROUPS, createKafka, ensureTopics } from '@clickstream/kafka';
import { startKafkaBackend } from '@clickstream/kafka/testing';
import { createHealth, createLogger, createMetricsRegistry } from '@clickstream/runtime';
import { applyMinuteCounts, assertTestDatabase, BREAKDOWN_DIMENSIONS, copyEvents, createWarehouse, rebuildModels, type MinuteCount, type Warehouse } from '@clickstream/warehouse';
import { createTestWarehouse, generateSessions, startTestPostgres } from '@clickstream/warehouse/testing';
import { buildServer, createAnalystStore, createLiveFeed, createPipelineStatus } from '@clickstream/web/server';
import type { Sql } from 'postgres';
import { formatRate, median, percentile } from '../measure';
import type { BenchResult } from '../result';

const TARGET_MS = 300;
/** apps/web's default WEB_QUERY_WORK_MEM. */
const WEB_WORK_MEM = '64MB';
const DAY_MS = 86_400_000;

/** The data's days: 30 of them, and "now" late on the last (nothing after it has happened yet). */
const START = '2026-10-01';
const DAYS = 30;
const NOW = new Date('2026-10-30T18:00:00Z');

/** Sites and their share of the events; the reports are asked about the largest. */
const SITES = [
  { id: 'shop', share: 0.5 },
  { id: 'news', share: 0.3 },
  { id: 'docs', share: 0.2 },
] as const;
const MEASURED_SITE = SITES[0].id;

/**
 * Of a day's users, this share come back from a pool twice the day's size; the rest are new that
 * day. So distinct users grow with the range (about 14× a day's over 30 days), as on a real site,
 * rather than the same users every day.
 */
const RETURNING_SHARE = 0.6;

const ADMIN = { username: 'bench-admin', password: `bench-${randomBytes(8).toString('hex')}` };

// ── the data ────────────────────────────────────────────────────────────────────────────────────

export interface WebDatasetOptions {
  /** Events to aim for (those before NOW); the count reached is reported. */
  events: number;
  /** Progress lines go here. */
  progress?: (line: string) => void;
}

export interface WebDataset {
  events: number;
  /** Events of the measured site. */
  siteEvents: number;
  /** Rows written to user_minute_counts. */
  minuteRows: number;
  copySeconds: number;
  modelSeconds: number;
  minuteSeconds: number;
  /** The ANALYZE after each day and the VACUUM ANALYZE at the end. */
  analyzeSeconds: number;
  totalSeconds: number;
}


/** Events per generated user per day, measured on a small sample of the same generator. */
function eventsPerUserDay(): number {
  const users = 2_000;
  return generateSessions({ seed: 7, days: 1, start: START, sites: ['sample'], usersPerSite: users }).length / users;
}

/**
 * One generateSessions() call per site and day knows nothing of the others: the same user names,
 * session ids that may repeat, order ids and event ids counted from 0 again. Give each day's users
 * their place in the site's population (returning from the pool or new), and make session, order
 * and event ids unique across calls.
 */
function placeDay(events: CanonicalEvent[], site: string, siteIndex: number, day: number, users: number): CanonicalEvent[] {
  const returning = Math.floor(users * RETURNING_SHARE);
  const pool = 2 * users;
  // the first `returning` places of a shuffled pool: who comes back today
  // deterministic per site and day
  const random = randomSource(day * 1_000 + siteIndex);
  const places = Int32Array.from({ length: pool }, (_, i) => i);
  for (let i = 0; i < returning; i++) {
    const j = i + Math.floor(random() * (pool - i));
    [places[i], places[j]] = [places[j], places[i]];
  }
  const prefix = `${site}-user-`;
  const chunk = (day * SITES.length + siteIndex).toString(16).padStart(4, '0');
  const placed: CanonicalEvent[] = [];
  for (const e of events) {
    if (Date.parse(e.event_time) >= NOW.getTime()) continue;
    const u = Number(e.user_id.slice(prefix.length));
    const user = u < returning ? `${prefix}${places[u]}` : `${site}-new-${day}-${u}`;
    placed.push({
      ...e,
      user_id: user,
      session_id: `${user}${e.session_id.slice(e.user_id.length)}-d${day}`,
      // xxxxxxxx-0000-7000-…: the second group names the call
      event_id: `${e.event_id.slice(0, 9)}${chunk}${e.event_id.slice(13)}`,
      ...(e.order ? { order: { ...e.order, order_id: `${e.order.order_id}-d${day}` } } : {}),
    });
  }
  return placed;
}

/** What the stream consumer would have counted: humans' events per (minute, user, type). */
async function addMinuteCounts(sql: Sql, events: readonly CanonicalEvent[]): Promise<number> {
  let rows = 0;
  const batch = 50_000;
  for (let first = 0; first < events.length; first += batch) {
    const counts: MinuteCount[] = [];
    for (const e of events.slice(first, first + batch)) {
      if (!e.context.is_bot) counts.push({ site_id: e.site_id, minute: new Date(e.event_time), user_id: e.user_id, event_type: e.event_type, count: 1 });
    }
    rows += await applyMinuteCounts(sql, counts);
  }
  return rows;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** The warehouse schema's own tables (a bare ANALYZE or VACUUM would take on every schema of the database). */
async function schemaTables(sql: Sql): Promise<string> {
  const rows = await sql<{ name: string }[]>`select format('%I', tablename) as name from pg_tables where schemaname = current_schema() order by 1`;
  return rows.map((r) => r.name).join(', ');
}

/**
 * Fills an empty warehouse schema: for each day and site, generated sessions are loaded with
 * copyEvents and modelled with rebuildModels({ touched }) as the ETL does after each load, and the
 * humans' events are added to user_minute_counts as the stream consumer does (for every day: the
 * rollups are kept as long as the events). One site-day is in memory at a time. The schema's
 * tables are analysed after each day and vacuumed at the end, as autovacuum would have done by
 * then — explicitly, because a test server may run without autovacuum, and a rebuild planned on
 * tables that were never analysed slows down as they grow.
 */
export async function loadWebDataset(sql: Sql, options: WebDatasetOptions): Promise<WebDataset> {
  const started = performance.now();
  const progress = options.progress ?? (() => undefined);
  // the last day stops at NOW
  const daysBeforeNow = DAYS - 1 + (NOW.getTime() % DAY_MS) / DAY_MS;
  const usersPerDay = options.events / daysBeforeNow / eventsPerUserDay();
  const totals = { events: 0, siteEvents: 0, minuteRows: 0, copy: 0, model: 0, minute: 0, analyze: 0 };
  const tables = await schemaTables(sql);

  for (let day = 0; day < DAYS; day++) {
    const date = new Date(Date.parse(`${START}T00:00:00Z`) + day * DAY_MS).toISOString().slice(0, 10);
    for (const [siteIndex, site] of SITES.entries()) {
      const users = Math.max(1, Math.round(usersPerDay * site.share));
      const generated = generateSessions({ seed: 1 + day * SITES.length + siteIndex, days: 1, start: date, sites: [site.id], usersPerSite: users });
      const events = placeDay(generated, site.id, siteIndex, day, users);

      let t = performance.now();
      const { inserted, touched } = await copyEvents(sql, events);
      totals.copy += seconds(t);
      t = performance.now();
      await rebuildModels(sql, { touched });
      totals.model += seconds(t);
      t = performance.now();
      totals.minuteRows += await addMinuteCounts(sql, events);
      totals.minute += seconds(t);

      totals.events += inserted;
      if (site.id === MEASURED_SITE) totals.siteEvents += inserted;
    }
    const t = performance.now();
    await sql.unsafe(`analyze ${tables}`);
    totals.analyze += seconds(t);
    const elapsed = seconds(started);
    progress(
      `day ${day + 1}/${DAYS}: ${formatRate(totals.events)} events loaded, ${formatRate(totals.events / elapsed)} events/s overall ` +
        `(copy ${totals.copy.toFixed(0)} s, models ${totals.model.toFixed(0)} s, minute rollups ${totals.minute.toFixed(0)} s), elapsed ${elapsed.toFixed(0)} s`,
    );
  }

  const t = performance.now();
  await sql.unsafe(`vacuum (analyze) ${tables}`);
  const analyzeSeconds = totals.analyze + seconds(t);
  progress(`vacuum (analyze): ${seconds(t).toFixed(0)} s`);
  return {
    events: totals.events,
    siteEvents: totals.siteEvents,
    minuteRows: totals.minuteRows,
    copySeconds: totals.copy,
    modelSeconds: totals.model,
    minuteSeconds: totals.minute,
    analyzeSeconds,
    totalSeconds: seconds(started),
  };
}

/**
 * A warehouse in a named schema of the test database that outlives the run (migrated to this
 * version): --web-schema loads into it once and later runs measure it again without loading.
 */
async function keptWarehouse(url: string, schema: string): Promise<Warehouse> {
  assertTestDatabase(url);
  const warehouse = createWarehouse({ url, schema, max: 10, workMem: WEB_WORK_MEM, jit: false });
  await warehouse.migrate();
  return warehouse;
}

/** What a kept schema already holds, or undefined when it has no events (then it is loaded). */
async function existingDataset(sql: Sql): Promise<WebDataset | undefined> {
  const [row] = await sql<[{ events: number; site_events: number; minute_rows: number }]>`
    select (select count(*) from events)::float8 as events,
           (select count(*) from events where site_id = ${MEASURED_SITE})::float8 as site_events,
           (select count(*) from user_minute_counts)::float8 as minute_rows`;
  if (row.events === 0) return undefined;
  return { events: row.events, siteEvents: row.site_events, minuteRows: row.minute_rows, copySeconds: 0, modelSeconds: 0, minuteSeconds: 0, analyzeSeconds: 0, totalSeconds: 0 };
}

// ── the requests ────────────────────────────────────────────────────────────────────────────────

/** `YYYY-MM-DD` of `instant` in `tz` (as the dashboard's date presets count days). */
function dayIn(instant: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

interface DashboardRange {
  label: string;
  from: string;
  to: string;
  tz: string;
}

/** The dashboard's presets, in UTC and in New York: last 7 days, last 30 days, yesterday. */
function dashboardRanges(): DashboardRange[] {
  return ['UTC', 'America/New_York'].flatMap((tz) => {
    const today = dayIn(NOW, tz);
    return [
      { label: `last 7 days ${tz}`, from: addDays(today, -6), to: today, tz },
      { label: `last 30 days ${tz}`, from: addDays(today, -29), to: today, tz },
      { label: `yesterday ${tz}`, from: addDays(today, -1), to: addDays(today, -1), tz },
    ];
  });
}

interface Probe {
  /** The row's name, e.g. `GET /api/breakdown?dimension=country`. */
  name: string;
  path: string;
  params?: Record<string, string>;
  /** Asked for each dashboard range in turn; false: the endpoint takes no range (site, tz only or nothing). */
  ranged: boolean;
  /** Whether to send tz when not ranged. */
  tz?: boolean;
}

/** Every dashboard endpoint with the parameters the dashboard's pages send. /api/pipeline is left out: it lists S3 and asks Kafka. */
const PROBES: Probe[] = [
  { name: 'GET /api/overview', path: '/api/overview', ranged: true },
  ...(['day', 'hour'] as const).flatMap((interval) =>
    (['sessions', 'users'] as const).map((metric) => ({
      name: `GET /api/timeseries?metric=${metric}&interval=${interval}`,
      path: '/api/timeseries',
      params: { metric, interval },
      ranged: true,
    })),
  ),
  { name: 'GET /api/event-types', path: '/api/event-types', ranged: true },
  { name: 'GET /api/pages', path: '/api/pages', ranged: true },
  { name: 'GET /api/clicks', path: '/api/clicks', ranged: true },
  { name: 'GET /api/sessions/daily', path: '/api/sessions/daily', ranged: true },
  { name: 'GET /api/scroll-depth', path: '/api/scroll-depth', ranged: true },
  { name: 'GET /api/revenue', path: '/api/revenue', ranged: true },
  ...BREAKDOWN_DIMENSIONS.map((dimension) => ({ name: `GET /api/breakdown?dimension=${dimension}`, path: '/api/breakdown', params: { dimension }, ranged: true })),
  { name: 'GET /api/funnel?steps=page_view,click,purchase', path: '/api/funnel', params: { steps: 'page_view,click,purchase' }, ranged: true },
  { name: 'GET /api/retention?weeks=8', path: '/api/retention', params: { weeks: '8' }, ranged: true },
  { name: 'GET /api/users/top?window=1h', path: '/api/users/top', params: { window: '1h', limit: '10' }, ranged: false },
  { name: 'GET /api/live', path: '/api/live', ranged: false, tz: true },
  { name: 'GET /api/sites', path: '/api/sites', ranged: false },
  { name: 'GET /api/analytics', path: '/api/analytics', ranged: true },
  { name: 'GET /api/export/pages.csv', path: '/api/export/pages.csv', ranged: true },
];

interface ProbeTimes {
  probe: Probe;
  /** Milliseconds per measured request. */
  times: number[];
  /** The first failure's status and body, when a request did not answer 200. */
  failure?: string;
}

interface HttpTarget {
  base: string;
  cookie: string;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cs_session='));
  if (!cookie) throw new Error('login set no cs_session cookie');
  return cookie.split(';')[0];
}

function probeUrl(target: HttpTarget, probe: Probe, range: DashboardRange): string {
  const query = new URLSearchParams({ site: MEASURED_SITE, ...(probe.params ?? {}) });
  if (probe.ranged) {
    query.set('from', range.from);
    query.set('to', range.to);
    query.set('tz', range.tz);
  } else if (probe.tz) {
    query.set('tz', range.tz);
  }
  return `${target.base}${probe.path}?${query}`;
}

/** One GET, timed until its whole body has arrived. */
async function timedGet(url: string, cookie: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}

/**
 * How many requests to time: `requests`, in rounds of one per dashboard range (so every range
 * weighs the same), but no new round once `budgetMs` has gone by — a slow endpoint gets fewer.
 */
interface Sampling {
  warmups: number;
  requests: number;
  budgetMs: number;
}

/** `warmups` unrecorded requests, then timed ones, one at a time, cycling through the ranges. */
async function measureProbe(target: HttpTarget, probe: Probe, ranges: readonly DashboardRange[], sampling: Sampling): Promise<ProbeTimes> {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; times.length < sampling.requests; i++) {
    const url = probeUrl(target, probe, ranges[i % ranges.length]);
    const { ms, status, body } = await timedGet(url, target.cookie);
    if (status !== 200) return { probe, times, failure: `HTTP ${status} for ${url.slice(target.base.length)}: ${body.slice(0, 300)}` };
    if (i >= sampling.warmups) times.push(ms);
    if (times.length > 0 && times.length % ranges.length === 0 && performance.now() - started > sampling.budgetMs) break;
  }
  return { probe, times };
}

/** The baseline: the overview's event figures (events, users, page views) by a direct scan of `events`. */
function scanEvents(sql: Sql, from: Date, to: Date) {
  return sql<[{ events: number; users: number; page_views: number }]>`
    select count(*)::float8 as events, count(distinct user_id)::float8 as users,
           (count(*) filter (where event_type = 'page_view'))::float8 as page_views
    from events
    where site_id = ${MEASURED_SITE} and event_time >= ${from} and event_time < ${to} and not is_bot`;
}

async function measureScan(sql: Sql, from: Date, to: Date, sampling: Sampling): Promise<{ times: number[]; figures: { events: number; users: number; page_views: number } }> {
  const times: number[] = [];
  let figures = { events: 0, users: 0, page_views: 0 };
  const started = performance.now();
  for (let i = 0; times.length < sampling.requests; i++) {
    const t = performance.now();
    [figures] = await scanEvents(sql, from, to);
    if (i >= sampling.warmups) times.push(performance.now() - t);
    if (times.length >= 6 && performance.now() - started > sampling.budgetMs) break;
  }
  return { times, figures: { ...figures } };
}

function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

const ms = (value: number) => `${Math.round(value)} ms`;

// ── the benchmark ───────────────────────────────────────────────────────────────────────────────

export async function runWebBench(options: { quick: boolean; webSchema?: string }): Promise<BenchResult[]> {
  const targetEvents = options.quick ? 1_000_000 : 10_000_000;
  const sampling: Sampling = options.quick ? { warmups: 1, requests: 12, budgetMs: 20_000 } : { warmups: 3, requests: 30, budgetMs: 60_000 };
  const progress = (line: string) => process.stderr.write(`  web: ${line}\n`);
  const cleanups: Array<() => Promise<unknown>> = [];

  try {
    const pg = await startTestPostgres();
    cleanups.push(() => pg.stop());
    // the pool apps/web runs with (10 connections, WEB_QUERY_WORK_MEM's default, jit off); a named schema is kept for the next run
    const { sql, release } = options.webSchema
      ? await keptWarehouse(pg.url, options.webSchema).then((w) => ({ sql: w.sql, release: () => w.close() }))
      : await createTestWarehouse(pg.url, { max: 10, workMem: WEB_WORK_MEM, jit: false }).then((w) => ({ sql: w.sql, release: () => w.drop() }));
    cleanups.push(release);

    const reused = options.webSchema ? await existingDataset(sql) : undefined;
    let data: WebDataset;
    if (reused) {
      progress(`measuring the ${formatRate(reused.events)} events already in schema ${options.webSchema} (no load)`);
      data = reused;
    } else {
      progress(`loading about ${formatRate(targetEvents)} events over ${DAYS} days, sites ${SITES.map((s) => `${s.id} ${s.share * 100}%`).join(', ')} into ${pg.name}`);
      data = await loadWebDataset(sql, { events: targetEvents, progress });
    }

    // The server as apps/web's main.ts builds it, on real parts.
    const logger = createLogger({ service: 'web', level: 'warn', pretty: false, destination: process.stderr });
    const backend = await startKafkaBackend();
    cleanups.push(() => backend.stop());
    const kafka = createKafka({ brokers: backend.brokers, clientId: 'bench-web', logger });
    const topic = `bench.web.${randomBytes(5).toString('hex')}`;
    await ensureTopics(kafka, { topic, partitions: 2 });
    const s3 = await startTestS3();
    cleanups.push(() => s3.destroy());
    const archive = createRawArchive(s3.config, { logger });
    await archive.ensureBucket();
    cleanups.push(async () => archive.close());
    const analysts = createAnalystStore(sql);
    await analysts.upsertAnalyst(ADMIN.username, ADMIN.password, 'admin');
    const liveFeed = createLiveFeed({ kafka, topic, groupId: CONSUMER_GROUPS.web(`bench-${randomBytes(4).toString('hex')}`), logger });
    await liveFeed.start();
    cleanups.push(() => liveFeed.stop());
    const pipeline = createPipelineStatus({ kafka, sql, archive, topic, logger });
    cleanups.push(() => pipeline.close());
    const app = await buildServer({
      logger,
      registry: createMetricsRegistry({ service: 'web' }),
      health: createHealth({ service: 'web', version: '0.0.0-bench' }),
      sql,
      analysts,
      liveFeed,
      pipeline,
      version: '0.0.0-bench',
      sessionTtlMs: 3_600_000,
      loginRateLimit: 1000,
      now: () => NOW,
    });
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const target = { base, cookie: await login(base) };

    // The baseline: the last 30 days (UTC) of the measured site, as the overview's request for it.
    const ranges = dashboardRanges();
    const last30 = ranges.find((r) => r.label === 'last 30 days UTC') as DashboardRange;
    const scanFrom = new Date(`${last30.from}T00:00:00Z`);
    const scanTo = new Date(Date.parse(`${last30.to}T00:00:00Z`) + DAY_MS);
    progress(`timing the baseline scan of events (${sampling.warmups} warm-ups, up to ${sampling.requests} runs)`);
    const scan = await measureScan(sql, scanFrom, scanTo, sampling);
    const scanP95 = percentile(scan.times, 95);
    // The overview must give the scan's figures for the same range, or the comparison means nothing.
    const overviewReply = await timedGet(probeUrl(target, PROBES[0], last30), target.cookie);
    const overviewFigures = overviewReply.status === 200 ? (JSON.parse(overviewReply.body) as { events: number; users: number; page_views: number }) : undefined;
    const sameFigures =
      overviewFigures !== undefined &&
      overviewFigures.events === scan.figures.events &&
      overviewFigures.users === scan.figures.users &&
      overviewFigures.page_views === scan.figures.page_views;

    const measured: ProbeTimes[] = [];
    for (const probe of PROBES) {
      const result = await measureProbe(target, probe, ranges, sampling);
      measured.push(result);
      progress(
        result.failure
          ? `${probe.name}: FAILED ${result.failure}`
          : `${probe.name}: p50 ${ms(median(result.times))}, p95 ${ms(percentile(result.times, 95))}, max ${ms(Math.max(...result.times))}, ${result.times.length} requests`,
      );
    }
    const peakRss = peakRssBytes();

    const baseline = { name: `direct scan of events for the overview's figures, last 30 days (p95)`, value: scanP95 };
    const rows: BenchResult[] = measured.map(({ probe, times, failure }) => {
      if (failure) {
        return { name: `web ${probe.name}`, figure: `failed: ${failure}`, value: Number.NaN, unit: 'ms', target: { text: `p95 < ${TARGET_MS} ms`, met: false } };
      }
      const p95 = percentile(times, 95);
      return {
        name: `web ${probe.name}`,
        figure: `p95 ${ms(p95)} (p50 ${ms(median(times))}, max ${ms(Math.max(...times))}${times.length < sampling.requests ? `; ${times.length} requests` : ''})`,
        value: p95,
        unit: 'ms',
        ...(probe.ranged ? { baseline } : {}),
        target: { text: `p95 < ${TARGET_MS} ms`, met: p95 < TARGET_MS },
      };
    });
    const ok = measured.filter((m) => !m.failure);
    const failed = measured.filter((m) => m.failure);
    const worst = ok.reduce<ProbeTimes | undefined>((w, m) => (!w || percentile(m.times, 95) > percentile(w.times, 95) ? m : w), undefined);
    const worstP95 = worst ? percentile(worst.times, 95) : Number.NaN;
    const passing = rows.filter((r) => r.target?.met).length;

    return [
      {
        name: `web dashboard endpoints: the slowest p95 of ${PROBES.length} (${formatRate(data.events)} events over ${DAYS} days, ${SITES.length} sites)`,
        figure: worst ? `${ms(worstP95)} (${worst.probe.name})` : 'no endpoint answered',
        value: worstP95,
        unit: 'ms',
        baseline,
        target: { text: `p95 < ${TARGET_MS} ms for every endpoint`, met: failed.length === 0 && passing === rows.length },
        note:
          `${passing} of ${rows.length} endpoints meet p95 < ${TARGET_MS} ms${failed.length ? `; ${failed.length} failed (${failed.map((f) => f.probe.name).join(', ')})` : ''}. ` +
          `${sampling.requests} requests per endpoint after ${sampling.warmups} warm-up${sampling.warmups === 1 ? '' : 's'}, one at a time over HTTP with a login cookie (so each includes the session check), ` +
          `cycling ${ranges.map((r) => r.label).join(', ')} (fewer, in whole rounds, where ${sampling.budgetMs / 1000} s ran out: the figure says how many, and p95 of fewer than 20 is the maximum); ` +
          `site ${MEASURED_SITE} (${formatRate(data.siteEvents)} of the events); now = ${NOW.toISOString()}. ` +
          `The ratio is endpoint ÷ scan: below 1× the endpoint is faster than scanning events. ` +
          `The scan (${scan.times.length} runs) gives the overview's figures for the same range ${sameFigures ? 'exactly' : '— NOT: they DIFFER'} (${scan.figures.events} events, ${scan.figures.users} users, ${scan.figures.page_views} page views). ` +
          `/api/pipeline is left out (it lists S3 and asks Kafka, not the warehouse). PostgreSQL: ${pg.name}` +
          `${reused ? `; the warehouse of schema ${options.webSchema}, loaded by an earlier run with --web-schema and migrated to this version` : ''}; peak RSS of the bench process ${Math.round(peakRss / 2 ** 20)} MB`,
      },
      ...(reused ? [] : [{
        name: `web warehouse build: ${formatRate(data.events)} events over ${DAYS} days, ${SITES.length} sites (copyEvents + rebuildModels per site-day, minute rollups, ANALYZE)`,
        figure: `${(data.totalSeconds / 60).toFixed(1)} min`,
        value: data.totalSeconds,
        unit: 's',
        note:
          `copyEvents ${data.copySeconds.toFixed(0)} s (${formatRate(data.events / data.copySeconds)} events/s), rebuildModels ${data.modelSeconds.toFixed(0)} s, ` +
          `user_minute_counts ${data.minuteSeconds.toFixed(0)} s (${data.minuteRows} rows), ANALYZE after each day and VACUUM ANALYZE ${data.analyzeSeconds.toFixed(0)} s; the rest is generating the events. Information only: the ETL benchmark has the load targets.`,
      }]),
      ...rows,
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
