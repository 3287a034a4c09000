// Retries a start-up step of a long-running service until it works (Kafka, PostgreSQL or S3 may
// come up after us), logging each failure, with capped exponential backoff (250 ms doubling to 10 s).

import type { Logger } from './logger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `step` until it resolves; gives up quietly once `isStopping()` says the service is stopping. */
export async function untilDone(logger: Logger, what: string, step: () => Promise<unknown>, isStopping: () => boolean): Promise<void> {
  for (let attempt = 1; !isStopping(); attempt++) {
    try {
      await step();
      return;
    } catch (err) {
      const delay = Math.min(10_000, 250 * 2 ** (attempt - 1));
      logger.error({ err, attempt, retryInMs: delay }, `${what} failed; retrying`);
      await sleep(delay);
    }
  }
}
