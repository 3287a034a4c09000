// An error that becomes an HTTP response: status, code and the uniform body of shared/DESIGN.md
// (`{"error": {"code", "message", "details"?}}`), plus headers such as Retry-After; and the same
// body for the requests that Node's HTTP parser refuses before any handler runs.

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The response body. */
  body(): { error: { code: string; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/**
 * A Fastify `clientErrorHandler`: Node's HTTP parser refuses some requests before any route sees
 * them (a broken request line or header, a lying Content-Length, headers too large, a request
 * slower than the request timeout). Answer those with the uniform error body too, then close.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new HttpError(408, 'request_timeout', 'the request was not received in time')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new HttpError(431, 'headers_too_large', 'the request line and headers are too large')
        : new HttpError(400, 'bad_request', 'the request is not valid HTTP/1.1');
  const body = JSON.stringify(error.body());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Node's HTTP server options that cut off slow clients (slowloris): the whole request, headers
 * included, must arrive within `requestTimeoutMs`; Node checks its timers every quarter of it.
 */
export function slowClientLimits(requestTimeoutMs: number): { requestTimeout: number; http: { headersTimeout: number; connectionsCheckingInterval: number } } {
  return {
    requestTimeout: requestTimeoutMs,
    http: { headersTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(requestTimeoutMs / 4))) },
  };
}

/**
 * The HttpError of a refusal by Fastify's router (its `frameworkErrors`): a URL whose
 * percent-encoding does not decode, a path parameter over its length limit. Fastify calls
 * `frameworkErrors` outside the app's error handler, so the app sends `error.body()` itself.
 */
export function frameworkHttpError(err: Error & { code?: string }): HttpError {
  if (err.code === 'FST_ERR_BAD_URL') return new HttpError(400, 'invalid_url', 'the URL is not valid: its percent-encoding does not decode');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new HttpError(414, 'uri_too_long', 'a path parameter is too long');
  return new HttpError(500, 'internal', 'internal error');
}
