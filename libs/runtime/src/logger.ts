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
