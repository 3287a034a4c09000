// A logger for tests: JSON lines go into an array (to assert on) instead of stdout; DEBUG_LOGS=1
// also echoes them to stderr and lowers the level to debug.

import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../logger';

export function capturedLogger(service: string, lines: string[] = []): Logger {
  const debug = process.env['DEBUG_LOGS'] === '1';
  return createLogger({
    service,
    level: debug ? 'debug' : 'info',
    pretty: false,
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        if (debug) process.stderr.write(chunk);
        cb();
      },
    }),
  });
}
