// normalize(): any accepted input shape → the canonical event v1. Pure: no I/O, no clock
// (the caller passes receivedAt), no global state besides compiled validators.

import { newEventId } from './event-id';
import { resolveEventType } from './event-types';
import { anonymizeIp, isIpAddress } from './ip-address';
import { isoString } from './iso-time';
import { LIMITS } from './limits';
import type { CanonicalEvent, EventContext, EventOrder, EventPage } from './schemas/canonical-event';
import { ORDER_FIELDS, type EventInput } from './schemas/inputs';
import { toFieldErrors, validators, type FieldError } from './validators';

export interface NormalizeContext {
  /** When the server received the request. */
  receivedAt: Date | string | number;
  /** From the write key; `default` when keys are off. */
  siteId?: string;
  /** The request's client address (raw). It is anonymised here and never kept whole. */
  ip?: string;
  /** The request's User-Agent header. An event's own user agent wins over it. */
  userAgent?: string;
  /** A batch's `sent_at`, applied to items that carry none of their own. */
  sentAt?: string | number;
  /** Id maker for events without a client id; UUIDv7 by default. */
  newEventId?: () => string;
}

export type NormalizeResult = { ok: true; event: CanonicalEvent } | { ok: false; errors: FieldError[] };
export type BatchResult = { ok: true; results: NormalizeResult[] } | { ok: false; errors: FieldError[] };

/** Fields normalize() reads; every other top-level field is kept in `props`. */
const KNOWN_FIELDS = new Set([
  'schema_version', 'event_id', 'event_type', 'type', 'event_name', 'user_id', 'session_id',
  'event_time', 'client_time', 'timestamp', 'sent_at', 'page', 'url', 'page_url', 'path', 'page_path',
  'title', 'page_title', 'referrer', 'button_id', 'scroll_depth', 'order', 'user_agent', 'ip_address',
  'ip', 'context', 'props', 'properties', 'metadata',
  // Decided by the server, never by the client: read and dropped.
  'site_id', 'received_at', 'write_key',
]);
const PROPS_SOURCES = ['metadata', 'properties', 'props'] as const;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const DIGITS = /^\d{1,16}$/;
/** Upper bound of what the server adds or copies: ids, times, the header user agent, UTM values, a title or button id taken from metadata. */
const SERVER_FIELDS_BOUND =
  1024 + (LIMITS.userAgentLength + LIMITS.urlLength + LIMITS.titleLength + LIMITS.buttonIdLength) * 6;

export function normalize(input: unknown, ctx: NormalizeContext): NormalizeResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return fail('', 'must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const structure = checkStructure(raw);
  if (structure.errors.length) return { ok: false, errors: structure.errors };

  const validate = validators().input;
  if (!validate(raw)) return { ok: false, errors: toFieldErrors(validate.errors) };
  const body = raw as EventInput & Record<string, unknown>;
  const errors: FieldError[] = [];

  // Type.
  const typeField = body.event_type !== undefined ? 'event_type' : 'type';
  const typeName = body.event_type ?? body.type;
  let resolved: ReturnType<typeof resolveEventType>;
  if (typeName === undefined) {
    errors.push({ path: '/event_type', message: 'is required' });
  } else {
    resolved = resolveEventType(typeName, body.event_name);
    if (resolved === undefined) {
      errors.push({
        path: `/${typeField}`,
        message:
          typeName === 'custom'
            ? 'custom events need an event_name matching ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$'
            : 'is not an event type, an alias, or a custom event name matching ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$',
      });
    }
  }

  // Times.
  const receivedMs = toMillis(ctx.receivedAt);
  if (receivedMs === undefined) throw new TypeError('normalize: ctx.receivedAt is not a valid time');
  const clientField = body.client_time !== undefined ? 'client_time' : body.event_time !== undefined ? 'event_time' : 'timestamp';
  const clientMs = parseTime(body[clientField] as string | number | undefined, `/${clientField}`, errors);
  const sentMs = parseTime(body.sent_at ?? ctx.sentAt, '/sent_at', errors);

  // Order (purchase events only; seed 000 sends its fields at the top level).
  let order: EventOrder | undefined;
  const props: Record<string, unknown> = {};
  if (resolved?.event_type === 'purchase') {
    order = buildOrder(body, errors);
  } else {
    for (const f of ORDER_FIELDS) if (body[f] !== undefined) props[f] = body[f];
  }

  // The client address: an event's own wins (server-side senders forward their visitors').
  const ownIp = body.ip_address ?? body.ip;
  if (ownIp !== undefined && !isIpAddress(ownIp)) {
    errors.push({ path: body.ip_address !== undefined ? '/ip_address' : '/ip', message: 'must be an IPv4 or IPv6 address' });
  }
  if (errors.length || resolved === undefined) return { ok: false, errors };

  // Props: unknown top-level fields, then metadata, properties and props (later wins).
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key) && !ORDER_FIELDS.includes(key as (typeof ORDER_FIELDS)[number])) props[key] = body[key];
  }
  for (const source of PROPS_SOURCES) {
    const value = body[source];
    if (value !== undefined) Object.assign(props, value);
  }
  if (body.event_name !== undefined && resolved.event_type !== 'custom') props['event_name'] = body.event_name;

  const page = buildPage(body);
  // Seed 004 names a click's target in metadata.element_id.
  const elementId = resolved.event_type === 'click' ? stringProp(body.metadata, 'element_id') : undefined;
  const buttonId = body.button_id ?? elementId?.slice(0, LIMITS.buttonIdLength);

  const event = {} as CanonicalEvent;
  event.schema_version = 1;
  event.event_id = body.event_id !== undefined ? body.event_id.toLowerCase() : (ctx.newEventId ?? newEventId)();
  event.event_type = resolved.event_type;
  if (resolved.event_name !== undefined) event.event_name = resolved.event_name;
  event.site_id = ctx.siteId ?? 'default';
  event.user_id = body.user_id;
  event.session_id = body.session_id;
  const receivedAt = isoString(receivedMs);
  const eventMs = eventTime(receivedMs, clientMs, sentMs);
  event.event_time = eventMs === receivedMs ? receivedAt : isoString(eventMs);
  event.received_at = receivedAt;
  if (clientMs !== undefined) event.client_time = isoString(clientMs);
  if (sentMs !== undefined) event.sent_at = isoString(sentMs);
  if (page !== undefined) event.page = page;
  if (buttonId !== undefined) event.button_id = buttonId;
  if (body.scroll_depth !== undefined) event.scroll_depth = body.scroll_depth;
  if (order !== undefined) event.order = order;
  event.context = buildContext(body, ctx, page);
  for (const _ in props) {
    event.props = props;
    break;
  }

  // The event is the input rearranged plus server fields; measure it exactly only when the
  // input's size bound says it could be over the limit.
  if (structure.sizeBound + SERVER_FIELDS_BOUND > LIMITS.eventBytes) {
    const bytes = Buffer.byteLength(JSON.stringify(event));
    if (bytes > LIMITS.eventBytes) return fail('', `event is ${bytes} bytes; the limit is ${LIMITS.eventBytes}`);
  }
  return { ok: true, event };
}

/**
 * A batch: `{events: [...], sent_at?}` or a bare array. The envelope must be right; each item
 * then succeeds or fails on its own (its errors' paths are relative to the item). A server that
 * knows the body's size passes `bodyBytes` so the 512 KB batch limit is checked here too.
 */
export function normalizeBatch(input: unknown, ctx: NormalizeContext, options: { bodyBytes?: number } = {}): BatchResult {
  if (options.bodyBytes !== undefined && options.bodyBytes > LIMITS.batchBytes) {
    return fail('', `batch is ${options.bodyBytes} bytes; the limit is ${LIMITS.batchBytes}`);
  }
  const envelope = Array.isArray(input) ? { events: input } : input;
  if (envelope === null || typeof envelope !== 'object') return fail('', 'must be a JSON object with an events array');
  const validate = validators().envelope;
  if (!validate(envelope)) return { ok: false, errors: toFieldErrors(validate.errors) };
  const { events, sent_at } = envelope as { events: unknown[]; sent_at?: string | number };
  const itemCtx = sent_at !== undefined ? { ...ctx, sentAt: sent_at } : ctx;
  if (sent_at !== undefined) {
    const errors: FieldError[] = [];
    parseTime(sent_at, '/sent_at', errors);
    if (errors.length) return { ok: false, errors };
  }
  return { ok: true, results: events.map((item) => normalize(item, itemCtx)) };
}

function fail(path: string, message: string): { ok: false; errors: FieldError[] } {
  return { ok: false, errors: [{ path, message }] };
}

/**
 * Rejects what JSON Schema cannot express: forbidden keys anywhere (prototype pollution),
 * strings PostgreSQL cannot store (NUL, lone surrogates), and nesting deeper than props allow.
 * Also returns an upper bound of the input's JSON size, so the exact size of the event need
 * only be measured when it could be near the limit. Paths are built only for errors.
 */
function checkStructure(input: Record<string, unknown>): { errors: FieldError[]; sizeBound: number } {
  const walk: Walk = { errors: [], stack: [], size: 0 };
  for (const key of Object.keys(input)) {
    // Fields that end up inside props may nest propsDepth deep there; an unknown top-level
    // field is itself one level of props.
    const budget = KNOWN_FIELDS.has(key) ? LIMITS.propsDepth : LIMITS.propsDepth - 1;
    walk.stack.push(key);
    checkKey(key, walk);
    checkValue(input[key], budget, walk);
    walk.stack.pop();
    if (walk.errors.length >= 10) break;
  }
  return { errors: walk.errors, sizeBound: walk.size };
}

interface Walk {
  errors: FieldError[];
  /** Keys from the root to the value being checked. */
  stack: Array<string | number>;
  /** Upper bound of the JSON bytes seen so far (every character may escape to 6 bytes). */
  size: number;
}

function pointer(stack: ReadonlyArray<string | number>): string {
  let out = '';
  for (const k of stack) out += '/' + (typeof k === 'number' ? k : escapePointer(k));
  return out;
}

function checkKey(key: string, walk: Walk): void {
  walk.size += key.length * 6 + 4;
  if (FORBIDDEN_KEYS.has(key)) walk.errors.push({ path: pointer(walk.stack), message: 'is a forbidden key' });
  else if (!isStorableString(key)) walk.errors.push({ path: pointer(walk.stack), message: 'is a key with NUL or unpaired surrogate characters' });
}

function checkValue(value: unknown, budget: number, walk: Walk): void {
  if (typeof value === 'string') {
    walk.size += value.length * 6 + 3;
    if (!isStorableString(value)) walk.errors.push({ path: pointer(walk.stack), message: 'must not contain NUL or unpaired surrogate characters' });
    return;
  }
  walk.size += 25;
  if (value === null || typeof value !== 'object') return;
  if (budget <= 0) {
    walk.errors.push({ path: pointer(walk.stack), message: `nests deeper than ${LIMITS.propsDepth} levels` });
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && walk.errors.length < 10; i++) {
      walk.stack.push(i);
      checkValue(value[i], budget - 1, walk);
      walk.stack.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    walk.stack.push(key);
    checkKey(key, walk);
    checkValue((value as Record<string, unknown>)[key], budget - 1, walk);
    walk.stack.pop();
    if (walk.errors.length >= 10) return;
  }
}

function isStorableString(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function toMillis(t: Date | string | number): number | undefined {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** ISO-8601 with a zone, or epoch milliseconds (numbers below 1e11 are seconds). */
function parseTime(value: string | number | undefined, path: string, errors: FieldError[]): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  if (typeof value === 'number') {
    ms = value < 1e11 ? value * 1000 : value;
  } else if (DIGITS.test(value)) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else {
    ms = ISO_DATE_TIME.test(value) ? Date.parse(value) : NaN;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
    errors.push({ path, message: 'must be an ISO-8601 date-time with a zone, or epoch milliseconds' });
    return undefined;
  }
  return Math.trunc(ms);
}

/**
 * The event's time: the client's, corrected for its clock skew when it said when it sent the
 * event, and believed only inside [received − 30 days, received + 10 minutes].
 */
function eventTime(receivedMs: number, clientMs: number | undefined, sentMs: number | undefined): number {
  if (clientMs === undefined) return receivedMs;
  const t = sentMs !== undefined ? receivedMs - (sentMs - clientMs) : clientMs;
  return t >= receivedMs - LIMITS.maxPastMs && t <= receivedMs + LIMITS.maxFutureMs ? t : receivedMs;
}

function buildPage(body: EventInput & Record<string, unknown>): EventPage | undefined {
  const url = body.page?.url ?? body.url ?? body.page_url;
  const givenPath = body.page?.path ?? body.page_path ?? body.path;
  const title = body.page?.title ?? body.title ?? body.page_title ?? stringProp(body.metadata, 'page_title');
  const referrer = body.page?.referrer ?? body.referrer;
  const path = givenPath !== undefined ? stripQuery(givenPath) : url !== undefined ? pathOf(url) : undefined;
  if (url === undefined && path === undefined && title === undefined && referrer === undefined) return undefined;
  const page: EventPage = {};
  if (url !== undefined) page.url = url;
  if (path !== undefined) page.path = path;
  if (title !== undefined) page.title = title.slice(0, LIMITS.titleLength);
  if (referrer !== undefined) page.referrer = referrer;
  return page;
}

function stringProp(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}

function stripQuery(path: string): string {
  const cut = path.search(/[?#]/);
  return cut === -1 ? path : path.slice(0, cut) || '/';
}


function pathOf(url: string): string | undefined {
  if (url.startsWith('/')) return stripQuery(url);
  return urlFacts(url)?.path;
}

/** What normalize reads from an absolute URL: its path, host and UTM parameters. */
interface UrlFacts {
  path: string;
  host: string;
  utm?: Readonly<NonNullable<EventContext['utm']>>;
}

const URL_CACHE_SIZE = 5000;
/** Longer URLs are parsed every time, so the cache stays a few megabytes whatever clients send. */
const URL_CACHE_MAX_LENGTH = 512;
const urlCache = new Map<string, UrlFacts | null>();

/**
 * The facts of a URL, or undefined when it does not parse. Pages and referrers repeat a lot, and
 * parsing a URL was a measurable share of normalize(); the last URL_CACHE_SIZE answers are kept.
 */
function urlFacts(url: string): UrlFacts | undefined {
  if (url.length > URL_CACHE_MAX_LENGTH) return readUrl(url) ?? undefined;
  let facts = urlCache.get(url);
  if (facts === undefined) {
    facts = readUrl(url);
    if (urlCache.size >= URL_CACHE_SIZE) urlCache.delete(urlCache.keys().next().value as string);
    urlCache.set(url, facts);
  }
  return facts ?? undefined;
}

function readUrl(text: string): UrlFacts | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const facts: UrlFacts = { path: url.pathname, host: url.hostname };
  if (text.includes('utm_')) {
    const utm: NonNullable<EventContext['utm']> = {};
    let any = false;
    for (const key of UTM_KEYS) {
      const v = url.searchParams.get(`utm_${key}`);
      if (v !== null && v !== '') {
        utm[key] = v.slice(0, 256);
        any = true;
      }
    }
    if (any) facts.utm = Object.freeze(utm);
  }
  return facts;
}

function buildOrder(body: EventInput & Record<string, unknown>, errors: FieldError[]): EventOrder | undefined {
  let source: Record<string, unknown> | undefined = body.order;
  let prefix = '/order';
  if (source === undefined) {
    const topLevel: Record<string, unknown> = {};
    for (const f of ORDER_FIELDS) if (body[f] !== undefined) topLevel[f] = body[f];
    if (Object.keys(topLevel).length === 0) {
      errors.push({ path: '/order', message: 'is required for purchase events' });
      return undefined;
    }
    const validate = validators().order;
    if (!validate(topLevel)) {
      errors.push(...toFieldErrors(validate.errors));
      return undefined;
    }
    source = topLevel;
    prefix = '';
  }
  const o = source as {
    order_id: string | number;
    amount: number;
    currency?: string;
    payment_method?: string;
    items?: Array<{ product_id: string | number; name?: string; category?: string; price: number; quantity?: number }>;
  };
  if (String(o.order_id).length === 0) errors.push({ path: `${prefix}/order_id`, message: 'must not be empty' });
  const order: EventOrder = { order_id: String(o.order_id), amount: o.amount, currency: (o.currency ?? 'USD').toUpperCase() };
  if (o.payment_method !== undefined) order.payment_method = o.payment_method;
  if (o.items !== undefined) {
    order.items = o.items.map((item) => {
      const out: NonNullable<EventOrder['items']>[number] = { product_id: String(item.product_id), price: item.price, quantity: item.quantity ?? 1 };
      if (item.name !== undefined) out.name = item.name;
      if (item.category !== undefined) out.category = item.category;
      return out;
    });
  }
  return order;
}

function buildContext(body: EventInput, ctx: NormalizeContext, page: EventPage | undefined): EventContext {
  const context: EventContext = { is_bot: false };
  const userAgent = body.user_agent ?? body.context?.user_agent ?? ctx.userAgent?.slice(0, LIMITS.userAgentLength);
  if (userAgent) context.user_agent = userAgent;
  const rawIp = body.ip_address ?? body.ip ?? ctx.ip;
  const ip = rawIp !== undefined ? anonymizeIp(rawIp) : undefined;
  if (ip !== undefined) context.ip = ip;
  const referrer = page?.referrer !== undefined ? urlFacts(page.referrer) : undefined;
  if (referrer?.host) context.referrer_domain = referrer.host.replace(/^www\./, '');
  const utm = page?.url !== undefined && page.url.includes('utm_') ? urlFacts(page.url)?.utm : undefined;
  if (utm !== undefined) context.utm = { ...utm };
  return context;
}

/** The address the event is about: its own (seed 004 `ip_address`) or else the request's. */
export function clientIpOf(input: unknown, requestIp: string | undefined): string | undefined {
  if (input !== null && typeof input === 'object') {
    const own = (input as Record<string, unknown>)['ip_address'] ?? (input as Record<string, unknown>)['ip'];
    if (typeof own === 'string' && isIpAddress(own)) return own.trim();
  }
  return requestIp;
}
