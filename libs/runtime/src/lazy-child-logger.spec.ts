import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyChildLoggerFactory } from './logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('lazyChildLoggerFactory', () => {
  it("writes what pino's own child writes, bindings and level included", async () => {
    const lazy = capture();
    const eager = capture();
    const a = lazyChildLoggerFactory(lazy.logger, { reqId: 'req-1' }, {});
    const b = eager.logger.child({ reqId: 'req-1' }, {});
    for (const l of [a, b]) {
      l.info({ route: '/x' }, 'hello');
      l.debug('detail');
      l.child({ more: 1 }).warn('nested');
    }
    await new Promise((r) => setImmediate(r));
    const strip = (rows: Array<Record<string, unknown>>) => rows.map(({ time: _t, pid: _p, ...rest }) => rest);
    expect(strip(lazy.lines)).toEqual(strip(eager.lines));
    expect(lazy.lines.map((l) => l['msg'])).toEqual(['hello', 'detail', 'nested']);
    expect(lazy.lines.every((l) => l['reqId'] === 'req-1')).toBe(true);
  });

  it('honours a level given in the options, and does not make the child until it is used', () => {
    const { logger } = capture();
    let made = 0;
    const counting = Object.assign(Object.create(logger) as typeof logger, {
      child: (bindings: object, options?: object) => {
        made++;
        return logger.child(bindings, options);
      },
    });
    const l = lazyChildLoggerFactory(counting, { reqId: 'r' }, { level: 'warn' });
    expect(made).toBe(0);
    expect(l.level).toBe('warn');
    expect(made).toBe(1);
  });
});
