// Processes left behind by a run that was killed: PostgreSQL's postmaster.pid and the launcher's
// own stack.json (its pid and its children's), so a new start stops them or clears the files.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process (Linux /proc), or undefined when it cannot be read. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** The postmaster's pid from a PostgreSQL data directory's postmaster.pid (first line), if any. */
export function readPostmasterPid(pgDir: string): number | undefined {
  const file = join(pgDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

export type StalePostmaster =
  | { state: 'none' }
  | { state: 'removed'; pid: number }
  | { state: 'stopped'; pid: number; killed: boolean };

/**
 * Before starting PostgreSQL on pgDir: a postmaster.pid whose process still runs PostgreSQL (a
 * launcher that was killed) is stopped (fast shutdown, then SIGKILL); a file whose pid is dead, or
 * now another program, is removed. `looksLikePostgres` is injectable for tests.
 */
export async function clearStalePostmaster(
  pgDir: string,
  options: { timeoutMs?: number; looksLikePostgres?: (pid: number) => boolean } = {},
): Promise<StalePostmaster> {
  const pid = readPostmasterPid(pgDir);
  const file = join(pgDir, 'postmaster.pid');
  if (pid === undefined) {
    if (existsSync(file)) rmSync(file, { force: true });
    return { state: 'none' };
  }
  const looksLikePostgres = options.looksLikePostgres ?? ((p: number) => /postgres/.test(commandLine(p) ?? ''));
  if (!isAlive(pid) || !looksLikePostgres(pid)) {
    rmSync(file, { force: true });
    return { state: 'removed', pid };
  }
  process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown: rolls back open transactions, checkpoints
  let killed = false;
  if (!(await waitForExit(pid, options.timeoutMs ?? 20_000))) {
    process.kill(pid, 'SIGKILL');
    killed = true;
    await waitForExit(pid, 5000);
  }
  rmSync(file, { force: true });
  return { state: 'stopped', pid, killed };
}

/** What a running launcher writes to <data-dir>/stack.json. */
export interface StackRecord {
  pid: number;
  children: Record<string, number>;
  ports: Record<string, number>;
}

export const STACK_FILE = 'stack.json';

export function readStackRecord(dataDir: string): StackRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, STACK_FILE), 'utf8')) as StackRecord;
  } catch {
    return undefined;
  }
}

export function writeStackRecord(dataDir: string, record: StackRecord): void {
  writeFileSync(join(dataDir, STACK_FILE), `${JSON.stringify(record)}\n`);
}

export function removeStackRecord(dataDir: string): void {
  rmSync(join(dataDir, STACK_FILE), { force: true });
}

/** A launcher that still runs on this data directory (its pid is alive and is node), if any. */
export function runningLauncher(dataDir: string, self = process.pid): StackRecord | undefined {
  const record = readStackRecord(dataDir);
  if (!record || record.pid === self || !isAlive(record.pid)) return undefined;
  const cmd = commandLine(record.pid);
  return cmd === undefined || /node|stack/.test(cmd) ? record : undefined;
}

/** Children a killed launcher left running: SIGTERM, then SIGKILL. Returns the names stopped. */
export async function stopLeftovers(record: StackRecord, timeoutMs = 15_000): Promise<string[]> {
  const stopped: string[] = [];
  for (const [name, pid] of Object.entries(record.children).reverse()) {
    if (!isAlive(pid) || !/node/.test(commandLine(pid) ?? '')) continue;
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, timeoutMs))) process.kill(pid, 'SIGKILL');
    stopped.push(`${name} (pid ${pid})`);
  }
  return stopped;
}
