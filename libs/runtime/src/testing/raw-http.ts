// HTTP/1.1 written byte for byte on a TCP socket, for tests that send what a well-behaved client
// library refuses to: broken request lines and headers, lying Content-Lengths, unnormalised paths,
// bodies that trickle in. The reply is read until the server closes the connection.

import { connect } from 'node:net';

export interface RawReply {
  /** 0 when the server closed the connection without a status line. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given (no normalisation, no encoding). */
  path: string;
  /** Sent as given, in this order; Host and Connection: close are added unless present (any case). */
  headers?: Array<[string, string]>;
  body?: string | Buffer;
  /** Adds a Content-Length of the body's size unless a Content-Length or Transfer-Encoding header is given. */
  contentLength?: boolean;
}

/** The bytes of a request (request line, headers, body). */
export function rawRequestBytes(request: RawRequest): Buffer {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? Buffer.alloc(0));
  const headers = [...(request.headers ?? [])];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  if (!has('host')) headers.unshift(['Host', '127.0.0.1']);
  if (!has('connection')) headers.push(['Connection', 'close']);
  if (request.contentLength !== false && !has('content-length') && !has('transfer-encoding') && (body.length > 0 || request.method === 'POST')) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = `${request.method ?? 'GET'} ${request.path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Writes `chunks` to a new connection (waiting `gapMs` between them) and reads the reply until the
 * server closes the connection or `timeoutMs` passes (then the reply so far, status 0 if none).
 */
export function sendRaw(port: number, chunks: ReadonlyArray<string | Buffer>, options: { gapMs?: number; timeoutMs?: number; host?: string } = {}): Promise<RawReply> {
  const { gapMs = 0, timeoutMs = 20_000, host = '127.0.0.1' } = options;
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const received: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseReply(Buffer.concat(received)));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('close', finish);
    // A server that answers and closes while chunks are still being written resets the rest: that
    // is an answer, not a failure of the test client.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish() : (clearTimeout(timer), reject(err))));
    socket.once('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (done || socket.destroyed) return;
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (done || socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** One request on its own connection. */
export function sendRawRequest(port: number, request: RawRequest, options: { timeoutMs?: number } = {}): Promise<RawReply> {
  return sendRaw(port, [rawRequestBytes(request)], options);
}

function parseReply(bytes: Buffer): RawReply {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: bytes.toString('utf8') };
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
