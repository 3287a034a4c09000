// A steady load on ingest: the simulator's realistic events at a fixed rate, posted in batches by a
// few concurrent senders that retry a failed request with the same events (same event_id) until it
// gets an answer. Every event_id ingest acknowledged with 202 is recorded with the phase it belongs to.
import { createGenerator, defaultConfig, type GeneratedEvent, type SimEvent } from '@clickstream/simulator';

export interface SteadyLoadOptions {
  ingestUrl: string;
  /** Events a second. */
  rate: number;
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  seed?: string;
  /** How long stop() keeps retrying what is still unacknowledged before it gives up on it. */
  drainTimeoutMs?: number;
}

export interface Ack {
  phase: number;
  /** When the 202 arrived (ms since the epoch). */
  at: number;
}

export interface PhaseLoadStats {
  /** Events sent at least once in the phase. */
  generated: number;
  acknowledged: number;
  /** Items ingest answered with an error (dead-lettered): never acknowledged. */
  rejected: number;
  /** Requests that failed (network error, 429, 5xx) and were sent again. */
  retries: number;
  /** Events given up on when the load stopped (never acknowledged). */
  abandoned: number;
  /** Longest time without a 202 while the load ran (ms). */
  longestAckGapMs: number;
}

interface Batch {
  events: SimEvent[];
  phase: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SteadyLoad {
  /** event_id → when it was acknowledged and in which phase. */
  readonly acked = new Map<string, Ack>();
  private readonly stats = new Map<number, PhaseLoadStats>();
  private readonly queue: Batch[] = [];
  private buffer: SimEvent[] = [];
  private phaseNo = 0;
  private running = false;
  private generatorTimer: NodeJS.Timeout | undefined;
  private workers: Array<Promise<void>> = [];
  private readonly generator;
  private pending: GeneratedEvent | undefined;
  private lastAckAt = 0;
  private lastFlushAt = 0;
  private giveUpAt = Infinity;
  private readonly ackWaiters: Array<{ after: number; resolve: (eventId: string) => void }> = [];
  private readonly url: string;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private stoppedAtMs: number | undefined;
  private generatedOffsetMs = 0;

  constructor(private readonly options: SteadyLoadOptions) {
    const config = { ...defaultConfig(), rate: options.rate, users: 5000, malformedRate: 0, seed: options.seed ?? 'faults', durationMs: null, maxEvents: null };
    this.generator = createGenerator(config, { startMs: Date.now() });
    this.url = new URL('/api/events/batch', options.ingestUrl).toString();
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 4;
  }

  set phase(n: number) {
    this.phaseNo = n;
  }

  get phase(): number {
    return this.phaseNo;
  }

  phaseStats(phase: number): PhaseLoadStats {
    let s = this.stats.get(phase);
    if (!s) {
      s = { generated: 0, acknowledged: 0, rejected: 0, retries: 0, abandoned: 0, longestAckGapMs: 0 };
      this.stats.set(phase, s);
    }
    return s;
  }

  /** Starts (or resumes) generating and sending. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.giveUpAt = Infinity;
    this.lastAckAt = Date.now();
    this.lastFlushAt = Date.now();
    // The simulator's clock runs on from where it stopped: the events of a pause are not made up later.
    if (this.stoppedAtMs !== undefined) this.generatedOffsetMs += Date.now() - this.stoppedAtMs;
    this.generatorTimer = setInterval(() => this.generate(), 50);
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
  }

  private generate(): void {
    // Events of the simulated clock that are due on the wall clock (the simulated clock started with the load).
    const due = Date.now() - this.generatedOffsetMs;
    for (;;) {
      this.pending ??= this.generator.next();
      if (this.pending.timeMs > due) break;
      this.buffer.push(this.pending.event);
      this.pending = undefined;
      if (this.buffer.length >= this.batchSize) this.flush();
    }
    if (this.buffer.length > 0 && Date.now() - this.lastFlushAt >= 250) this.flush();
    this.trackGap();
  }

  private flush(): void {
    this.lastFlushAt = Date.now();
    if (this.buffer.length === 0) return;
    this.queue.push({ events: this.buffer, phase: this.phaseNo });
    this.phaseStats(this.phaseNo).generated += this.buffer.length;
    this.buffer = [];
  }

  private trackGap(): void {
    const s = this.phaseStats(this.phaseNo);
    s.longestAckGapMs = Math.max(s.longestAckGapMs, Date.now() - this.lastAckAt);
  }

  private async work(): Promise<void> {
    for (;;) {
      const batch = this.queue.shift();
      if (!batch) {
        if (!this.running) return;
        await sleep(20);
        continue;
      }
      await this.send(batch);
    }
  }

  /** Posts the batch until ingest answers it with 202 (or 400), or until the stop gives up. */
  private async send(batch: Batch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'clickstream-faults' },
          body: JSON.stringify({ events: batch.events, sent_at: new Date().toISOString() }),
          signal: AbortSignal.timeout(15_000),
        });
        const json = (await res.json().catch(() => undefined)) as
          | { results?: Array<{ index: number; event_id?: string; error?: unknown }>; error?: { code?: string; details?: unknown[] } }
          | undefined;
        if (res.status === 202) {
          this.acknowledge(batch, json?.results ?? []);
          return;
        }
        if (res.status === 400 && json?.error?.code === 'invalid_batch') {
          this.phaseStats(batch.phase).rejected += batch.events.length;
          return;
        }
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) retryAfterMs = Math.min(after * 1000, 2000);
      } catch {
        // refused, reset or timed out: the events may or may not be in Kafka; sent again, same ids
      }
      this.phaseStats(batch.phase).retries++;
      if (Date.now() > this.giveUpAt) {
        this.phaseStats(batch.phase).abandoned += batch.events.length;
        return;
      }
      const backoff = Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
      await sleep(retryAfterMs ?? backoff * (0.5 + Math.random() / 2));
    }
  }

  private acknowledge(batch: Batch, results: Array<{ index: number; event_id?: string; error?: unknown }>): void {
    const at = Date.now();
    const stats = this.phaseStats(batch.phase);
    for (const r of results) {
      if (!r.event_id) {
        stats.rejected++;
        continue;
      }
      const sent = batch.events[r.index]?.event_id;
      if (sent !== r.event_id) throw new Error(`ingest acknowledged event ${r.event_id} for item ${r.index}, which has event_id ${String(sent)}`);
      // A retried request whose first 202 was lost is acknowledged once, in its first phase.
      if (this.acked.has(r.event_id)) continue;
      this.acked.set(r.event_id, { phase: batch.phase, at });
      stats.acknowledged++;
    }
    this.lastAckAt = at;
    for (let i = this.ackWaiters.length - 1; i >= 0; i--) {
      const w = this.ackWaiters[i];
      const first = results.find((r) => r.event_id);
      if (w && first?.event_id && at >= w.after) {
        this.ackWaiters.splice(i, 1);
        w.resolve(first.event_id);
      }
    }
  }

  /** The first event acknowledged at or after `after` (ms since the epoch). */
  firstAckAfter(after: number): Promise<string> {
    for (const [id, ack] of this.acked) if (ack.at >= after) return Promise.resolve(id);
    return new Promise((resolve) => this.ackWaiters.push({ after, resolve }));
  }

  /**
   * Stops generating, then sends what is queued until ingest has answered it, giving up after the
   * drain timeout; resolves when no request is in flight.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    clearInterval(this.generatorTimer);
    this.stoppedAtMs = Date.now();
    this.flush();
    this.giveUpAt = Date.now() + (this.options.drainTimeoutMs ?? 120_000);
    this.running = false;
    await Promise.all(this.workers);
    // What was still queued when the workers gave up.
    for (const b of this.queue.splice(0)) this.phaseStats(b.phase).abandoned += b.events.length;
  }
}
