// Sorts S3 failures into "retry with backoff" (S3 down, slow or throttling) and "give up" (bad
// bucket, credentials or request), for the retry-or-dead-letter decision of CONVENTIONS #6.

const RETRIABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // A stopped container's name stops resolving (docker compose); the endpoint comes back.
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

const RETRIABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeTooSkewed',
]);

// Under Jest, Node's network errors come from another realm than the SDK, which then wraps them
// as "AWS SDK error wrapper for Error: connect ECONNREFUSED …" and drops `code`: the message still says it.
const RETRIABLE_MESSAGE = new RegExp(`\\b(${[...RETRIABLE_CODES].join('|')})\\b|socket hang up|premature close`, 'i');

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  retriable?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
  errors?: unknown;
}

/**
 * True when trying again later may succeed: network errors (refused, reset, timeouts), 5xx,
 * 429 and S3 throttling. False for everything else, e.g. NoSuchBucket, AccessDenied, other 4xx.
 */
export function isRetriableS3Error(err: unknown): boolean {
  return check(err, 0);
}

function check(err: unknown, depth: number): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as ErrorLike;
  if (e.name === 'AbortError') return false; // the caller gave up on purpose
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (e.$retryable && typeof e.$retryable === 'object') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (typeof e.code === 'string' && RETRIABLE_CODES.has(e.code)) return true;
  for (const name of [e.name, e.Code, e.code]) if (typeof name === 'string' && RETRIABLE_NAMES.has(name)) return true;
  // A response that parsed as an S3 error with a 4xx status says what is wrong; retrying will not fix it.
  if (typeof status === 'number' && status >= 400) return false;
  if (typeof e.message === 'string' && RETRIABLE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => check(inner, depth + 1))) return true;
  return check(e.cause, depth + 1);
}
