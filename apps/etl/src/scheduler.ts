// Runs the ETL every interval, one run at a time: the next run starts an interval after the previous
// one started (at once when it took longer), or after a quick retry and then an exponential backoff
// with jitter while runs keep failing. Optionally applies retention once a day after a successful run. stop() aborts the
// wait, lets the current run end cleanly (it starts no new object) and resolves when it has.

import type { Logger } from '@clickstream/runtime';

export interface SchedulerOptions {
  /** One ETL run; resolves with whether it succeeded (it must not throw, but a throw counts as a failure). */
  run: (signal: AbortSignal) => Promise<{ status: 'succeeded' | 'failed' }>;
  intervalMs: number;
  logger: Logger;
  /** Daily housekeeping (retention) after a successful run; its failures are logged and retried the next day. */
  daily?: () => Promise<void>;
  /** For tests: the source of jitter, in [0, 1). */
  random?: () => number;
}

export interface Scheduler {
  start(): void;
  /** Resolves once the current run (if any) has ended; no run starts after it is called. */
  stop(): Promise<void>;
  /** Runs started so far. */
  readonly runs: number;
}

const FIVE_MINUTES = 300_000;
const DAY_MS = 86_400_000;

/** The first retry waits at most this long: one failure is often a connection lost to a restart. */
const QUICK_RETRY_MS = 2_000;

/**
 * The wait after `failures` consecutive failed runs (≥ 1). After one failure, the run is tried again
 * soon (at most QUICK_RETRY_MS): a single failure is most often PostgreSQL or S3 having just restarted,
 * and the driver may report the old connection's error once. From the second failure on, the interval
 * doubles per failure, capped at the larger of 5 minutes and the interval, and at 8 intervals. ±20 %
 * jitter so that replicas that failed together do not retry together.
 */
export function backoffDelay(failures: number, intervalMs: number, random: () => number = Math.random): number {
  const cap = Math.min(Math.max(FIVE_MINUTES, intervalMs), intervalMs * 8);
  const base = failures <= 1 ? Math.min(intervalMs, QUICK_RETRY_MS) : Math.min(cap, intervalMs * 2 ** Math.min(failures - 2, 30));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { run, intervalMs, logger, daily, random = Math.random } = options;
  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  let runs = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (controller.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', done);
        resolve();
      }
      controller.signal.addEventListener('abort', done, { once: true });
    });

  async function forever(): Promise<void> {
    let failures = 0;
    let lastDaily = -Infinity;
    while (!controller.signal.aborted) {
      const startedAt = Date.now();
      runs++;
      let ok = false;
      try {
        ok = (await run(controller.signal)).status === 'succeeded';
      } catch (err) {
        logger.error({ err }, 'etl run threw');
      }
      failures = ok ? 0 : failures + 1;
      if (ok && daily && !controller.signal.aborted && Date.now() - lastDaily >= DAY_MS) {
        lastDaily = Date.now();
        try {
          await daily();
        } catch (err) {
          logger.error({ err }, 'daily retention failed; it is tried again tomorrow');
        }
      }
      const wait = ok ? Math.max(0, startedAt + intervalMs - Date.now()) : backoffDelay(failures, intervalMs, random);
      if (!ok) logger.warn({ failures, retryInMs: wait }, 'etl run failed; backing off');
      if (wait > 0) await sleep(wait);
    }
  }

  return {
    start() {
      loop ??= forever();
    },
    async stop() {
      controller.abort();
      await loop;
    },
    get runs() {
      return runs;
    },
  };
}
