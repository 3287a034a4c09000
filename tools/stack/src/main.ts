#!/usr/bin/env node
// tools/stack: `npm start` — the whole embedded stack in one command, each component started
// after the previous one is healthy, stopped in reverse order on Ctrl-C or SIGTERM.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import postgres from 'postgres';
import { createWarehouse } from '@clickstream/warehouse';
import { appEnv, type AppName, type S3Settings, type StackWiring } from './env';
import { freePort } from '@clickstream/runtime/testing';
import { httpAnswers, httpOk, kafkaApiVersions, portInUse, postgresSelect1, waitUntil } from './health';
import { parseOptions, PORT_ENV, PORT_NAMES, UsageError, USAGE, type PortName, type StackOptions } from './options';
import { clearStalePostmaster, readStackRecord, removeStackRecord, runningLauncher, stopLeftovers, writeStackRecord } from './pids';
import { postgresChildArgs, postgresUrl } from './postgres';
import { ManagedProcess, type Output } from './supervisor';
import { simulatorBuilt } from './simulator';

const REPO_ROOT = resolve(__dirname, '../../..');
const STOP_TIMEOUT_MS = 40_000; // the ETL finishes its objects within 30 s, the archiver flushes
const START_TIMEOUT_MS = 180_000;
const SIMULATOR_MAIN = join(REPO_ROOT, 'tools/simulator/dist/main.js');

const tty = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const say = (line = '') => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${red(line)}\n`);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Component {
  name: string;
  stop(): Promise<void>;
}

interface Secrets {
  postgresPassword: string;
  adminPassword: string;
}

function loadSecrets(dataDir: string): Secrets {
  const file = join(dataDir, 'secrets.json');
  let secrets: Partial<Secrets> = {};
  if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
  const complete: Secrets = {
    postgresPassword: secrets.postgresPassword ?? randomBytes(18).toString('base64url'),
    adminPassword: secrets.adminPassword ?? randomBytes(12).toString('base64url'),
  };
  if (complete.postgresPassword !== secrets.postgresPassword || complete.adminPassword !== secrets.adminPassword) {
    writeFileSync(file, `${JSON.stringify(complete, null, 2)}\n`, { mode: 0o600 });
  }
  return complete;
}

async function confirmReset(options: StackOptions): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY) {
    warn(`stack: --reset deletes ${options.dataDir}; add --yes to confirm when not on a terminal`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`Delete everything in ${options.dataDir} (events, warehouse, archive, logins)? Type "yes": `);
  rl.close();
  return answer.trim().toLowerCase() === 'yes';
}

class Stack {
  private readonly components: Component[] = [];
  private readonly processes = new Map<string, ManagedProcess>();
  failure: string | undefined;
  private stopping: Promise<void> | undefined;
  private readonly output: Output;
  private colour = 0;
  private readonly childPids: Record<string, number> = {};
  private failed!: (why: string) => void;
  readonly failedPromise = new Promise<string>((resolve) => (this.failed = resolve));

  constructor(
    private readonly options: StackOptions,
    private readonly ports: Record<PortName, number>,
  ) {
    this.output = { quiet: options.quiet, colour: tty, width: 16, log: (line) => process.stdout.write(`${line}\n`) };
  }

  private record(): void {
    writeStackRecord(this.options.dataDir, { pid: process.pid, children: this.childPids, ports: this.ports });
  }

  private spawn(name: string, args: string[], env: NodeJS.ProcessEnv, stdinPipe = false): ManagedProcess {
    const proc = new ManagedProcess(name, process.execPath, args, { env, cwd: REPO_ROOT, stdinPipe, colourIndex: this.colour++, output: this.output });
    this.processes.set(name, proc);
    if (proc.pid) this.childPids[name] = proc.pid;
    this.record();
    void proc.exited.then(({ code, signal }) => {
      if (proc.stopping || this.stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (name === 'simulator') {
        say(`stack: the simulator ended (${how}); the stack goes on${code === 0 ? '' : `. Its last lines:\n${proc.lastLines.get().slice(-10).join('\n')}`}`);
        return;
      }
      this.fail(`${name} exited unexpectedly (${how})`, proc);
    });
    this.components.push({ name, stop: async () => void (await proc.stop(STOP_TIMEOUT_MS)) });
    return proc;
  }

  private fail(why: string, proc?: ManagedProcess): void {
    if (this.failure) return;
    this.failure = why;
    warn(`stack: ${why}`);
    if (proc) {
      const lines = proc.lastLines.get();
      if (lines.length > 0) {
        warn(`stack: the last lines of ${proc.name}:`);
        for (const line of lines) process.stderr.write(`${line}\n`);
      }
    }
    this.failed(why);
  }

  /** Why waiting for the component should end now, if it should. */
  private abortReason(proc?: ManagedProcess): () => string | undefined {
    return () => this.failure ?? (this.stopping ? 'stopping' : proc && !proc.running ? `${proc.name} exited while starting` : undefined);
  }

  private async step(name: string, start: () => Promise<void>): Promise<void> {
    const t0 = Date.now();
    say(`  … ${name.padEnd(16)} starting`);
    try {
      await start();
    } catch (err) {
      if (!this.failure && !this.stopping) this.fail(`${name} did not start: ${(err as Error).message}`, this.processes.get(name));
      throw err;
    }
    say(`  ${green('✓')} ${name.padEnd(16)} healthy in ${seconds(Date.now() - t0)}`);
  }

  async start(): Promise<{ wiring: StackWiring; started: number; simulator: 'running' | 'off' | 'not built' }> {
    const { dataDir } = this.options;
    const { ports } = this;
    const t0 = Date.now();
    const secrets = loadSecrets(dataDir);
    const externalDb = process.env['DATABASE_URL'];
    const externalS3 = process.env['S3_ENDPOINT'];
    const sim = !this.options.simulator ? 'off' : simulatorBuilt(SIMULATOR_MAIN) ? 'running' : 'not built';
    const names = ['kafka-dev-broker', 'postgres', 's3', 'migrations', 'ingest', 'stream-consumer', 'etl', 'web', 'simulator'];
    say(bold(`Starting Clickstream (data in ${dataDir})`));
    for (const n of names) {
      const note =
        n === 'postgres' && externalDb ? 'external (DATABASE_URL)' : n === 's3' && externalS3 ? 'external (S3_ENDPOINT)' : n === 'simulator' && sim !== 'running' ? sim : 'waiting';
      say(`  · ${n.padEnd(16)} ${note}`);
    }

    await this.step('kafka-dev-broker', async () => {
      const proc = this.spawn('kafka-dev-broker', [join(REPO_ROOT, 'tools/kafka-dev-broker/dist/main.js'), '--port', String(ports.broker), '--data-dir', join(dataDir, 'kafka')], process.env);
      await waitUntil(() => kafkaApiVersions('127.0.0.1', ports.broker), START_TIMEOUT_MS, this.abortReason(proc));
    });

    let databaseUrl = externalDb ?? '';
    await this.step('postgres', async () => {
      if (externalDb) {
        await waitUntil(() => postgresSelect1(externalDb), 30_000, this.abortReason());
        return;
      }
      const pgDir = join(dataDir, 'pg');
      const stale = await clearStalePostmaster(pgDir);
      if (stale.state === 'removed') say(`stack: removed a stale ${join(pgDir, 'postmaster.pid')} (pid ${stale.pid} no longer runs PostgreSQL)`);
      if (stale.state === 'stopped') say(`stack: stopped PostgreSQL (pid ${stale.pid}) left running by an earlier launcher${stale.killed ? ' with SIGKILL' : ''}`);
      const proc = this.spawn('postgres', postgresChildArgs(pgDir, ports.postgres, secrets.postgresPassword), process.env, true);
      let ready = false;
      proc.onStdout((d) => (ready ||= d.includes('ready')));
      await waitUntil(async () => ready, START_TIMEOUT_MS, this.abortReason(proc));
      const admin = postgresUrl(secrets.postgresPassword, ports.postgres, 'postgres');
      await waitUntil(() => postgresSelect1(admin), 30_000, this.abortReason(proc));
      const sql = postgres(admin, { max: 1, onnotice: () => undefined });
      try {
        const [row] = await sql`select count(*)::int as n from pg_database where datname = 'clickstream'`;
        if (row?.['n'] === 0) await sql.unsafe('create database clickstream');
      } finally {
        await sql.end({ timeout: 2 });
      }
      databaseUrl = postgresUrl(secrets.postgresPassword, ports.postgres, 'clickstream');
      await waitUntil(() => postgresSelect1(databaseUrl), 30_000, this.abortReason(proc));
    });

    let s3: S3Settings;
    if (externalS3) {
      s3 = {
        endpoint: externalS3,
        bucket: process.env['S3_BUCKET'] || 'clickstream-raw',
        region: process.env['S3_REGION'] || 'us-east-1',
        accessKeyId: process.env['S3_ACCESS_KEY_ID'] || undefined,
        secretAccessKey: process.env['S3_SECRET_ACCESS_KEY'] || undefined,
      };
    } else {
      s3 = { endpoint: `http://127.0.0.1:${ports.s3}`, bucket: process.env['S3_BUCKET'] || 'clickstream-raw', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    }
    await this.step('s3', async () => {
      if (!externalS3) await this.startS3rver(join(dataDir, 's3'), ports.s3, s3.bucket);
      await waitUntil(() => httpAnswers(s3.endpoint), 60_000, this.abortReason());
    });

    await this.step('migrations', async () => {
      const warehouse = createWarehouse({ url: databaseUrl, max: 1 });
      try {
        const result = await warehouse.migrate();
        say(`stack: migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already there`);
      } finally {
        await warehouse.close();
      }
    });

    const wiring: StackWiring = {
      ports,
      databaseUrl,
      s3,
      adminUser: process.env['WEB_ADMIN_USER'] || 'admin',
      adminPassword: secrets.adminPassword,
      etlIntervalSeconds: process.env['ETL_INTERVAL_SECONDS'] || '15',
    };
    const apps: Array<[AppName, string, string]> = [
      ['ingest', 'apps/ingest/dist/main.js', `http://127.0.0.1:${ports.ingest}/ready`],
      ['stream-consumer', 'apps/stream-consumer/dist/main.js', `http://127.0.0.1:${ports.consumer}/ready`],
      ['etl', 'apps/etl/dist/main.js', `http://127.0.0.1:${ports.etl}/ready`],
      ['web', 'apps/web/dist/main.js', `http://127.0.0.1:${ports.web}/api/health`],
    ];
    for (const [name, main, ready] of apps) {
      await this.step(name, async () => {
        const env = appEnv(name, wiring, process.env);
        const proc = this.spawn(name, [join(REPO_ROOT, main)], env);
        await waitUntil(() => httpOk(ready), START_TIMEOUT_MS, this.abortReason(proc));
      });
    }

    if (sim === 'running') {
      await this.step('simulator', async () => {
        const proc = this.spawn('simulator', [SIMULATOR_MAIN, '--ingest-url', `http://127.0.0.1:${ports.ingest}`, '--quiet'], process.env);
        await new Promise((r) => setTimeout(r, 500));
        if (!proc.running && !proc.stopping) throw new Error('it exited at once');
      });
    } else if (sim === 'not built') {
      say('stack: the simulator is not built yet (tools/simulator/dist/main.js is missing or a placeholder); going on without generated traffic');
    }
    return { wiring, started: Date.now() - t0, simulator: sim };
  }

  private async startS3rver(dir: string, port: number, bucket: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    // s3rver 3.x has no types; loaded through require as libs/archive's startTestS3 does.
    type S3rver = new (o: Record<string, unknown>) => { run(): Promise<unknown>; close(): Promise<void>; httpServer: Server };
    const S3rverClass = createRequire(__filename)('s3rver') as S3rver;
    const server = new S3rverClass({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    await server.run();
    this.components.push({
      name: 's3',
      stop: async () => {
        await new Promise<void>((r) => {
          server.httpServer.close(() => r());
          server.httpServer.closeAllConnections();
        });
      },
    });
  }

  /** Stops every component in reverse start order; idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const c of [...this.components].reverse()) {
        const t0 = Date.now();
        try {
          await c.stop();
          say(`  ■ ${c.name.padEnd(16)} stopped in ${seconds(Date.now() - t0)}`);
        } catch (err) {
          warn(`stack: stopping ${c.name}: ${(err as Error).message}`);
        }
      }
      removeStackRecord(this.options.dataDir);
    })());
  }

  killAll(): void {
    for (const p of this.processes.values()) p.kill();
    removeStackRecord(this.options.dataDir);
  }

  get pids(): Record<string, number> {
    return { ...this.childPids };
  }
}

async function main(): Promise<number> {
  let options: StackOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env, REPO_ROOT);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`stack: ${err.message}\nrun with --help for usage\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { dataDir } = options;

  const other = runningLauncher(dataDir);
  if (other) {
    warn(`stack: a stack is already running on ${dataDir} (launcher pid ${other.pid}); stop it first (Ctrl-C in its terminal, or kill ${other.pid})`);
    return 1;
  }
  if (options.reset) {
    if (!(await confirmReset(options))) {
      say('stack: nothing deleted');
      return 1;
    }
    rmSync(dataDir, { recursive: true, force: true });
    say(`stack: deleted ${dataDir}`);
  }
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0 && (statSync(dataDir).mode & 0o005) !== 0o005) {
    // PostgreSQL runs as the `postgres` user when the launcher is root: it must reach .data/pg.
    chmodSync(dataDir, 0o755);
  }

  // A launcher that was killed (SIGKILL) could not stop its children.
  const leftover = readStackRecord(dataDir);
  if (leftover) {
    const stopped = await stopLeftovers(leftover);
    if (stopped.length > 0) say(`stack: stopped processes an earlier launcher left running: ${stopped.join(', ')}`);
    removeStackRecord(dataDir);
  }

  const ports = { ...options.ports };
  for (const name of PORT_NAMES) if (ports[name] === 0) ports[name] = await freePort();
  const skip = new Set<PortName>([...(process.env['DATABASE_URL'] ? (['postgres'] as const) : []), ...(process.env['S3_ENDPOINT'] ? (['s3'] as const) : [])]);
  for (const name of PORT_NAMES) {
    if (skip.has(name) || !(await portInUse(ports[name]))) continue;
    warn(
      `stack: port ${ports[name]} (${name}) is in use on 127.0.0.1: stop what listens there (\`ss -ltnp | grep :${ports[name]}\`), or move the stack with --port-base N, ${PORT_ENV[name]}=PORT or --random-ports`,
    );
    return 1;
  }

  const stack = new Stack(options, ports);
  let signalled = false;
  const signalled$ = new Promise<NodeJS.Signals>((resolveSignal) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (signalled) {
          warn('stack: second signal: killing everything now');
          stack.killAll();
          process.exit(130);
        }
        signalled = true;
        say(`\nstack: ${signal}: stopping in reverse order (again to kill at once)`);
        resolveSignal(signal);
      });
    }
  });

  const started = stack.start().then(
    (r) => r,
    () => undefined,
  );
  const first = await Promise.race([started, stack.failedPromise.then(() => 'failed' as const), signalled$.then(() => 'signal' as const)]);
  if (first !== 'failed' && first !== 'signal' && first !== undefined) {
    const { wiring, started: ms, simulator } = first;
    const ingest = `http://127.0.0.1:${ports.ingest}`;
    say();
    say(bold(`Clickstream is running (started in ${seconds(ms)}).`));
    say(`  Dashboard:  http://127.0.0.1:${ports.web}/`);
    say(`  Login:      ${wiring.adminUser} / ${wiring.adminPassword}`);
    say(`  Ingest:     ${ingest}`);
    say(`  Try:        curl -X POST ${ingest}/api/events -H 'Content-Type: application/json' -d '{"event_type": "page_visited", "user_id": "user_001", "session_id": "session_001", "page_path": "/home"}'`);
    say(`  Simulator:  ${simulator === 'running' ? 'sending traffic' : simulator === 'off' ? 'off (--no-simulator)' : 'not built'}; the ETL loads every ${wiring.etlIntervalSeconds} s`);
    say(`  Processes:  ${Object.entries(stack.pids).map(([n, p]) => `${n}=${p}`).join(' ')}`);
    say(`  Data:       ${dataDir}. Ctrl-C stops everything; running again resumes.`);
    say();
    await Promise.race([stack.failedPromise, signalled$]);
  }
  const failedNow = stack.failure !== undefined;
  await stack.stop();
  if (failedNow || (first === undefined && !signalled)) {
    warn('stack: stopped after a failure');
    return 1;
  }
  say('stack: stopped cleanly');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`stack: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);

