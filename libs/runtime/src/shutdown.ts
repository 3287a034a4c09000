// Ordered graceful shutdown (CONVENTIONS #7): on SIGTERM run the steps an app registered — stop
// accepting, drain, flush, commit, disconnect — one after another, within a deadline.
import { constants } from 'node:os';
import type { Logger } from './logger';

export type ShutdownStep = () => Promise<void> | void;

/** The logger methods used here (a pino Logger fits). */
export type ShutdownLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'fatal'>;

/** Where signals and process-level errors come from; `process` unless a test passes an emitter. */
export type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

export interface CreateShutdownOptions {
  logger: ShutdownLogger;
  /** Time all steps together may take before the process exits with code 1. */
  timeoutMs?: number;
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
  signalSource?: SignalSource;
}

export interface Shutdown {
  /** Adds a step; steps run in the order they were added. */
  add(name: string, fn: ShutdownStep): void;
  /** Listens for the signals, uncaughtException and unhandledRejection. */
  install(): void;
  /** Removes what install() added (for tests and embedding). */
  uninstall(): void;
  /** Runs the steps, then exits; a second call returns the same promise. */
  run(reason: string): Promise<void>;
}

export function createShutdown(options: CreateShutdownOptions): Shutdown {
  const {
    logger,
    timeoutMs = 10_000,
    exit = (code: number) => process.exit(code),
    signals = ['SIGTERM', 'SIGINT'],
    signalSource = process,
  } = options;
  const steps: { name: string; fn: ShutdownStep }[] = [];
  let running: Promise<void> | undefined;
  let exited = false;
  let installed = false;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let markExited: () => void = () => undefined;
  // Settles run() however the exit comes (done, deadline, second signal), even if a step hangs.
  const exitedPromise = new Promise<'exited'>((resolve) => {
    markExited = () => resolve('exited');
  });

  function exitOnce(code: number): void {
    if (exited) return;
    exited = true;
    clearTimeout(deadlineTimer);
    markExited();
    exit(code);
  }

  function start(reason: string, failed: boolean): Promise<void> {
    running ??= execute(reason, failed);
    return running;
  }

  async function execute(reason: string, failedAlready: boolean): Promise<void> {
    const startedAt = Date.now();
    logger.info({ reason, steps: steps.map((s) => s.name), timeout_ms: timeoutMs }, 'shutting down');
    let current = '(before the first step)';
    let anyFailed = failedAlready;

    // The deadline timer is deliberately not unref'd: if steps await something that never settles,
    // the process must exit 1 at the deadline, not 0 when the event loop happens to empty.
    const deadline = new Promise<'deadline'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('deadline'), timeoutMs);
    });

    const work = (async () => {
      for (const step of [...steps]) {
        if (exited) return;
        current = step.name;
        const stepStart = Date.now();
        try {
          await step.fn();
          logger.info({ step: step.name, duration_ms: Date.now() - stepStart }, 'shutdown step done');
        } catch (err) {
          // One failing step must not keep the later ones (commit, disconnect) from running.
          anyFailed = true;
          logger.error({ err, step: step.name, duration_ms: Date.now() - stepStart }, 'shutdown step failed');
        }
      }
      return 'done' as const;
    })();

    const outcome = await Promise.race([work, deadline, exitedPromise]);
    clearTimeout(deadlineTimer);
    if (exited) return;
    if (outcome === 'deadline') {
      logger.error(
        { step: current, timeout_ms: timeoutMs, duration_ms: Date.now() - startedAt },
        `shutdown deadline passed while step "${current}" was running; exiting`,
      );
      exitOnce(1);
      return;
    }
    const code = anyFailed ? 1 : 0;
    logger.info({ duration_ms: Date.now() - startedAt, exit_code: code }, 'shutdown complete');
    exitOnce(code);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      // The operator asked twice: stop waiting. 128 + signal number is what a shell reports.
      const code = 128 + (constants.signals[signal] ?? 0);
      logger.warn({ signal, exit_code: code }, `second ${signal} during shutdown; exiting now`);
      exitOnce(code);
      return;
    }
    void start(`signal ${signal}`, false);
  };
  const signalListeners = new Map(signals.map((signal) => [signal, () => onSignal(signal)]));

  const onUncaughtException = (err: Error) => {
    logger.fatal({ err }, 'uncaught exception');
    void start('uncaughtException', true);
  };
  const onUnhandledRejection = (reason: unknown) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    void start('unhandledRejection', true);
  };

  return {
    add(name, fn) {
      if (running) {
        logger.warn({ step: name }, 'shutdown step added after shutdown started; it will not run');
        return;
      }
      steps.push({ name, fn });
    },
    install() {
      if (installed) return;
      installed = true;
      for (const [signal, listener] of signalListeners) signalSource.on(signal, listener);
      signalSource.on('uncaughtException', onUncaughtException);
      signalSource.on('unhandledRejection', onUnhandledRejection);
    },
    uninstall() {
      if (!installed) return;
      installed = false;
      for (const [signal, listener] of signalListeners) signalSource.off(signal, listener);
      signalSource.off('uncaughtException', onUncaughtException);
      signalSource.off('unhandledRejection', onUnhandledRejection);
    },
    run(reason) {
      return start(reason, false);
    },
  };
}
