// Sorting PostgreSQL failures into "try again" (the server or the network is away, or a
// transaction lost a race) and everything else, which retrying would only repeat.

/** postgres.js's own codes for a lost or unobtainable connection. */
const CLIENT_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
/** Node's socket errors. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs worth another attempt: serialization failure, deadlock, lock timeout, too many connections, shutdown or start-up. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03']);

/** True when a retry of the same work may succeed: connection loss or refusal, SQLSTATE class 08, or a transient SQLSTATE. */
export function isRetriableDbError(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || typeof err !== 'object') return false;
  const { code, errors, cause } = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') {
    if (CLIENT_CODES.has(code) || SOCKET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && (code.startsWith('08') || RETRIABLE_SQLSTATES.has(code))) return true;
  }
  // Node's AggregateError (one error per address tried) and wrapped causes.
  if (Array.isArray(errors) && errors.some((e) => isRetriableDbError(e, depth + 1))) return true;
  return cause !== undefined && isRetriableDbError(cause, depth + 1);
}
