// The launcher's pure parts: arguments, each app's environment, stale pid files, log prefixes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnv, type StackWiring } from '../src/env';
import { DEFAULT_PORTS, parseOptions, UsageError } from '../src/options';
import { clearStalePostmaster, readPostmasterPid, runningLauncher, writeStackRecord } from '../src/pids';
import { createPrefixer, LastLines, prefixFor } from '../src/prefix';
import { simulatorBuilt } from '../src/simulator';
import { STACK_COMPONENTS } from '../src/components';

describe('parseOptions', () => {
  const root = '/repo';
  it('has the defaults of the issue', () => {
    const o = parseOptions([], {}, root);
    expect(o).toEqual({ help: false, quiet: false, simulator: true, reset: false, yes: false, dataDir: '/repo/.data', ports: DEFAULT_PORTS, randomPorts: false });
  });
  it('reads every flag', () => {
    const o = parseOptions(['--quiet', '--no-simulator', '--reset', '--yes', '--data-dir', '/tmp/x', '--port-base', '31000'], {}, root);
    expect(o).toMatchObject({ quiet: true, simulator: false, reset: true, yes: true, dataDir: '/tmp/x' });
    expect(o.ports).toEqual({ broker: 31000, postgres: 31001, s3: 31002, ingest: 31003, consumer: 31004, etl: 31005, web: 31006 });
  });
  it('takes a relative --data-dir from the working directory', () => {
    expect(parseOptions(['--data-dir', 'd'], {}, root).dataDir).toBe(join(process.cwd(), 'd'));
  });
  it('moves one port through its environment variable, and picks the rest at random with --random-ports', () => {
    expect(parseOptions([], { STACK_WEB_PORT: '3300' }, root).ports.web).toBe(3300);
    const r = parseOptions(['--random-ports'], { STACK_INGEST_PORT: '8800' }, root);
    expect(r.ports).toMatchObject({ ingest: 8800, web: 0, broker: 0 });
  });
  it.each([
    [['--bogus']],
    [['positional']],
    [['--port-base', 'x']],
    [['--port-base', '65533']],
    [['--port-base', '3000', '--random-ports']],
  ])('refuses %j', (argv) => {
    expect(() => parseOptions(argv, {}, root)).toThrow(UsageError);
  });
  it('refuses a bad port variable, naming it', () => {
    expect(() => parseOptions([], { STACK_S3_PORT: '99999' }, root)).toThrow(/STACK_S3_PORT/);
  });
});

describe('appEnv', () => {
  const wiring: StackWiring = {
    ports: { ...DEFAULT_PORTS, broker: 19092, ingest: 18000 },
    databaseUrl: 'postgres://postgres:pw@127.0.0.1:5433/clickstream',
    s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'clickstream-raw', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    adminUser: 'admin',
    adminPassword: 'secret-password',
    etlIntervalSeconds: '15',
  };
  const parent = { PATH: '/bin', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://elsewhere/x', INGEST_PORT: '1' };

  it('wires ingest to the broker only, and keeps what passes through', () => {
    const env = appEnv('ingest', wiring, parent);
    expect(env).toMatchObject({ PATH: '/bin', LOG_LEVEL: 'debug', KAFKA_BROKERS: '127.0.0.1:19092', INGEST_PORT: '18000', INGEST_HOST: '127.0.0.1' });
    expect(env['DATABASE_URL']).toBeUndefined();
  });
  it('gives stream-consumer Kafka, PostgreSQL and S3', () => {
    expect(appEnv('stream-consumer', wiring, parent)).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:19092',
      DATABASE_URL: wiring.databaseUrl,
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'clickstream-raw',
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      CONSUMER_PORT: '9101',
    });
  });
  it('gives etl its interval and no Kafka', () => {
    const env = appEnv('etl', wiring, parent);
    expect(env).toMatchObject({ ETL_INTERVAL_SECONDS: '15', ETL_PORT: '9102', DATABASE_URL: wiring.databaseUrl, S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(env['KAFKA_BROKERS']).toBeUndefined();
  });
  it('gives web the admin login', () => {
    expect(appEnv('web', wiring, parent)).toMatchObject({ WEB_PORT: '3000', WEB_ADMIN_USER: 'admin', WEB_ADMIN_PASSWORD: 'secret-password', KAFKA_BROKERS: '127.0.0.1:19092' });
  });
  it('leaves out S3 keys for the default AWS chain', () => {
    const env = appEnv('etl', { ...wiring, s3: { endpoint: 'https://s3.example', bucket: 'b', region: 'eu-west-1' } }, {});
    expect(env['S3_ACCESS_KEY_ID']).toBeUndefined();
    expect(env['S3_SECRET_ACCESS_KEY']).toBeUndefined();
  });
});

describe('stale pid files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'stack-pids-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    return child.pid as number;
  }

  it('does nothing without postmaster.pid', async () => {
    await expect(clearStalePostmaster(dir)).resolves.toEqual({ state: 'none' });
  });
  it('removes a postmaster.pid whose process is gone', async () => {
    const pid = await deadPid();
    writeFileSync(join(dir, 'postmaster.pid'), `${pid}\n${dir}\n1700000000\n5433\n`);
    expect(readPostmasterPid(dir)).toBe(pid);
    await expect(clearStalePostmaster(dir)).resolves.toEqual({ state: 'removed', pid });
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  });
  it('removes a postmaster.pid whose pid now belongs to another program', async () => {
    writeFileSync(join(dir, 'postmaster.pid'), `${process.pid}\n`);
    await expect(clearStalePostmaster(dir, { looksLikePostgres: () => false })).resolves.toEqual({ state: 'removed', pid: process.pid });
  });
  it('stops a postmaster that still runs, then removes the file', async () => {
    const child = spawn(process.execPath, ['-e', "process.on('SIGINT', () => process.exit(0)); setInterval(() => {}, 1000)"]);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dir, 'postmaster.pid'), `${child.pid}\n`);
    const result = await clearStalePostmaster(dir, { looksLikePostgres: () => true });
    expect(result).toEqual({ state: 'stopped', pid: child.pid, killed: false });
    expect(existsSync(join(dir, 'postmaster.pid'))).toBe(false);
  });
  it('sees a running launcher in stack.json, not a dead one', async () => {
    writeStackRecord(dir, { pid: await deadPid(), children: {}, ports: {} });
    expect(runningLauncher(dir)).toBeUndefined();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeStackRecord(dir, { pid: child.pid as number, children: {}, ports: {} });
      expect(runningLauncher(dir)?.pid).toBe(child.pid);
    } finally {
      child.kill();
    }
  });
});

describe('log prefixes', () => {
  it('pads names and prefixes whole lines only', () => {
    const p = createPrefixer(prefixFor('etl', 8, undefined));
    expect(p.push('one\ntw')).toEqual(['etl      | one']);
    expect(p.push('o\r\nthree\n')).toEqual(['etl      | two', 'etl      | three']);
    expect(p.flush()).toEqual([]);
    p.push('partial');
    expect(p.flush()).toEqual(['etl      | partial']);
  });
  it('colours on a terminal', () => {
    expect(prefixFor('web', 4, 0)).toBe('\x1b[36mweb  |\x1b[0m');
  });
  it('keeps the last lines', () => {
    const last = new LastLines(2);
    ['a', 'b', 'c'].forEach((l) => last.add(l));
    expect(last.get()).toEqual(['b', 'c']);
  });
});

describe('components', () => {
  it('lists every part as built', () => {
    expect(STACK_COMPONENTS.filter((c) => !c.built).map((c) => c.name)).toEqual([]);
  });
  it('tells the simulator placeholder from the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-sim-'));
    try {
      expect(simulatorBuilt(join(dir, 'missing.js'))).toBe(false);
      writeFileSync(join(dir, 'a.js'), "process.stderr.write('simulator: traffic generation is not built yet (issue 9)')");
      expect(simulatorBuilt(join(dir, 'a.js'))).toBe(false);
      writeFileSync(join(dir, 'b.js'), "require('./cli').runCli(process.argv.slice(2))");
      expect(simulatorBuilt(join(dir, 'b.js'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
