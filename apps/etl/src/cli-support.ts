// What the one-shot commands (run, backfill, retention) share: logs on stderr (stdout carries their
// JSON result), and Ctrl-C / SIGTERM that asks the work to stop cleanly, a second time to exit now.

import { constants } from 'node:os';
import { createLogger, type Logger } from '@clickstream/runtime';
import type { EtlConfig } from './config';

export function createCommandLogger(config: EtlConfig): Logger {
  return createLogger({ service: 'etl', level: config.LOG_LEVEL, destination: process.stderr, pretty: process.stderr.isTTY === true });
}

export interface Interrupt {
  signal: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** First SIGINT/SIGTERM: abort `signal` (the work stops after the current object). Second: exit at once. */
export function onInterrupt(logger: Logger): Interrupt {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, `second ${signal}: exiting now`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    logger.warn({ signal }, `${signal}: stopping after the current object (again to exit at once)`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Exit code of a command stopped by a signal before it finished (as a shell reports SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;
