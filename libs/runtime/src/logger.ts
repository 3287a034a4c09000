// The pino logger every app uses: JSON lines tagged with the service, with personal data and
// credentials redacted before they are written.
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  service: string;
  level: LevelWithSilent;
  /** Human-readable output instead of JSON; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go; defaults to stdout. */
  destination?: DestinationStream;
}

/** Paths removed from every log line (IPs are personal data; the rest are credentials). */
export const REDACTED_PATHS = [
  'ip',
  '*.ip',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-write-key"]',
  'password',
  '*.password',
];

export function createLogger(options: CreateLoggerOptions): Logger {
  const { service, level, destination } = options;
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  const settings = {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
  };
  if (usePretty) {
    // pino-pretty as a synchronous stream in this thread, not a worker transport: lines written just
    // before process.exit() are not lost, and nothing is left running after tests.
    const stream = pretty({
      sync: true,
      destination: destination ?? 1,
      // Several services share one terminal under `npm start`: the service leads every line.
      ignore: 'pid,hostname,service',
      messageFormat: '[{service}] {msg}',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return pino(settings, stream);
  }
  return destination ? pino(settings, destination) : pino(settings);
}

type Leveled = Record<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', (...args: unknown[]) => void> & {
  level: string;
  child(bindings: object, options?: object): Leveled;
};

/** A request's logger that becomes pino's child() on first use (see lazyChildLoggerFactory). */
class LazyChildLogger {
  private made?: Leveled;

  constructor(
    private readonly parent: Leveled,
    private readonly bindings: object,
    private readonly options: object,
  ) {}

  private get real(): Leveled {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
  get level(): string {
    return this.real.level;
  }
  set level(value: string) {
    this.real.level = value;
  }
  fatal(...args: unknown[]): void {
    this.real.fatal(...args);
  }
  error(...args: unknown[]): void {
    this.real.error(...args);
  }
  warn(...args: unknown[]): void {
    this.real.warn(...args);
  }
  info(...args: unknown[]): void {
    this.real.info(...args);
  }
  debug(...args: unknown[]): void {
    this.real.debug(...args);
  }
  trace(...args: unknown[]): void {
    this.real.trace(...args);
  }
  silent(): void {
    // pino's 'silent' writes nothing
  }
  child(bindings: object, options?: object): Leveled {
    return this.real.child(bindings, options);
  }
}

/**
 * A Fastify `childLoggerFactory` that makes each request's child logger on its first use: pino's
 * child() serialises (and redacts) the bindings, a measurable share of a hot endpoint's CPU for
 * requests that never log. What the child writes is the same as with Fastify's default factory.
 */
export function lazyChildLoggerFactory<L>(logger: L, bindings: object, options: object): L {
  return new LazyChildLogger(logger as unknown as Leveled, bindings, options) as unknown as L;
}
