// Retries a start-up step of the long-running scheduler until it works (PostgreSQL or S3 may come up
// after us), logging each failure, with capped exponential backoff.

import type { Logger } from '@clickstream/runtime';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
