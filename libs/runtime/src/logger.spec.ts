import { Writable } from 'node:stream';
import { createLogger } from './logger';

function memoryDestination() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('createLogger', () => {
  it('writes JSON lines that carry the service', () => {
    const destination = memoryDestination();
    const logger = createLogger({ service: 'ingest', level: 'info', pretty: false, destination });
    logger.info({ topic: 'clickstream.events' }, 'producer connected');
    logger.debug('not at this level');

    expect(destination.lines).toHaveLength(1);
    const line = JSON.parse(destination.lines[0]);
    expect(line).toMatchObject({ service: 'ingest', msg: 'producer connected', topic: 'clickstream.events', level: 30 });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('keeps the service in child loggers', () => {
    const destination = memoryDestination();
    const logger = createLogger({ service: 'etl', level: 'debug', pretty: false, destination });
    logger.child({ run_id: 'r1' }).debug('step');
    expect(JSON.parse(destination.lines[0])).toMatchObject({ service: 'etl', run_id: 'r1' });
  });

  it('redacts IPs, credentials and passwords', () => {
    const destination = memoryDestination();
    const logger = createLogger({ service: 'ingest', level: 'info', pretty: false, destination });
    logger.info(
      {
        ip: '203.0.113.7',
        context: { ip: '203.0.113.8', browser: 'Firefox' },
        password: 'hunter2',
        user: { name: 'admin', password: 'hunter3' },
        req: {
          method: 'POST',
          headers: { authorization: 'Bearer t', cookie: 'sid=1', 'x-write-key': 'key1', 'user-agent': 'curl' },
        },
      },
      'request',
    );
    const text = destination.lines[0];
    for (const secret of ['203.0.113.7', '203.0.113.8', 'hunter2', 'hunter3', 'Bearer t', 'sid=1', 'key1']) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(text);
    expect(line.ip).toBe('[Redacted]');
    expect(line.context).toEqual({ ip: '[Redacted]', browser: 'Firefox' });
    expect(line.user).toEqual({ name: 'admin', password: '[Redacted]' });
    expect(line.req.headers).toEqual({
      authorization: '[Redacted]',
      cookie: '[Redacted]',
      'x-write-key': '[Redacted]',
      'user-agent': 'curl',
    });
  });

  it('prints human-readable lines when pretty', async () => {
    let output = '';
    const destination = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const logger = createLogger({ service: 'web', level: 'info', pretty: true, destination });
    logger.info({ ip: '203.0.113.7' }, 'listening');

    const deadline = Date.now() + 2000;
    while (!output.includes('listening') && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(output).toContain('[web] listening');
    expect(output).not.toContain('203.0.113.7');
    expect(() => JSON.parse(output)).toThrow();
  });
});
