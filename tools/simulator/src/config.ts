// The simulation config: built-in defaults, a YAML or JSON file on top, CLI flags on top of that.
// Every bad value is refused with a ConfigError that names the field.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LIMITS } from '@clickstream/event-schema';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CAMPAIGNS, DEFAULT_PAGES, DEFAULT_PAYMENT_METHODS, DEFAULT_PRODUCTS, DEFAULT_REFERRERS } from './catalog';

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ButtonConfig {
  id: string;
  /** Chance that a page view of this page is followed by a click on the button. */
  probability: number;
}
export interface PageConfig {
  path: string;
  title: string;
  /** Weight of this page as a landing page and as the next page. */
  weight: number;
  buttons: ButtonConfig[];
}
export interface ProductConfig {
  id: string;
  name: string;
  category: string;
  price: number;
}
export interface ReferrerConfig {
  /** null: direct traffic, no referrer. */
  url: string | null;
  weight: number;
}
export interface CampaignConfig {
  source: string;
  medium: string;
  campaign: string;
  term?: string;
  content?: string;
  weight: number;
}

export interface SimulationConfig {
  /** Size of the visitor pool. */
  users: number;
  /** Simulated time to run, ms; null: until stopped (or max_events). */
  durationMs: number | null;
  /** Events per second (the simulated clock runs at this rate; sending is paced to it). */
  rate: number;
  seed: string;
  /** Stop after this many events; null: no limit. */
  maxEvents: number | null;
  batchSize: number;
  /** Share of deliberately invalid events. */
  malformedRate: number;
  /** Host (or URL) of the simulated site, used in page URLs. */
  site: string;
  /** Fixed simulated start (ms since epoch); null: the time the run starts. */
  startMs: number | null;
  /** Mean seconds between two events of one visitor in a session. */
  thinkTimeSeconds: number;
  /** Inactivity that ends a session, ms (30 minutes). */
  sessionTimeoutMs: number;
  probabilities: {
    /** Share of visitors that are bots. */
    bot: number;
    /** Share of (human) sessions that end with a purchase. */
    purchase: number;
    /** Chance that a page view is followed by scrolling. */
    scroll: number;
    /** Chance to leave the site after a page (closing it). */
    exit: number;
    /** Share of sessions that arrive from a UTM-tagged campaign link. */
    campaign: number;
  };
  devices: { desktop: number; mobile: number; tablet: number };
  pages: PageConfig[];
  products: ProductConfig[];
  paymentMethods: Array<{ name: string; weight: number }>;
  referrers: ReferrerConfig[];
  campaigns: CampaignConfig[];
  checkoutPath: string;
}

export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

export function defaultConfig(): SimulationConfig {
  return {
    users: 500,
    durationMs: null,
    rate: 20,
    seed: 'clickstream',
    maxEvents: null,
    batchSize: 100,
    malformedRate: 0,
    site: 'shop.example.com',
    startMs: null,
    thinkTimeSeconds: 15,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    probabilities: { bot: 0.05, purchase: 0.08, scroll: 0.6, exit: 0.3, campaign: 0.25 },
    devices: { desktop: 55, mobile: 38, tablet: 7 },
    pages: DEFAULT_PAGES.map((p) => ({ ...p, buttons: p.buttons.map((b) => ({ ...b })) })),
    products: DEFAULT_PRODUCTS.map((p) => ({ ...p })),
    paymentMethods: DEFAULT_PAYMENT_METHODS.map((p) => ({ ...p })),
    referrers: DEFAULT_REFERRERS.map((r) => ({ ...r })),
    campaigns: DEFAULT_CAMPAIGNS.map((c) => ({ ...c })),
    checkoutPath: '/checkout',
  };
}

// ---------------------------------------------------------------------------------------------
// Durations

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "5m", "1h", "1.5h", "250ms", "2d", or a bare number of seconds → milliseconds. */
export function parseDuration(value: string | number, field = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(field, `must be a positive duration (got ${value})`);
    return Math.round(value * 1000);
  }
  const m = DURATION.exec(String(value).trim());
  if (!m) throw new ConfigError(field, `must be a duration like 30s, 5m, 1h (got ${JSON.stringify(value)})`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()]);
  if (!(ms > 0)) throw new ConfigError(field, `must be a positive duration (got ${JSON.stringify(value)})`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// The config file

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkKeys(value: Obj, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const field = where ? `${where}.${key}` : key;
      throw new ConfigError(field, `is not a known setting (known: ${allowed.join(', ')})`);
    }
  }
}

function num(value: unknown, field: string, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigError(field, `must be a number (got ${JSON.stringify(value)})`);
  if (opts.integer && !Number.isInteger(n)) throw new ConfigError(field, `must be a whole number (got ${n})`);
  if (opts.min !== undefined && (opts.exclusiveMin ? n <= opts.min : n < opts.min)) {
    throw new ConfigError(field, `must be ${opts.exclusiveMin ? 'greater than' : 'at least'} ${opts.min} (got ${n})`);
  }
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(field, `must be at most ${opts.max} (got ${n})`);
  return n;
}
const probability = (value: unknown, field: string) => num(value, field, { min: 0, max: 1 });
const weight = (value: unknown, field: string) => num(value, field, { min: 0 });

function str(value: unknown, field: string, maxLength = 256): string {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(field, `must be a non-empty string (got ${JSON.stringify(value)})`);
  if (value.length > maxLength) throw new ConfigError(field, `must be at most ${maxLength} characters`);
  return value;
}

function list(value: unknown, field: string, minItems = 1): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(field, 'must be a list');
  if (value.length < minItems) throw new ConfigError(field, `must hold at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  return value;
}

function positiveTotal(weights: number[], field: string): void {
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) throw new ConfigError(field, 'weights must add up to more than 0');
}

export function parseStart(value: unknown, field = 'start'): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new ConfigError(field, `must be an ISO-8601 time with a zone, like 2026-03-01T00:00:00Z (got ${JSON.stringify(value)})`);
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new ConfigError(field, `is not a valid time (got ${JSON.stringify(value)})`);
  return ms;
}

const TOP_KEYS = [
  'users', 'duration', 'rate', 'seed', 'max_events', 'batch_size', 'malformed_rate', 'site', 'start',
  'think_time_seconds', 'probabilities', 'devices', 'pages', 'products', 'payment_methods', 'referrers',
  'campaigns', 'checkout_path',
] as const;

/** Applies a parsed config document (snake_case keys, as in the file) over `base`. */
export function applyConfigDocument(doc: unknown, base: SimulationConfig = defaultConfig()): SimulationConfig {
  if (doc === null || doc === undefined) return base;
  if (!isObj(doc)) throw new ConfigError('(config)', 'must be a mapping of settings');
  checkKeys(doc, TOP_KEYS, '');
  const c: SimulationConfig = { ...base, probabilities: { ...base.probabilities }, devices: { ...base.devices } };
  if (doc['users'] !== undefined) c.users = num(doc['users'], 'users', { min: 1, max: 10_000_000, integer: true });
  if (doc['duration'] !== undefined) c.durationMs = doc['duration'] === null ? null : parseDuration(doc['duration'] as string | number, 'duration');
  if (doc['rate'] !== undefined) c.rate = num(doc['rate'], 'rate', { min: 0, exclusiveMin: true, max: 1_000_000 });
  if (doc['seed'] !== undefined) c.seed = str(doc['seed'], 'seed');
  if (doc['max_events'] !== undefined) {
    c.maxEvents = doc['max_events'] === null ? null : num(doc['max_events'], 'max_events', { min: 1, integer: true });
  }
  if (doc['batch_size'] !== undefined) c.batchSize = num(doc['batch_size'], 'batch_size', { min: 1, max: LIMITS.batchEvents, integer: true });
  if (doc['malformed_rate'] !== undefined) c.malformedRate = probability(doc['malformed_rate'], 'malformed_rate');
  if (doc['site'] !== undefined) c.site = parseSite(doc['site'], 'site');
  if (doc['start'] !== undefined) c.startMs = doc['start'] === null ? null : parseStart(doc['start'], 'start');
  if (doc['think_time_seconds'] !== undefined) {
    c.thinkTimeSeconds = num(doc['think_time_seconds'], 'think_time_seconds', { min: 0, exclusiveMin: true, max: 1800 });
  }
  if (doc['checkout_path'] !== undefined) c.checkoutPath = parsePath(doc['checkout_path'], 'checkout_path');

  const probs = doc['probabilities'];
  if (probs !== undefined) {
    if (!isObj(probs)) throw new ConfigError('probabilities', 'must be a mapping');
    checkKeys(probs, Object.keys(c.probabilities), 'probabilities');
    for (const [key, value] of Object.entries(probs)) {
      c.probabilities[key as keyof SimulationConfig['probabilities']] = probability(value, `probabilities.${key}`);
    }
    if (c.probabilities.exit === 0) throw new ConfigError('probabilities.exit', 'must be above 0, or sessions never end');
  }
  const devices = doc['devices'];
  if (devices !== undefined) {
    if (!isObj(devices)) throw new ConfigError('devices', 'must be a mapping of desktop/mobile/tablet weights');
    checkKeys(devices, ['desktop', 'mobile', 'tablet'], 'devices');
    for (const [key, value] of Object.entries(devices)) c.devices[key as keyof SimulationConfig['devices']] = weight(value, `devices.${key}`);
    positiveTotal(Object.values(c.devices), 'devices');
  }
  if (doc['pages'] !== undefined) {
    c.pages = list(doc['pages'], 'pages').map((p, i) => parsePage(p, `pages[${i}]`));
    positiveTotal(c.pages.map((p) => p.weight), 'pages');
  }
  if (doc['products'] !== undefined) c.products = list(doc['products'], 'products').map((p, i) => parseProduct(p, `products[${i}]`));
  if (doc['payment_methods'] !== undefined) {
    const pm = doc['payment_methods'];
    if (!isObj(pm)) throw new ConfigError('payment_methods', 'must be a mapping of method name to weight');
    c.paymentMethods = Object.entries(pm).map(([name, w]) => ({ name: str(name, 'payment_methods', 64), weight: weight(w, `payment_methods.${name}`) }));
    positiveTotal(c.paymentMethods.map((p) => p.weight), 'payment_methods');
  }
  if (doc['referrers'] !== undefined) {
    c.referrers = list(doc['referrers'], 'referrers').map((r, i) => parseReferrer(r, `referrers[${i}]`));
    positiveTotal(c.referrers.map((r) => r.weight), 'referrers');
  }
  if (doc['campaigns'] !== undefined) {
    c.campaigns = list(doc['campaigns'], 'campaigns', 0).map((r, i) => parseCampaign(r, `campaigns[${i}]`));
    if (c.campaigns.length) positiveTotal(c.campaigns.map((r) => r.weight), 'campaigns');
  }
  return c;
}

export function parseSite(value: unknown, field = 'site'): string {
  const s = str(value, field, 253);
  const host = s.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) throw new ConfigError(field, `must be a host name like shop.example.com (got ${JSON.stringify(value)})`);
  return host;
}

function parsePath(value: unknown, field: string): string {
  const s = str(value, field, 512);
  if (!/^\/[^\s?#]*$/.test(s)) throw new ConfigError(field, `must be a path starting with / (got ${JSON.stringify(value)})`);
  return s;
}

function parsePage(value: unknown, field: string): PageConfig {
  if (!isObj(value)) throw new ConfigError(field, 'must be a mapping with path, title, weight, buttons');
  checkKeys(value, ['path', 'title', 'weight', 'buttons'], field);
  const path = parsePath(value['path'], `${field}.path`);
  return {
    path,
    title: value['title'] === undefined ? path : str(value['title'], `${field}.title`, LIMITS.titleLength),
    weight: value['weight'] === undefined ? 1 : weight(value['weight'], `${field}.weight`),
    buttons:
      value['buttons'] === undefined
        ? []
        : list(value['buttons'], `${field}.buttons`, 0).map((b, i) => {
            const where = `${field}.buttons[${i}]`;
            if (!isObj(b)) throw new ConfigError(where, 'must be a mapping with id and probability');
            checkKeys(b, ['id', 'probability'], where);
            return { id: str(b['id'], `${where}.id`, LIMITS.buttonIdLength), probability: probability(b['probability'], `${where}.probability`) };
          }),
  };
}

function parseProduct(value: unknown, field: string): ProductConfig {
  if (!isObj(value)) throw new ConfigError(field, 'must be a mapping with id, name, category, price');
  checkKeys(value, ['id', 'name', 'category', 'price'], field);
  return {
    id: str(value['id'], `${field}.id`, 128),
    name: str(value['name'], `${field}.name`),
    category: str(value['category'], `${field}.category`),
    price: num(value['price'], `${field}.price`, { min: 0 }),
  };
}

function parseReferrer(value: unknown, field: string): ReferrerConfig {
  if (!isObj(value)) throw new ConfigError(field, 'must be a mapping with url (null for direct) and weight');
  checkKeys(value, ['url', 'weight'], field);
  const url = value['url'];
  if (url !== null && (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url))) {
    throw new ConfigError(`${field}.url`, `must be an http(s) URL or null for direct traffic (got ${JSON.stringify(url)})`);
  }
  return { url: url as string | null, weight: value['weight'] === undefined ? 1 : weight(value['weight'], `${field}.weight`) };
}

function parseCampaign(value: unknown, field: string): CampaignConfig {
  if (!isObj(value)) throw new ConfigError(field, 'must be a mapping with source, medium, campaign');
  checkKeys(value, ['source', 'medium', 'campaign', 'term', 'content', 'weight'], field);
  return {
    source: str(value['source'], `${field}.source`, 128),
    medium: str(value['medium'], `${field}.medium`, 128),
    campaign: str(value['campaign'], `${field}.campaign`, 128),
    ...(value['term'] !== undefined ? { term: str(value['term'], `${field}.term`, 128) } : {}),
    ...(value['content'] !== undefined ? { content: str(value['content'], `${field}.content`, 128) } : {}),
    weight: value['weight'] === undefined ? 1 : weight(value['weight'], `${field}.weight`),
  };
}

/** Parses config text: JSON when the name ends in .json (or the text starts with `{`), else YAML. */
export function parseConfigText(text: string, fileName = 'config.yaml'): unknown {
  const json = extname(fileName).toLowerCase() === '.json' || /^\s*\{/.test(text);
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError('(config)', `${fileName} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function loadConfigFile(file: string, base: SimulationConfig = defaultConfig()): SimulationConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return applyConfigDocument(parseConfigText(text, file), base);
  } catch (err) {
    if (err instanceof ConfigError && !err.message.startsWith(file)) {
      throw new ConfigError(`${file}: ${err.field}`, err.message.slice(err.field.length + 2));
    }
    throw err;
  }
}
