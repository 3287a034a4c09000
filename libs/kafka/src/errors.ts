// Failure classes every pipeline step sorts its errors into (CONVENTIONS #6): retry or give up.

/** Worth retrying with backoff: the broker, S3 or the database is down or slow. */
export class RetriableError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Retrying cannot help: bad input, bad configuration, a bug. */
export class FatalError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Kafka could not take a write in time; the caller answers 503 and the client retries. */
export class KafkaUnavailableError extends RetriableError {}

/** Our own classes say so; kafkajs errors carry `retriable`; connection-level failures are retriable. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof RetriableError) return true;
  if (err instanceof FatalError) return false;
  if (err && typeof err === 'object') {
    const e = err as { retriable?: unknown; name?: unknown; code?: unknown };
    if (typeof e.retriable === 'boolean') return e.retriable;
    if (typeof e.name === 'string' && /KafkaJS(Connection|RequestTimeout|NumberOfRetriesExceeded|BrokerNotFound)/.test(e.name)) return true;
    if (typeof e.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code)) return true;
  }
  return false;
}
