// runSimulation(): generate events on the simulated clock, pace them to the wall clock (the
// simulated clock runs at `rate` events a second), batch them and send them to ingest.

import type { SimulationConfig } from './config';
import { createGenerator, type GeneratedEvent } from './generator';
import { createSender, type SenderOptions } from './sender';
import { waitMs } from './wait';

export interface RunOptions {
  config: SimulationConfig;
  ingestUrl: string;
  writeKey?: string;
  /** Give up when ingest has not taken a batch for this long (default 2 minutes). */
  giveUpAfterMs?: number;
  /** Send a part-filled batch after this long (default 1 s), so a slow rate still shows up live. */
  flushIntervalMs?: number;
  /** false: send as fast as ingest takes it, ignoring the rate (the events are the same). */
  pace?: boolean;
  /** Passed to the sender (tests). */
  sender?: Partial<SenderOptions>;
}

export interface Summary {
  sent: number;
  accepted: number;
  rejected: number;
  malformed: number;
  batches: number;
  retries: number;
  seconds: number;
}

export interface Progress extends Summary {
  /** Events generated (sent or waiting in the batch being filled). */
  generated: number;
  /** Events a second over the run so far (answered by ingest). */
  rate: number;
  /** Simulated ms since the start. */
  simulatedMs: number;
}

export interface RunHooks {
  /** Abort: stop generating, send what is buffered, finish the in-flight batch, return the summary. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
}

export class SimulationError extends Error {
  constructor(
    message: string,
    readonly summary: Summary,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'SimulationError';
  }
}


export async function runSimulation(options: RunOptions, hooks: RunHooks = {}): Promise<Summary> {
  const { config } = options;
  const signal = hooks.signal;
  const startMs = config.startMs ?? Date.now();
  const generator = createGenerator(config, { startMs });
  const pace = options.pace ?? true;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const sender = createSender({
    ingestUrl: options.ingestUrl,
    writeKey: options.writeKey,
    giveUpAfterMs: options.giveUpAfterMs,
    signal,
    onRetry: (info) => {
      stats.retries++;
      hooks.onRetry?.(info);
    },
    ...options.sender,
  });

  const wallStart = performance.now();
  const stats = { sent: 0, accepted: 0, rejected: 0, malformed: 0, batches: 0, retries: 0, generated: 0 };
  const summary = (): Summary => ({
    sent: stats.sent,
    accepted: stats.accepted,
    rejected: stats.rejected,
    malformed: stats.malformed,
    batches: stats.batches,
    retries: stats.retries,
    seconds: Math.round(performance.now() - wallStart) / 1000,
  });
  const progress = (): void => {
    if (!hooks.onProgress) return;
    const s = summary();
    hooks.onProgress({ ...s, generated: stats.generated, rate: s.seconds > 0 ? Math.round((s.sent / s.seconds) * 10) / 10 : 0, simulatedMs: generator.elapsedMs });
  };

  let buffer: GeneratedEvent[] = [];
  let inFlight: Promise<void> | undefined;
  let failure: unknown;
  let lastFlush = performance.now();

  const flush = async (): Promise<void> => {
    lastFlush = performance.now();
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    if (inFlight) await inFlight; // one batch in flight at a time
    if (failure) return;
    inFlight = sender
      .send(batch.map((g) => g.event))
      .then((outcome) => {
        stats.sent += batch.length;
        stats.accepted += outcome.accepted;
        stats.rejected += outcome.rejected;
        stats.malformed += batch.filter((g) => g.malformed).length;
        stats.batches += outcome.requests;
        progress();
      })
      .catch((err: unknown) => {
        failure = err;
      })
      .finally(() => {
        inFlight = undefined;
      });
  };

  const stopped = () => signal?.aborted === true || failure !== undefined;
  while (!stopped()) {
    if (config.maxEvents !== null && stats.generated >= config.maxEvents) break;
    const next = generator.next();
    if (config.durationMs !== null && next.timeMs - startMs >= config.durationMs) break;
    if (pace) {
      // Wait for the event's time on the wall clock, sending a part-filled batch when it is due.
      const due = wallStart + (next.timeMs - startMs);
      for (;;) {
        const now = performance.now();
        if (due - now <= 2 || stopped()) break;
        const flushAt = lastFlush + flushIntervalMs;
        if (buffer.length > 0 && flushAt <= due) {
          await waitMs(flushAt - now, signal);
          if (!stopped() && performance.now() >= flushAt) await flush();
        } else {
          await waitMs(due - now, signal);
        }
      }
      if (stopped()) break;
    }
    buffer.push(next);
    stats.generated++;
    if (buffer.length >= config.batchSize || performance.now() - lastFlush >= flushIntervalMs) await flush();
    // Let answers and timers run when the generator is far ahead of the wall clock.
    else if (stats.generated % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  if (!failure) await flush();
  while (inFlight) await inFlight;
  progress();
  if (failure) {
    throw new SimulationError((failure as Error).message, summary(), failure);
  }
  return summary();
}
