// The whole embedded stack for real: the launcher as a child process on a temporary data
// directory and free ports, the seeds' curl examples (and a simulator burst when the simulator is
// built) through ingest, the events counted by the web API once the ETL has loaded them, a clean
// Ctrl-C, and a restart on the same data that shows the same numbers.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const LAUNCHER = join(ROOT, 'tools/stack/dist/main.js');
const SIMULATOR = join(ROOT, 'tools/simulator/dist/main.js');
const simulatorBuilt = existsSync(SIMULATOR) && !readFileSync(SIMULATOR, 'utf8').includes('not built yet');
const PHASE_MS = 180_000;

interface Launched {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dashboard: string;
  ingest: string;
  user: string;
  password: string;
  pids: number[];
  ports: number[];
}

const launched: ChildProcess[] = [];
const allPids = new Set<number>();

async function launch(dataDir: string): Promise<Launched> {
  const child = spawn(process.execPath, [LAUNCHER, '--data-dir', dataDir, '--random-ports', '--no-simulator'], {
    cwd: ROOT,
    env: { ...process.env, ETL_INTERVAL_SECONDS: '2', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const until = Date.now() + PHASE_MS;
  while (!/Data: /.test(out)) {
    if (child.exitCode !== null) {
      // the launcher's own verdict ("stack: … did not start: …") can be far above the shutdown lines
      const verdict = out.split('\n').filter((line) => /stack: |did not start|exited unexpectedly/.test(line));
      throw new Error(`the launcher exited (${child.exitCode}) before the stack was up:\n${verdict.slice(-12).join('\n')}\n…\n${out.slice(-3000)}`);
    }
    if (Date.now() > until) throw new Error(`no dashboard URL within ${PHASE_MS / 1000} s:\n${out.slice(-5000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const dashboard = /Dashboard:\s+(\S+)/.exec(out)?.[1] as string;
  const [, user, password] = /Login:\s+(\S+) \/ (\S+)/.exec(out) ?? [];
  const ingest = /Ingest:\s+(\S+)/.exec(out)?.[1] as string;
  const pids = [...(/Processes:\s+(.*)/.exec(out)?.[1] ?? '').matchAll(/=(\d+)/g)].map((m) => Number(m[1]));
  pids.forEach((p) => allPids.add(p));
  const record = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as { ports: Record<string, number> };
  return { child, output: () => out, exit, dashboard: dashboard.replace(/\/$/, ''), ingest, user: user as string, password: password as string, pids, ports: Object.values(record.ports) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function login(s: Launched): Promise<string> {
  const res = await fetch(`${s.dashboard}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: s.user, password: s.password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie');
  expect(cookie).toBeTruthy();
  return (cookie as string).split(';')[0] as string;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function overviewEvents(s: Launched, cookie: string): Promise<number> {
  const res = await fetch(`${s.dashboard}/api/overview?site=default&from=${day(-60)}&to=${day(1)}&bots=include`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: number }).events;
}

async function waitForEvents(s: Launched, cookie: string, expected: number): Promise<number> {
  const until = Date.now() + PHASE_MS;
  let last = -1;
  while (Date.now() < until) {
    last = await overviewEvents(s, cookie);
    if (last >= expected) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return last;
}

async function exitWithin(s: Launched, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([s.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopCleanly(s: Launched): Promise<void> {
  s.child.kill('SIGINT');
  const result = await exitWithin(s, PHASE_MS);
  expect(result).toEqual({ code: 0, signal: null });
  expect(s.output()).toContain('stack: stopped cleanly');
  for (const pid of s.pids) expect(alive(pid)).toBe(false);
  for (const port of s.ports) expect(await listening(port)).toBe(false);
}

// The seeds' curl examples (shared/seeds 001 and 004), host and port adapted.
const SEED_001 = [
  { event_type: 'session_created', user_id: 'user_001', session_id: 'session_001' },
  { event_type: 'page_visited', user_id: 'user_001', session_id: 'session_001', page_path: '/home' },
  { event_type: 'button_clicked', user_id: 'user_001', session_id: 'session_001', page_path: '/home', button_id: 'signup_btn' },
  { event_type: 'page_closed', user_id: 'user_001', session_id: 'session_001', page_path: '/home' },
  { event_type: 'session_ended', user_id: 'user_001', session_id: 'session_001' },
];
const SEED_004 = { type: 'page_view', user_id: 'user123', session_id: 'session456', url: 'https://example.com/home', path: '/home' };

describe('npm start: the embedded stack', () => {
  let dataDir: string;
  let first: Launched;
  let sent = 0;
  let counted = 0;

  beforeAll(() => {
    // The launcher makes the directory reachable for the `postgres` user when it runs as root.
    dataDir = mkdtempSync(join(tmpdir(), 'clickstream-stack-'));
  });

  afterAll(async () => {
    for (const child of launched) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of allPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    // PostgreSQL runs under its own process; a killed launcher's child stops it when its stdin closes.
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'starts and prints the dashboard, the login and the ingest URL',
    async () => {
      const t0 = Date.now();
      first = await launch(dataDir);
      console.info(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      expect(first.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.password.length).toBeGreaterThanOrEqual(8);
      expect(first.output()).toMatch(/curl -X POST http:\/\/127\.0\.0\.1:\d+\/api\/events/);
      for (const name of ['kafka-dev-broker', 'postgres', 's3', 'migrations', 'ingest', 'stream-consumer', 'etl', 'web']) {
        expect(first.output()).toMatch(new RegExp(`✓ ${name}\\s+healthy in [\\d.]+ s`));
      }
    },
    PHASE_MS + 10_000,
  );

  it(
    "accepts the seeds' curl examples",
    async () => {
      for (const event of SEED_001) {
        const { status, json } = await post(`${first.ingest}/api/events`, event);
        expect(status).toBe(202);
        expect(json).toMatchObject({ status: 'queued', message: 'Event successfully queued to clickstream.events' });
        sent += 1;
      }
      const { status, json } = await post(`${first.ingest}/event`, SEED_004);
      expect(status).toBe(202);
      expect(json).toMatchObject({ status: 'accepted' });
      sent += 1;
    },
    60_000,
  );

  (simulatorBuilt ? it : it.skip)(
    'takes a simulator burst',
    async () => {
      const out = execFileSync(process.execPath, [SIMULATOR, '--ingest-url', first.ingest, '--seed', '1', '--max-events', '500', '--no-pace', '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: PHASE_MS,
      });
      const summary = JSON.parse(out.trim().split('\n').pop() as string) as { sent: number; accepted: number; rejected: number };
      expect(summary.sent).toBeGreaterThan(0);
      expect(summary.accepted).toBeGreaterThan(0);
      sent += summary.accepted;
    },
    PHASE_MS + 10_000,
  );

  it(
    'shows every event on the overview once the ETL has loaded them',
    async () => {
      const t0 = Date.now();
      const cookie = await login(first);
      counted = await waitForEvents(first, cookie, sent);
      console.info(`ETL rows on the overview ${((Date.now() - t0) / 1000).toFixed(1)} s after the last event was sent`);
      expect(counted).toBe(sent);
      // Another ETL run later, still the same number: nothing is loaded twice.
      await new Promise((r) => setTimeout(r, 5000));
      expect(await overviewEvents(first, cookie)).toBe(sent);
    },
    PHASE_MS + 20_000,
  );

  it(
    'stops cleanly on SIGINT: exit 0, no process left, every port free',
    async () => {
      await stopCleanly(first);
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    },
    PHASE_MS + 20_000,
  );

  it(
    'restarts on the same data with the same login and the same numbers',
    async () => {
      const second = await launch(dataDir);
      try {
        expect(second.password).toBe(first.password);
        expect(second.output()).not.toContain('initialising a new PostgreSQL cluster');
        const cookie = await login(second);
        expect(await overviewEvents(second, cookie)).toBe(counted);
      } finally {
        await stopCleanly(second);
      }
    },
    2 * PHASE_MS + 20_000,
  );

  it(
    'after a launcher killed with SIGKILL, stops what it left and starts again on the same data',
    async () => {
      const third = await launch(dataDir);
      third.child.kill('SIGKILL');
      await third.exit;
      const fourth = await launch(dataDir);
      try {
        expect(fourth.output()).toMatch(/stopped processes an earlier launcher left running|stale .*postmaster\.pid|stopped PostgreSQL/);
        for (const pid of third.pids) expect(alive(pid)).toBe(false);
        const cookie = await login(fourth);
        expect(await overviewEvents(fourth, cookie)).toBe(counted);
      } finally {
        await stopCleanly(fourth);
      }
    },
    3 * PHASE_MS,
  );

  it(
    'stops everything and exits non-zero when a component dies',
    async () => {
      const fifth = await launch(dataDir);
      const etlPid = Number(/etl=(\d+)/.exec(fifth.output())?.[1]);
      process.kill(etlPid, 'SIGKILL');
      const result = await exitWithin(fifth, PHASE_MS);
      expect(result).toEqual({ code: 1, signal: null });
      expect(fifth.output()).toContain('etl exited unexpectedly (signal SIGKILL)');
      expect(fifth.output()).toContain('the last lines of etl');
      for (const pid of fifth.pids) expect(alive(pid)).toBe(false);
    },
    2 * PHASE_MS,
  );
});
