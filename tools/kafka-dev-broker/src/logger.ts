// The broker's own small logger (it imports no workspace library): JSON lines on stderr, or
// nothing when silent. The programmatic API accepts any object with these four methods.

export interface BrokerLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): BrokerLogger {
  const threshold = LEVELS.indexOf(level);
  const at = (name: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(name) < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: name, service: 'kafka-dev-broker', msg, ...fields }) + '\n');
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const ignore = (): void => undefined;
export const silentLogger: BrokerLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
