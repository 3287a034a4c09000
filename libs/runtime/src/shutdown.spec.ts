import { EventEmitter } from 'node:events';
import { createShutdown, type ShutdownLogger } from './shutdown';

interface Entry {
  level: string;
  msg: string;
  [key: string]: unknown;
}

// A logger that records what shutdown reports, so tests can assert on the log as well as on effects.
function recordingLogger(): ShutdownLogger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      entries.push({ level, msg: msg ?? '', ...(obj as object) });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') } as ShutdownLogger & {
    entries: Entry[];
  };
}

function setup(options: { timeoutMs?: number } = {}) {
  const logger = recordingLogger();
  const exits: number[] = [];
  const signals = new EventEmitter();
  const shutdown = createShutdown({ logger, exit: (code) => void exits.push(code), signalSource: signals, ...options });
  return { logger, exits, signals, shutdown };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createShutdown', () => {
  it('runs the steps one after another in the order added, then exits 0', async () => {
    const { shutdown, exits, logger } = setup();
    const events: string[] = [];
    const step = (name: string) => async () => {
      events.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name}:end`);
    };
    shutdown.add('stop accepting', step('stop'));
    shutdown.add('drain', step('drain'));
    shutdown.add('commit', () => void events.push('commit'));
    shutdown.add('disconnect', step('disconnect'));

    await shutdown.run('test');

    expect(events).toEqual(['stop:start', 'stop:end', 'drain:start', 'drain:end', 'commit', 'disconnect:start', 'disconnect:end']);
    expect(exits).toEqual([0]);
    const done = logger.entries.filter((e) => e.msg === 'shutdown step done');
    expect(done.map((e) => e['step'])).toEqual(['stop accepting', 'drain', 'commit', 'disconnect']);
    expect(done.every((e) => typeof e['duration_ms'] === 'number')).toBe(true);
  });

  it('runs the remaining steps after a failing one, logs it and exits 1', async () => {
    const { shutdown, exits, logger } = setup();
    const ran: string[] = [];
    shutdown.add('flush', () => {
      throw new Error('S3 put failed');
    });
    shutdown.add('disconnect', () => void ran.push('disconnect'));

    await shutdown.run('test');

    expect(ran).toEqual(['disconnect']);
    expect(exits).toEqual([1]);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'shutdown step failed', step: 'flush', err: expect.any(Error) }),
    );
  });

  it('exits 1 at the deadline and names the step that was running', async () => {
    const { shutdown, exits, logger } = setup({ timeoutMs: 50 });
    const ran: string[] = [];
    shutdown.add('stop accepting', () => void ran.push('stop accepting'));
    shutdown.add('drain', () => new Promise<void>(() => undefined));
    shutdown.add('disconnect', () => void ran.push('disconnect'));

    await shutdown.run('test');

    expect(exits).toEqual([1]);
    expect(ran).toEqual(['stop accepting']);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', step: 'drain', timeout_ms: 50 }));
  });

  it('is idempotent: a second run() returns the same promise and runs nothing again', async () => {
    const { shutdown, exits } = setup();
    let count = 0;
    shutdown.add('disconnect', () => void count++);
    const first = shutdown.run('first');
    const second = shutdown.run('second');
    expect(second).toBe(first);
    await first;
    expect(count).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('starts on SIGTERM and exits at once with 143 on a second SIGTERM', async () => {
    const { shutdown, exits, signals, logger } = setup();
    let release: () => void = () => undefined;
    shutdown.add('drain', () => new Promise<void>((resolve) => (release = resolve)));
    shutdown.install();

    signals.emit('SIGTERM', 'SIGTERM');
    await waitFor(() => logger.entries.some((e) => e.msg === 'shutting down'));
    expect(exits).toEqual([]);

    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([143]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', signal: 'SIGTERM', exit_code: 143 }));

    // The steps finishing later must not exit a second time.
    release();
    await shutdown.run('again');
    expect(exits).toEqual([143]);
    shutdown.uninstall();
  });

  it('exits with 130 on a second SIGINT', async () => {
    const { shutdown, exits, signals } = setup();
    shutdown.add('drain', () => new Promise<void>(() => undefined));
    shutdown.install();
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    // run() settles once the process is exiting, though the hung step never will.
    await expect(shutdown.run('again')).resolves.toBeUndefined();
    shutdown.uninstall();
  });

  it('on an uncaught exception logs fatal, runs the steps and exits 1', async () => {
    const { shutdown, exits, signals, logger } = setup();
    const ran: string[] = [];
    shutdown.add('disconnect', () => void ran.push('disconnect'));
    shutdown.install();

    signals.emit('uncaughtException', new Error('boom'));
    await waitFor(() => exits.length > 0);

    expect(ran).toEqual(['disconnect']);
    expect(exits).toEqual([1]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'fatal', msg: 'uncaught exception' }));
    shutdown.uninstall();
  });

  it('on an unhandled rejection logs fatal and exits 1', async () => {
    const { shutdown, exits, signals, logger } = setup();
    shutdown.install();
    signals.emit('unhandledRejection', new Error('nobody awaited me'));
    await waitFor(() => exits.length > 0);
    expect(exits).toEqual([1]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'fatal', msg: 'unhandled promise rejection' }));
    shutdown.uninstall();
  });

  it('uninstall() removes every listener install() added', () => {
    const { shutdown, signals } = setup();
    shutdown.install();
    shutdown.install();
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    shutdown.uninstall();
    for (const event of ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection']) {
      expect(signals.listenerCount(event)).toBe(0);
    }
  });
});
