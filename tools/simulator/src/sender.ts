// Sends batches to ingest's POST /api/events/batch. Retries 429, 503 (and other 5xx) and network
// errors with backoff that honours Retry-After; a batch that got an answer is never sent again.

import { LIMITS } from '@clickstream/event-schema';
import type { SimEvent } from './generator';
import { waitMs as sleep } from './wait';

export interface BatchOutcome {
  accepted: number;
  rejected: number;
  /** Requests sent again after a 429/5xx/network error. */
  retries: number;
  /** Requests that got a final answer (a batch split for size counts its parts). */
  requests: number;
  /** Per item: the event id ingest stored, or the error it gave. */
  results: Array<{ index: number; event_id?: string; error?: { message: string } }>;
}

export class IngestUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestUnreachableError';
  }
}

export class IngestRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefusedError';
  }
}

export interface SenderOptions {
  ingestUrl: string;
  writeKey?: string;
  /** Give up (IngestUnreachableError) when a batch has failed for this long. */
  giveUpAfterMs?: number;
  /** First backoff; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After honoured. */
  maxRetryAfterMs?: number;
  /** Aborts waits between retries (the batch then fails as unreachable). */
  signal?: AbortSignal;
  /** Told about each retry. */
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
  userAgent?: string;
  fetchImpl?: typeof fetch;
}


/** Retry-After as seconds or an HTTP date → ms. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export function createSender(options: SenderOptions) {
  const url = new URL('/api/events/batch', options.ingestUrl).toString();
  const doFetch = options.fetchImpl ?? fetch;
  const giveUpAfterMs = options.giveUpAfterMs ?? 120_000;
  const backoffMs = options.backoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': options.userAgent ?? 'clickstream-simulator',
  };
  if (options.writeKey) headers['x-write-key'] = options.writeKey;

  /** Sends one batch (split when over ingest's size limit) until ingest answers it. */
  async function send(events: SimEvent[]): Promise<BatchOutcome> {
    const body = JSON.stringify({ events, sent_at: new Date().toISOString() });
    if (events.length > 1 && (events.length > LIMITS.batchEvents || Buffer.byteLength(body) > LIMITS.batchBytes)) {
      const half = Math.ceil(events.length / 2);
      const a = await send(events.slice(0, half));
      const b = await send(events.slice(half));
      return {
        accepted: a.accepted + b.accepted,
        rejected: a.rejected + b.rejected,
        retries: a.retries + b.retries,
        requests: a.requests + b.requests,
        results: [...a.results, ...b.results.map((r) => ({ ...r, index: r.index + half }))],
      };
    }
    return sendOnce(events);
  }

  async function sendOnce(events: SimEvent[]): Promise<BatchOutcome> {
    const firstFailure = { at: 0 };
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      // sent_at is the real send time, so ingest's clock-skew correction keeps client times as they are.
      const body = JSON.stringify({ events, sent_at: new Date().toISOString() });
      let reason: string;
      let waitMs: number | undefined;
      try {
        const res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        if (res.status === 202 || res.status === 200) {
          const results = (json?.['results'] as BatchOutcome['results']) ?? [];
          return { accepted: Number(json?.['accepted'] ?? 0), rejected: Number(json?.['rejected'] ?? 0), retries, requests: 1, results };
        }
        const error = (json?.['error'] ?? {}) as { code?: string; message?: string; details?: unknown };
        if (res.status === 400 && error.code === 'invalid_batch' && Array.isArray(error.details) && error.details.every((d) => d && typeof d === 'object' && 'index' in d)) {
          // No item was valid: every one is in the dead-letter topic.
          return { accepted: 0, rejected: events.length, retries, requests: 1, results: error.details as BatchOutcome['results'] };
        }
        if (res.status === 413 && events.length > 1) {
          const half = Math.ceil(events.length / 2);
          const a = await sendOnce(events.slice(0, half));
          const b = await sendOnce(events.slice(half));
          return {
            accepted: a.accepted + b.accepted,
            rejected: a.rejected + b.rejected,
            retries: retries + a.retries + b.retries,
            requests: a.requests + b.requests,
            results: [...a.results, ...b.results.map((r) => ({ ...r, index: r.index + half }))],
          };
        }
        if (res.status === 429 || res.status >= 500) {
          reason = `HTTP ${res.status}${error.code ? ` ${error.code}` : ''}`;
          const after = retryAfterMs(res.headers.get('retry-after'));
          if (after !== undefined) waitMs = Math.min(after, maxRetryAfterMs);
        } else {
          throw new IngestRefusedError(res.status, `ingest answered ${res.status}${error.code ? ` ${error.code}` : ''}: ${error.message ?? text.slice(0, 200)}`);
        }
      } catch (err) {
        if (err instanceof IngestRefusedError) throw err;
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        reason = cause?.code ?? cause?.message ?? (err as Error).message;
      }
      const now = Date.now();
      if (!firstFailure.at) firstFailure.at = now;
      if (options.signal?.aborted && attempt > 1 && now - firstFailure.at > 5_000) {
        throw new IngestUnreachableError(`ingest at ${options.ingestUrl} did not take the last batch before the stop (${reason})`);
      }
      if (now - firstFailure.at >= giveUpAfterMs) {
        throw new IngestUnreachableError(`ingest at ${options.ingestUrl} stayed unreachable for ${Math.round((now - firstFailure.at) / 1000)} s (last: ${reason})`);
      }
      const backoff = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
      const wait = Math.min(waitMs ?? backoff * (0.5 + Math.random() / 2), Math.max(0, giveUpAfterMs - (now - firstFailure.at)));
      options.onRetry?.({ attempt, waitMs: wait, reason });
      retries++;
      await sleep(wait);
    }
  }

  return { send, url };
}

export type Sender = ReturnType<typeof createSender>;
