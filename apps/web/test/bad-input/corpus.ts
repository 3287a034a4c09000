// The bad-input corpus of the analyst server: hostile or broken requests, each with the status and
// error code it must get. Sent over real TCP by bad-input.spec.ts; the credentials it needs (a good
// session, an expired one, a revoked token) exist only at run time, so the corpus is built from them.

import { HOSTILE_STRINGS, rawRequestBytes, type RawRequest } from '@clickstream/runtime/testing';
import { RANGED_REPORT_URLS } from '../support/routes';

/** The request timeout the spec's server runs with: slow requests are cut off after it. */
export const REQUEST_TIMEOUT_MS = 1_500;
export const SITE = 'site_x';
export const RANGE = `site=${SITE}&from=2026-04-06&to=2026-04-08&tz=UTC`;
/** The contents of a file beside the SPA's directory: no reply may ever hold it. */
export const SECRET = 'TOP-SECRET-beside-the-client-dir';

export interface Credentials {
  /** `cs_session=…` of a live login. */
  cookie: string;
  /** `cs_session=…` of a session that has expired. */
  expiredCookie: string;
  /** A bearer token that was revoked. */
  revokedToken: string;
}

export interface CorpusCase {
  name: string;
  send: { request: RawRequest } | { chunks: Array<string | Buffer>; gapMs: number };
  status: number;
  /** The error code of the uniform error body; '' for Node's own empty-bodied reply. */
  code: string;
}

const enc = encodeURIComponent;
const sql = HOSTILE_STRINGS.find(([n]) => n === 'sql drop table')?.[1] ?? "'; drop table events; --";
const script = '<script>alert(1)</script>';

export function webCorpus(auth: Credentials): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const signedIn: Array<[string, string]> = [['Cookie', auth.cookie]];
  const get = (path: string, headers: Array<[string, string]> = signedIn): CorpusCase['send'] => ({ request: { path, headers } });
  const add = (name: string, send: CorpusCase['send'], status: number, code: string) => cases.push({ name, send, status, code });

  // --- Bad query parameters on every report route ---------------------------------------------------
  // Routes whose range comes from site/from/to/tz and the filters (each with its own required params).
  const RANGED = RANGED_REPORT_URLS;
  const BAD_PARAMS: Array<[string, string, string]> = [
    ['an unknown time zone', 'tz=Mars/Olympus', 'invalid_query'],
    ['a time zone that is an SQL injection', `tz=${enc(sql)}`, 'invalid_query'],
    ['an impossible date', 'from=2026-02-30&to=2026-03-01', 'invalid_query'],
    ['from after to', 'from=2026-03-02&to=2026-03-01', 'invalid_query'],
    ['from an SQL injection', `from=${enc(`2026-01-01${sql}`)}`, 'invalid_query'],
    ['to a script tag', `to=${enc(script)}`, 'invalid_query'],
    ['site an SQL injection', `site=${enc(sql)}`, 'invalid_request'],
    ['site a script tag', `site=${enc(script)}`, 'invalid_request'],
    ['site of 300 characters', `site=${'s'.repeat(300)}`, 'invalid_request'],
    ['limit not a number', 'limit=abc', 'invalid_request'],
    ['limit a billion', 'limit=1000000000', 'invalid_request'],
    ['bots neither include nor exclude', `bots=${enc("include' --")}`, 'invalid_request'],
    ['event_type an SQL injection', `event_type=${enc(sql)}`, 'invalid_request'],
    ['device a script tag', `device=${enc(script)}`, 'invalid_request'],
    ['country an SQL injection', `country=${enc("US' OR '1'='1")}`, 'invalid_request'],
  ];
  for (const route of RANGED) {
    for (const [what, param, code] of BAD_PARAMS) {
      add(`${route}: ${what}`, get(`${route}${route.includes('?') ? '&' : '?'}${param}`), 400, code);
    }
  }

  const ONE_OFF: Array<[string, string, number, string]> = [
    ['timeseries: an unknown metric', `/api/timeseries?${RANGE}&metric=vibes`, 400, 'invalid_request'],
    ['timeseries: a metric that is an SQL injection', `/api/timeseries?${RANGE}&metric=${enc(`events${sql}`)}`, 400, 'invalid_request'],
    ['timeseries: an unknown interval', `/api/timeseries?${RANGE}&interval=fortnight`, 400, 'invalid_request'],
    ['breakdown: an unknown dimension', `/api/breakdown?${RANGE}&dimension=shoe_size`, 400, 'invalid_request'],
    ['breakdown: a dimension that is an SQL injection', `/api/breakdown?${RANGE}&dimension=${enc(`country; ${sql}`)}`, 400, 'invalid_request'],
    ['breakdown: no dimension', `/api/breakdown?${RANGE}`, 400, 'invalid_request'],
    ['funnel: no steps', `/api/funnel?${RANGE}`, 400, 'invalid_request'],
    ['funnel: one step', `/api/funnel?${RANGE}&steps=page_view`, 400, 'invalid_query'],
    ['funnel: nine steps', `/api/funnel?${RANGE}&steps=${Array(9).fill('page_view').join(',')}`, 400, 'invalid_query'],
    ['funnel: steps of 3,000 characters', `/api/funnel?${RANGE}&steps=${'a'.repeat(3000)}`, 400, 'invalid_request'],
    ['funnel: a step type that is an SQL injection', `/api/funnel?${RANGE}&steps=${enc(`page_view,${sql}`)}`, 400, 'invalid_query'],
    ['retention: weeks 0', `/api/retention?${RANGE}&weeks=0`, 400, 'invalid_request'],
    ['retention: weeks 27', `/api/retention?${RANGE}&weeks=27`, 400, 'invalid_request'],
    ['retention: weeks a string', `/api/retention?${RANGE}&weeks=${enc(sql)}`, 400, 'invalid_request'],
    ['users/top: window forever', `/api/users/top?site=${SITE}&window=forever`, 400, 'invalid_request'],
    ['users/top: window 9999d (over 90 days)', `/api/users/top?site=${SITE}&window=9999d`, 400, 'invalid_query'],
    ['users/top: window an SQL injection', `/api/users/top?site=${SITE}&window=${enc(`1h${sql}`)}`, 400, 'invalid_request'],
    ['users/top: site an SQL injection', `/api/users/top?site=${enc(sql)}`, 400, 'invalid_request'],
    ['users/top: limit negative', `/api/users/top?site=${SITE}&limit=-1`, 400, 'invalid_request'],
    ['live: an unknown time zone', `/api/live?site=${SITE}&tz=Mars/Olympus`, 400, 'invalid_query'],
    ['live: site an SQL injection', `/api/live?site=${enc(sql)}`, 400, 'invalid_request'],
    ['live: site a script tag', `/api/live?site=${enc(script)}&tz=UTC`, 400, 'invalid_request'],
    ['live: tz of 100 characters', `/api/live?site=${SITE}&tz=${'Z'.repeat(100)}`, 400, 'invalid_request'],
    ['sites: limit zero', '/api/sites?limit=0', 400, 'invalid_request'],
    ['export: an unknown report', `/api/export/passwords.csv?${RANGE}`, 404, 'not_found'],
    ['export: an SQL injection for a report', `/api/export/${enc(`${sql}.csv`)}?${RANGE}`, 404, 'not_found'],
    ['export: a traversal for a report', `/api/export/..%2f..%2f..%2fetc%2fpasswd?${RANGE}`, 404, 'not_found'],
    ['export: breakdown without a dimension', `/api/export/breakdown.csv?${RANGE}`, 400, 'invalid_query'],
    ['export: timeseries with an unknown metric', `/api/export/timeseries.csv?${RANGE}&metric=vibes`, 400, 'invalid_request'],
    ['export: users-top with a bad window', `/api/export/users-top.csv?${RANGE}&window=0h`, 400, 'invalid_request'],
    ['an unknown API route', '/api/passwords', 404, 'not_found'],
    ['an API route with an SQL injection', `/api/${enc(sql)}`, 404, 'not_found'],
  ];
  for (const [name, path, status, code] of ONE_OFF) add(name, get(path), status, code);

  // --- Bad, forged and expired cookies and tokens ----------------------------------------------------
  const AUTH: Array<[string, Array<[string, string]>]> = [
    ['no credentials', []],
    ['a forged session cookie', [['Cookie', 'cs_session=forged-0123456789abcdef']]],
    ['an empty session cookie', [['Cookie', 'cs_session=']]],
    ['a session cookie that is an SQL injection', [['Cookie', `cs_session=${enc("' OR '1'='1")}`]]],
    ['a session cookie of 8 KB', [['Cookie', `cs_session=${'A'.repeat(8192)}`]]],
    ['an expired session cookie', [['Cookie', auth.expiredCookie]]],
    ['a session cookie with an encoded NUL', [['Cookie', 'cs_session=abc%00def']]],
    ['a session cookie with broken percent-encoding', [['Cookie', 'cs_session=%E0%A4%A']]],
    ['a cookie header of only separators', [['Cookie', ';;;=;=;']]],
    ['the session id in another cookie name', [['Cookie', auth.cookie.replace('cs_session=', 'cs_sessionx=')]]],
    ['a forged bearer token', [['Authorization', 'Bearer cst_forged0123456789']]],
    ['a revoked bearer token', [['Authorization', `Bearer ${auth.revokedToken}`]]],
    ['a bearer token without our prefix', [['Authorization', 'Bearer abcdef0123456789']]],
    ['an empty bearer token', [['Authorization', 'Bearer ']]],
    ['a bearer token that is an SQL injection', [['Authorization', "Bearer cst_'OR'1'='1'--"]]],
    ['a bearer token of 8 KB', [['Authorization', `Bearer cst_${'t'.repeat(8192)}`]]],
    ['two bearer tokens', [['Authorization', 'Bearer cst_a cst_b']]],
    ['Basic authentication', [['Authorization', `Basic ${Buffer.from('admin:admin').toString('base64')}`]]],
    ['a forged bearer token beside a good cookie', [['Authorization', 'Bearer cst_forged'], ['Cookie', auth.cookie]]],
    ['a JWT with alg none', [['Authorization', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.']]],
  ];
  for (const [what, headers] of AUTH) {
    add(`${what}: GET /api/overview`, get(`/api/overview?${RANGE}`, headers), 401, 'unauthorized');
  }
  for (const url of ['/api/me', '/api/tokens', '/api/pipeline', '/api/export/clicks.csv', '/api/docs/json']) {
    add(`an expired session cookie: GET ${url}`, get(url, [['Cookie', auth.expiredCookie]]), 401, 'unauthorized');
  }

  // --- Login, tokens and analysts with bad bodies ------------------------------------------------------
  const json: Array<[string, string]> = [['Content-Type', 'application/json']];
  const postTo = (path: string, body: string | Buffer, headers: Array<[string, string]> = json): CorpusCase['send'] => ({ request: { method: 'POST', path, headers, body } });
  const LOGIN: Array<[string, CorpusCase['send'], number, string]> = [
    ['malformed JSON', postTo('/api/login', '{"username":"admin",'), 400, 'invalid_json'],
    ['an empty JSON body', postTo('/api/login', ''), 400, 'invalid_json'],
    ['a JSON array', postTo('/api/login', '[]'), 400, 'invalid_request'],
    ['username an object', postTo('/api/login', JSON.stringify({ username: { $ne: '' }, password: 'x' })), 400, 'invalid_request'],
    ['password missing', postTo('/api/login', JSON.stringify({ username: 'admin' })), 400, 'invalid_request'],
    ['password of 2,000 characters', postTo('/api/login', JSON.stringify({ username: 'admin', password: 'p'.repeat(2000) })), 400, 'invalid_request'],
    ['username of 65 characters', postTo('/api/login', JSON.stringify({ username: 'a'.repeat(65), password: 'x' })), 400, 'invalid_request'],
    ['a __proto__ key', postTo('/api/login', '{"username":"admin","password":"x","__proto__":{"role":"admin"}}'), 400, 'invalid_json'],
    ['username an SQL injection', postTo('/api/login', JSON.stringify({ username: "admin' --", password: 'x' })), 401, 'invalid_credentials'],
    ['password an SQL injection', postTo('/api/login', JSON.stringify({ username: 'admin', password: "' OR '1'='1" })), 401, 'invalid_credentials'],
    ['username a script tag', postTo('/api/login', JSON.stringify({ username: script, password: 'x' })), 401, 'invalid_credentials'],
    ['Content-Type text/plain', postTo('/api/login', JSON.stringify({ username: 'admin', password: 'x' }), [['Content-Type', 'text/plain']]), 415, 'unsupported_media_type'],
    ['Content-Type application/xml', postTo('/api/login', '<login/>', [['Content-Type', 'application/xml']]), 415, 'unsupported_media_type'],
    ['Content-Type form-urlencoded', postTo('/api/login', 'username=admin&password=x', [['Content-Type', 'application/x-www-form-urlencoded']]), 415, 'unsupported_media_type'],
  ];
  for (const [what, send, status, code] of LOGIN) add(`POST /api/login: ${what}`, send, status, code);
  const big = rawRequestBytes({ method: 'POST', path: '/api/login', headers: json, body: JSON.stringify({ username: 'admin', password: 'p'.repeat(2 * 1024 * 1024) }) });
  const bigHead = big.indexOf('\r\n\r\n') + 4;
  add('POST /api/login: a 2 MB body', { chunks: [big.subarray(0, bigHead), big.subarray(bigHead)], gapMs: 300 }, 413, 'payload_too_large');

  const withCookie: Array<[string, string]> = [...json, ['Cookie', auth.cookie]];
  add('POST /api/tokens: no name', postTo('/api/tokens', '{}', withCookie), 400, 'invalid_request');
  add('POST /api/tokens: a name of 101 characters', postTo('/api/tokens', JSON.stringify({ name: 'n'.repeat(101) }), withCookie), 400, 'invalid_request');
  add('POST /api/tokens: malformed JSON', postTo('/api/tokens', '{"name":', withCookie), 400, 'invalid_json');
  add('POST /api/tokens: not logged in', postTo('/api/tokens', JSON.stringify({ name: 'x' })), 401, 'unauthorized');
  add('DELETE /api/tokens/<SQL injection>', { request: { method: 'DELETE', path: `/api/tokens/${enc(sql)}`, headers: signedIn } }, 404, 'not_found');
  add('DELETE /api/tokens/<12 hex digits of no token>', { request: { method: 'DELETE', path: '/api/tokens/0123456789ab', headers: signedIn } }, 404, 'not_found');
  add('POST /api/analysts: username an SQL injection', postTo('/api/analysts', JSON.stringify({ username: sql, password: 'long-enough-1' }), withCookie), 400, 'invalid_request');
  add('POST /api/analysts: username a script tag', postTo('/api/analysts', JSON.stringify({ username: script, password: 'long-enough-1' }), withCookie), 400, 'invalid_request');
  add('POST /api/analysts: a short password', postTo('/api/analysts', JSON.stringify({ username: 'bob', password: 'short' }), withCookie), 400, 'invalid_request');
  add('POST /api/analysts: role superuser', postTo('/api/analysts', JSON.stringify({ username: 'bob', password: 'long-enough-1', role: 'superuser' }), withCookie), 400, 'invalid_request');

  // --- Path traversal on the SPA's static files ---------------------------------------------------------
  const TRAVERSAL = [
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/assets/../../secret.txt',
    '/assets/../../../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/%252e%252e%252fsecret.txt',
    '/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
    '/..%5csecret.txt',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/assets\\..\\..\\secret.txt',
    '/index.html%00',
    '/index.html%00.js',
    '/%00../secret.txt',
    '/.%2e/secret.txt',
    '/%2e./%2e./etc/passwd',
    '/....//....//etc/passwd',
    '/assets/..;/secret.txt',
    '/..',
    '/./../secret',
    '/live/..%2f..%2f..%2fetc%2fpasswd',
    '//etc/passwd',
    '/live//..//..//secret',
  ];
  for (const path of TRAVERSAL) add(`GET ${path}`, { request: { path } }, 404, 'not_found');
  // Percent-encoding that does not decode (overlong UTF-8 dots and slashes, a cut-off sequence).
  for (const path of ['/%c0%ae%c0%ae/secret.txt', '/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd', '/%E0%A4%A', '/assets/%ff%fe.js']) {
    add(`GET ${path}`, { request: { path } }, 400, 'invalid_url');
  }
  add('DELETE /api/tokens/<a 200-character prefix>', { request: { method: 'DELETE', path: `/api/tokens/${'a'.repeat(200)}`, headers: signedIn } }, 414, 'uri_too_long');

  // --- Header abuse (refused by Node's HTTP parser) ---------------------------------------------------
  const raw = (name: string, bytes: string, status: number, code: string) => add(name, { chunks: [bytes], gapMs: 0 }, status, code);
  const login = JSON.stringify({ username: 'admin', password: 'x' });
  raw('Content-Length not a number', `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${login}`, 400, 'bad_request');
  raw('two different Content-Lengths', `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nContent-Length: ${login.length}\r\n\r\n${login}`, 400, 'bad_request');
  raw('Content-Length and Transfer-Encoding (request smuggling)', `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/me HTTP/1.1\r\n\r\n`, 400, 'bad_request');
  raw('a chunk size that is not hex', `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${login}\r\n0\r\n\r\n`, 400, 'bad_request');
  raw('a header line without a colon', `GET /api/health HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n`, 400, 'bad_request');
  raw('a NUL byte in the Cookie header', `GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: cs_session=a\u0000b\r\n\r\n`, 400, 'bad_request');
  raw('CR LF injection in a header value', `GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: a=b\rSet-Cookie: x=y\r\n\r\n`, 400, 'bad_request');
  raw('a garbage request line', `LOGIN ME IN NOW\r\n\r\n`, 400, 'bad_request');
  raw('an unknown HTTP version', `GET /api/health HTTP/7.0\r\nHost: x\r\n\r\n`, 400, 'bad_request');
  raw('spaces in the request target', `GET /api/overview?site=${sql} HTTP/1.1\r\nHost: x\r\n\r\n`, 400, 'bad_request');
  raw('a 20 KB Cookie header', `GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: cs_session=${'c'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large');
  raw('a 20 KB URL', `GET /api/overview?site=${'s'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'headers_too_large');
  // Node answers this one itself, before any handler, with an empty body.
  raw('no Host header', `GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n`, 400, '');

  // --- Slow clients (slowloris) ----------------------------------------------------------------------
  const slow = rawRequestBytes({ method: 'POST', path: '/api/login', headers: json, body: login });
  const slowHead = slow.indexOf('\r\n\r\n') + 4;
  add('a login body that trickles in a byte at a time', { chunks: [slow.subarray(0, slowHead), ...[...slow.subarray(slowHead)].map((b) => Buffer.from([b]))], gapMs: 250 }, 408, 'request_timeout');
  add('headers that trickle in a line at a time', { chunks: ['GET /api/me HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: y\r\n`)], gapMs: 250 }, 408, 'request_timeout');
  add('a login body shorter than its Content-Length', { chunks: [rawRequestBytes({ method: 'POST', path: '/api/login', headers: [...json, ['Content-Length', '400']], body: login })], gapMs: 0 }, 408, 'request_timeout');

  return cases;
}
