// The bad-input corpus of the collector: hostile or broken requests, each with the status and error
// code it must get. Sent over real TCP by bad-input.spec.ts to a real ingest process (write keys on,
// so `KEY` is the one good key).

import { rawRequestBytes, type RawRequest } from '@clickstream/runtime/testing';

export const SITE = 'shop';
export const KEY = 'k-shop-7f3a';
/** INGEST_REQUEST_TIMEOUT_MS of the process under test: slow requests are cut off after it. */
export const REQUEST_TIMEOUT_MS = 1_500;

export interface CorpusCase {
  name: string;
  /** One request, or the bytes of one written in pieces `gapMs` apart (slow and broken clients). */
  send: { request: RawRequest } | { chunks: Array<string | Buffer>; gapMs: number };
  status: number;
  /** The error code of the uniform error body; '' for Node's own empty-bodied reply. */
  code: string;
}

const json: Array<[string, string]> = [['Content-Type', 'application/json']];
const keyed: Array<[string, string]> = [...json, ['X-Write-Key', KEY]];
const valid = { event_type: 'click', user_id: 'u-1', session_id: 's-1', page_path: '/home' };

function post(path: string, body: string | Buffer, headers: Array<[string, string]> = keyed): CorpusCase['send'] {
  return { request: { method: 'POST', path, headers, body } };
}

/**
 * A body over the limit, sent after its headers: the server answers 413 from the Content-Length
 * and closes, and a client still writing would have the reply reset away.
 */
function postOversize(path: string, body: string): CorpusCase['send'] {
  const bytes = rawRequestBytes({ method: 'POST', path, headers: keyed, body });
  const headEnd = bytes.indexOf('\r\n\r\n') + 4;
  return { chunks: [bytes.subarray(0, headEnd), bytes.subarray(headEnd)], gapMs: 300 };
}

const cases: CorpusCase[] = [];
const add = (name: string, send: CorpusCase['send'], status: number, code: string) => cases.push({ name, send, status, code });

// --- Malformed and truncated JSON -------------------------------------------------------------
const MALFORMED: Array<[string, string]> = [
  ['an unclosed object', '{'],
  ['a trailing comma', '{"event_type":"click","user_id":"u","session_id":"s",}'],
  ['single quotes', "{'event_type':'click','user_id':'u','session_id':'s'}"],
  ['a missing comma', '{"event_type":"click" "user_id":"u"}'],
  ['an extra closing brace', '{"event_type":"click","user_id":"u","session_id":"s"}}'],
  ['two documents', '{"a":1} {"b":2}'],
  ['NaN', '{"scroll_depth":NaN}'],
  ['undefined', 'undefined'],
  ['a raw control character in a string', '{"user_id":"u\u0001x"}'],
  ['an invalid escape', '{"user_id":"\\x41"}'],
  ['a leading zero', '{"scroll_depth":050}'],
  ['a bare word', '{"bots":tru}'],
  ['an unterminated string', '{"user_id":"u'],
  ['JavaScript comments', '{/* hi */"event_type":"click"}'],
];
for (const [what, body] of MALFORMED) {
  add(`malformed JSON, ${what}: POST /api/events`, post('/api/events', body), 400, 'invalid_json');
  add(`malformed JSON, ${what}: POST /api/events/batch`, post('/api/events/batch', body), 400, 'invalid_json');
}
add('malformed JSON on /event (seed 004)', post('/event', '{"type":"page_view",'), 400, 'invalid_json');
add('malformed JSON on /api/collect (sendBeacon text/plain)', post('/api/collect', '[{"event_type":', [['Content-Type', 'text/plain'], ['X-Write-Key', KEY]]), 400, 'invalid_json');

const FULL_BATCH = JSON.stringify({ events: Array.from({ length: 5 }, (_, i) => ({ ...valid, session_id: `s-${i}`, props: { i, tags: ['a', 'b'] } })) });
for (const fraction of [0.05, 0.25, 0.5, 0.75, 0.9, 0.99]) {
  const cut = FULL_BATCH.slice(0, Math.floor(FULL_BATCH.length * fraction));
  add(`truncated JSON (${fraction * 100}% of a batch): POST /api/events/batch`, post('/api/events/batch', cut), 400, 'invalid_json');
}
const ONE = JSON.stringify(valid);
for (const fraction of [0.3, 0.6, 0.95]) {
  add(`truncated JSON (${fraction * 100}% of an event): POST /api/events`, post('/api/events', ONE.slice(0, Math.floor(ONE.length * fraction))), 400, 'invalid_json');
}

// --- Invalid UTF-8 --------------------------------------------------------------------------------
const BAD_UTF8: Array<[string, number[]]> = [
  ['a 0xff byte', [0xff]],
  ['an overlong slash (c0 af)', [0xc0, 0xaf]],
  ['an encoded surrogate (ed a0 80)', [0xed, 0xa0, 0x80]],
  ['a truncated 3-byte sequence', [0xe2, 0x82]],
  ['a stray continuation byte', [0x80]],
  ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
];
for (const [what, bytes] of BAD_UTF8) {
  const body = Buffer.concat([Buffer.from('{"event_type":"click","user_id":"u'), Buffer.from(bytes), Buffer.from('","session_id":"s"}')]);
  add(`invalid UTF-8, ${what}: POST /api/events`, post('/api/events', body), 400, 'invalid_utf8');
  add(`invalid UTF-8, ${what}: POST /api/events/batch`, post('/api/events/batch', Buffer.concat([Buffer.from('{"events":['), body, Buffer.from(']}')])), 400, 'invalid_utf8');
}
add('invalid UTF-8 in a sendBeacon body', post('/api/collect', Buffer.from([0x7b, 0x22, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), [['Content-Type', 'text/plain;charset=UTF-8'], ['X-Write-Key', KEY]]), 400, 'invalid_utf8');
add('an empty body', post('/api/events', ''), 400, 'empty_body');

// --- Wrong types and values (valid JSON, not a valid event) ----------------------------------------
const WRONG: Array<[string, unknown]> = [
  ['user_id a number', { ...valid, user_id: 42 }],
  ['user_id an array', { ...valid, user_id: ['u'] }],
  ['user_id an object', { ...valid, user_id: { $ne: null } }],
  ['user_id null', { ...valid, user_id: null }],
  ['user_id true', { ...valid, user_id: true }],
  ['user_id empty', { ...valid, user_id: '' }],
  ['user_id of 129 characters', { ...valid, user_id: 'u'.repeat(129) }],
  ['user_id with NUL', { ...valid, user_id: 'u\u0000' }],
  ['user_id with a lone surrogate', { ...valid, user_id: 'u\ud800' }],
  ['session_id missing', { event_type: 'click', user_id: 'u' }],
  ['event_type missing', { user_id: 'u', session_id: 's' }],
  ['event_type a number', { ...valid, event_type: 7 }],
  ['event_type an SQL injection', { ...valid, event_type: "click'; drop table events; --" }],
  ['event_type a script tag', { ...valid, event_type: '<script>alert(1)</script>' }],
  ['custom without event_name', { ...valid, event_type: 'custom' }],
  ['event_name an injection', { ...valid, event_type: 'custom', event_name: "x' or 1=1" }],
  ['scroll_depth a string', { ...valid, event_type: 'scroll', scroll_depth: '50' }],
  ['scroll_depth 101', { ...valid, event_type: 'scroll', scroll_depth: 101 }],
  ['scroll_depth negative', { ...valid, event_type: 'scroll', scroll_depth: -1 }],
  ['scroll_depth 1e309 (Infinity)', '{"event_type":"scroll","user_id":"u","session_id":"s","scroll_depth":1e309}'],
  ['page a string', { ...valid, page: '/home' }],
  ['page.url a number', { ...valid, page: { url: 1 } }],
  ['page with an unknown key', { ...valid, page: { path: '/', onload: 'alert(1)' } }],
  ['page_path over 1024 characters', { ...valid, page_path: `/${'a'.repeat(1100)}` }],
  ['props an array', { ...valid, props: [1, 2] }],
  ['props a string', { ...valid, props: "'; drop table events; --" }],
  ['event_time not a date', { ...valid, event_time: 'yesterday' }],
  ['event_time an object', { ...valid, event_time: { $date: 0 } }],
  ['event_time an SQL injection', { ...valid, event_time: "2026-01-01'; drop table events; --" }],
  ['event_id not a UUID', { ...valid, event_id: "1' OR '1'='1" }],
  ['purchase amount negative', { ...valid, event_type: 'purchase', order_id: 'o', amount: -5 }],
  ['purchase amount a string', { ...valid, event_type: 'purchase', order_id: 'o', amount: '10; drop table orders' }],
  ['purchase currency an injection', { ...valid, event_type: 'purchase', order_id: 'o', amount: 5, currency: "US'--" }],
  ['purchase without order_id', { ...valid, event_type: 'purchase', amount: 5 }],
  ['ip_address an injection', { ...valid, ip_address: "1.2.3.4'; drop table events; --" }],
  ['schema_version 2', { ...valid, schema_version: 2 }],
  ['a JSON array body', [valid]],
  ['a JSON string body', '"click"'],
  ['a JSON number body', '42'],
  ['a JSON null body', 'null'],
  ['a JSON true body', 'true'],
];
for (const [what, body] of WRONG) {
  add(`wrong type or value, ${what}: POST /api/events`, post('/api/events', typeof body === 'string' ? body : JSON.stringify(body)), 400, 'invalid_event');
}
add('seed 004 with url an object: POST /event', post('/event', JSON.stringify({ type: 'page_view', user_id: 'u', session_id: 's', url: { href: 'x' } })), 400, 'invalid_event');
add('seed 004 with type an injection: POST /event', post('/event', JSON.stringify({ type: "page_view' or '1'='1", user_id: 'u', session_id: 's' })), 400, 'invalid_event');

// --- Forbidden keys (prototype pollution) -------------------------------------------------------
add('a top-level __proto__ key', post('/api/events', '{"event_type":"click","user_id":"u","session_id":"s","__proto__":{"admin":true}}'), 400, 'forbidden_key');
add('__proto__ inside props', post('/api/events', '{"event_type":"click","user_id":"u","session_id":"s","props":{"a":{"__proto__":{"x":1}}}}'), 400, 'forbidden_key');
add('constructor.prototype inside props', post('/api/events', '{"event_type":"click","user_id":"u","session_id":"s","props":{"constructor":{"prototype":{"x":1}}}}'), 400, 'forbidden_key');
add('__proto__ in a batch item', post('/api/events/batch', '{"events":[{"event_type":"click","user_id":"u","session_id":"s","__proto__":{}}]}'), 400, 'forbidden_key');
add('a constructor key in props (after JSON parsing)', post('/api/events', JSON.stringify({ ...valid, props: { constructor: 'x' } })), 400, 'invalid_event');

// --- Batch shapes -----------------------------------------------------------------------------------
const BATCHES: Array<[string, unknown]> = [
  ['an empty object', {}],
  ['events a string', { events: "'; drop table events; --" }],
  ['events an object', { events: { 0: valid } }],
  ['no events', { events: [] }],
  ['only numbers (kept in the DLQ)', { events: [1, 2, 3] }],
  ['only nulls (kept in the DLQ)', { events: [null] }],
  ['only invalid events (kept in the DLQ)', { events: [{ event_type: 'click' }, { ...valid, user_id: 7 }] }],
  ['sent_at an injection', { events: [valid], sent_at: "now'; --" }],
];
for (const [what, body] of BATCHES) add(`batch, ${what}`, post('/api/events/batch', JSON.stringify(body)), 400, 'invalid_batch');
add('batch of 501 events', post('/api/events/batch', JSON.stringify({ events: Array.from({ length: 501 }, () => valid) })), 413, 'batch_too_large');
add('batch of 501 events on /api/collect', post('/api/collect', JSON.stringify(Array.from({ length: 501 }, () => valid)), [['Content-Type', 'text/plain'], ['X-Write-Key', KEY]]), 413, 'batch_too_large');

// --- Huge and deep payloads -----------------------------------------------------------------------
add('a single event over 64 KB', postOversize('/api/events', JSON.stringify({ ...valid, props: { pad: 'x'.repeat(70_000) } })), 413, 'payload_too_large');
add('a batch over 512 KB', postOversize('/api/events/batch', JSON.stringify({ events: [{ ...valid, props: { pad: 'x'.repeat(600_000) } }] })), 413, 'payload_too_large');
add('a 4 MB body of one string', postOversize('/api/events/batch', `"${'a'.repeat(4 * 1024 * 1024)}"`), 413, 'payload_too_large');
add('an event over 32 KB (under the 64 KB body limit)', post('/api/events', JSON.stringify({ ...valid, props: { pad: 'x'.repeat(40_000) } })), 400, 'invalid_event');
add('props with 5,000 keys', post('/api/events', JSON.stringify({ ...valid, props: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) })), 400, 'invalid_event');
add('props nested 10,000 deep', post('/api/events', `{"event_type":"click","user_id":"u","session_id":"s","props":${'{"n":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), 400, 'invalid_event');
add('arrays nested 100,000 deep', post('/api/events/batch', `${'['.repeat(100_000)}${']'.repeat(100_000)}`), 400, 'invalid_batch');
add('a page nested 1,000 deep', post('/api/events', `{"event_type":"click","user_id":"u","session_id":"s","page":${'{"path":'.repeat(1000)}"/"${'}'.repeat(1000)}}`), 400, 'invalid_event');
add('an array of 400 purchase items (limit 200)', post('/api/events', JSON.stringify({ ...valid, event_type: 'purchase', order_id: 'o', amount: 1, items: Array.from({ length: 400 }, (_, i) => ({ product_id: `p${i}`, price: 1 })) })), 400, 'invalid_event');

// --- Content types and encodings ------------------------------------------------------------------
const noType: Array<[string, string]> = [['X-Write-Key', KEY]];
add('no Content-Type', post('/api/events', ONE, noType), 415, 'unsupported_media_type');
add('Content-Type application/xml', post('/api/events', '<event/>', [['Content-Type', 'application/xml'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type text/plain on /api/events', post('/api/events', ONE, [['Content-Type', 'text/plain'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type text/plain on /api/events/batch', post('/api/events/batch', JSON.stringify({ events: [valid] }), [['Content-Type', 'text/plain'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type multipart/form-data', post('/api/events', '--b\r\n\r\nx\r\n--b--', [['Content-Type', 'multipart/form-data; boundary=b'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type application/x-www-form-urlencoded', post('/api/events', 'event_type=click&user_id=u', [['Content-Type', 'application/x-www-form-urlencoded'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type application/jsonp', post('/api/events', ONE, [['Content-Type', 'application/jsonp'], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Type an injection', post('/api/events', ONE, [['Content-Type', "'; drop table events; --"], ['X-Write-Key', KEY]]), 415, 'unsupported_media_type');
add('Content-Encoding gzip (not accepted)', post('/api/events', ONE, [...keyed, ['Content-Encoding', 'gzip']]), 415, 'unsupported_media_type');
add('Content-Encoding br on a batch', post('/api/events/batch', JSON.stringify({ events: [valid] }), [...keyed, ['Content-Encoding', 'br']]), 415, 'unsupported_media_type');

// --- Write keys ------------------------------------------------------------------------------------
add('no write key', post('/api/events', ONE, json), 401, 'invalid_write_key');
add('an unknown write key', post('/api/events', ONE, [...json, ['X-Write-Key', 'k-nope']]), 401, 'invalid_write_key');
add('an empty write key header', post('/api/events', ONE, [...json, ['X-Write-Key', '']]), 401, 'invalid_write_key');
add('a write key that is an SQL injection', post('/api/events', ONE, [...json, ['X-Write-Key', "' OR '1'='1"]]), 401, 'invalid_write_key');
add('a write key of 8 KB', post('/api/events', ONE, [...json, ['X-Write-Key', 'k'.repeat(8192)]]), 401, 'invalid_write_key');
add('the write key with a prefix', post('/api/events', ONE, [...json, ['X-Write-Key', `x${KEY}`]]), 401, 'invalid_write_key');
add('two write_key query parameters', post(`/api/events/batch?write_key=${KEY}&write_key=${KEY}`, JSON.stringify({ events: [valid] }), json), 401, 'invalid_write_key');
add('write_key in the body as a number', post('/api/events', JSON.stringify({ ...valid, write_key: 12345 }), json), 401, 'invalid_write_key');
add('write_key in the body as an object', post('/api/events', JSON.stringify({ ...valid, write_key: { $ne: '' } }), json), 401, 'invalid_write_key');
add('write_key query parameter an injection', post(`/api/events?write_key=${encodeURIComponent("k' OR 1=1 --")}`, ONE, json), 401, 'invalid_write_key');

// --- Routes, methods and paths ----------------------------------------------------------------------
const NOT_FOUND: Array<[string, string]> = [
  ['GET', '/api/events'],
  ['PUT', '/api/events'],
  ['DELETE', '/api/events/batch'],
  ['PATCH', '/event'],
  ['GET', '/../../etc/passwd'],
  ['GET', '/tracker.js/../../../etc/passwd'],
  ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
  ['GET', '/%252e%252e%252fetc%252fpasswd'],
  ['GET', '/..%5c..%5cetc%5cpasswd'],
  ['GET', '/tracker.js%00.html'],
  ['POST', "/api/events'%3B%20drop%20table%20events%3B%20--"],
  ['GET', '/api/events/batch/..%2f..%2f..%2fetc%2fpasswd'],
];
for (const [method, path] of NOT_FOUND) add(`${method} ${path}`, { request: { method, path, headers: keyed, body: method === 'GET' ? undefined : ONE } }, 404, 'not_found');
add('GET /%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd (overlong UTF-8)', { request: { path: '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd' } }, 400, 'invalid_url');
add('GET /tracker.js%E0%A4%A (cut-off percent-encoding)', { request: { path: '/tracker.js%E0%A4%A' } }, 400, 'invalid_url');
// The OpenAPI page's static files (@fastify/static): dot segments and NUL bytes are refused, an
// encoded slash names no file.
add('GET /docs/static/../../../../../etc/passwd', { request: { path: '/docs/static/../../../../../etc/passwd' } }, 403, 'forbidden');
add('GET /docs/static/..%2f..%2f..%2f..%2fpackage.json', { request: { path: '/docs/static/..%2f..%2f..%2f..%2fpackage.json' } }, 404, 'not_found');
add('GET /docs/static/%2e%2e/%2e%2e/%2e%2e/package.json', { request: { path: '/docs/static/%2e%2e/%2e%2e/%2e%2e/package.json' } }, 403, 'forbidden');
add('GET /docs/static/index.html%00.png', { request: { path: '/docs/static/index.html%00.png' } }, 403, 'forbidden');

// --- Header abuse (refused by Node's HTTP parser or by the server) ---------------------------------
const raw = (name: string, head: string, status: number, code: string) => add(name, { chunks: [head], gapMs: 0 }, status, code);
const bodyOf = ONE;
raw('Content-Length not a number', `POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${bodyOf}`, 400, 'bad_request');
raw('Content-Length negative', `POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n${bodyOf}`, 400, 'bad_request');
raw('two different Content-Lengths', `POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: ${bodyOf.length}\r\n\r\n${bodyOf}`, 400, 'bad_request');
raw('Content-Length and Transfer-Encoding (request smuggling)', `POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\n\r\n`, 400, 'bad_request');
raw('a chunk size that is not hex', `POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${bodyOf}\r\n0\r\n\r\n`, 400, 'bad_request');
raw('a header line without a colon', `POST /api/events HTTP/1.1\r\nHost: x\r\nthis is not a header\r\nContent-Length: 2\r\n\r\n{}`, 400, 'bad_request');
raw('a space in a header name', `GET /health HTTP/1.1\r\nHost: x\r\nX Write-Key: ${KEY}\r\n\r\n`, 400, 'bad_request');
raw('a NUL byte in a header value', `GET /health HTTP/1.1\r\nHost: x\r\nX-Write-Key: a\u0000b\r\n\r\n`, 400, 'bad_request');
raw('obsolete header folding', `GET /health HTTP/1.1\r\nHost: x\r\nX-Write-Key: a\r\n b\r\n\r\n`, 400, 'bad_request');
raw('a garbage request line', `HELLO THERE\r\n\r\n`, 400, 'bad_request');
raw('an unknown HTTP version', `GET /health HTTP/9.9\r\nHost: x\r\n\r\n`, 400, 'bad_request');
raw('a bare LF line ending in the request line', `GET /health HTTP/1.1\nHost: x\n\n`, 400, 'bad_request');
// Node answers this one itself, before any handler, with an empty body.
raw('no Host header', `GET /health HTTP/1.1\r\nConnection: close\r\n\r\n`, 400, '');
raw('a 20 KB header', `GET /health HTTP/1.1\r\nHost: x\r\nX-Junk: ${'j'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large');
raw('a 20 KB URL', `GET /health?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'headers_too_large');
raw('a 24 KB cookie', `POST /api/events HTTP/1.1\r\nHost: x\r\nCookie: a=${'c'.repeat(24_576)}\r\n\r\n`, 431, 'headers_too_large');
raw('spaces in the request target', `POST /api/events'; drop table events; -- HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`, 400, 'bad_request');

// --- Slow clients (slowloris): cut off by the request timeout --------------------------------------
const slowBody = rawRequestBytes({ method: 'POST', path: '/api/events', headers: keyed, body: ONE });
const headEnd = slowBody.indexOf('\r\n\r\n') + 4;
add('a body that trickles in a byte at a time', { chunks: [slowBody.subarray(0, headEnd), ...[...slowBody.subarray(headEnd)].map((b) => Buffer.from([b]))], gapMs: 250 }, 408, 'request_timeout');
add('headers that trickle in a line at a time', { chunks: ['POST /api/events HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: y\r\n`)], gapMs: 250 }, 408, 'request_timeout');
add('a body shorter than its Content-Length', { chunks: [rawRequestBytes({ method: 'POST', path: '/api/events', headers: [...keyed, ['Content-Length', '500']], body: ONE })], gapMs: 0 }, 408, 'request_timeout');

export const CORPUS: readonly CorpusCase[] = cases;
