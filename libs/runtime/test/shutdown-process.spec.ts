// Shutdown in a real child process: real signals, real process.exit codes. The child loads
// src/shutdown.ts compiled with SWC (the compiler Jest uses), so no build is needed first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformFileSync } from '@swc/core';

let dir: string;
let compiled: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtime-shutdown-'));
  compiled = join(dir, 'shutdown.js');
  const { code } = transformFileSync(join(__dirname, '../src/shutdown.ts'), {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  writeFileSync(compiled, code);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLine(msg: string): Promise<void>;
}

function startChild(mode: string): Child {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures/shutdown-child.cjs'), compiled, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  // Bounded: a line that never comes fails the test with what the child said instead of hanging it.
  const waitForLine = async (msg: string) => {
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => l['msg'] === msg)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`child never logged "${msg}"; stdout=${JSON.stringify(lines)} stderr=${stderr}`);
      }
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return { process: child, lines, exited, waitForLine };
}

const stepsRun = (child: Child) => child.lines.filter((l) => l['msg'] === 'step').map((l) => l['step']);

describe('shutdown in a real process', () => {
  jest.setTimeout(15_000);

  it('on SIGTERM runs the steps in order and exits 0', async () => {
    const child = startChild('ok');
    await child.waitForLine('ready');
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(stepsRun(child)).toEqual(['stop accepting', 'drain', 'disconnect']);
    expect(child.lines).toContainEqual(expect.objectContaining({ msg: 'shutting down', reason: 'signal SIGTERM' }));
    expect(child.lines.at(-1)).toMatchObject({ msg: 'shutdown complete', exit_code: 0 });
  });

  it('exits 1 when the deadline passes, naming the step that hung', async () => {
    const child = startChild('deadline');
    await child.waitForLine('ready');
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(stepsRun(child)).toEqual(['stop accepting', 'drain']);
    expect(child.lines.at(-1)).toMatchObject({ level: 'error', step: 'drain', timeout_ms: 300 });
  });

  it('exits at once with 143 on a second SIGTERM', async () => {
    const child = startChild('hang');
    await child.waitForLine('ready');
    child.process.kill('SIGTERM');
    await child.waitForLine('step');
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 143, signal: null });
    expect(child.lines.at(-1)).toMatchObject({ level: 'warn', signal: 'SIGTERM', exit_code: 143 });
  });

  it('exits at once with 130 on a second SIGINT', async () => {
    const child = startChild('hang');
    await child.waitForLine('ready');
    child.process.kill('SIGINT');
    await child.waitForLine('step');
    child.process.kill('SIGINT');
    expect(await child.exited).toEqual({ code: 130, signal: null });
  });

  it('on an uncaught exception logs fatal, runs the steps and exits 1', async () => {
    const child = startChild('crash');
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.lines).toContainEqual(expect.objectContaining({ level: 'fatal', msg: 'uncaught exception', err: 'boom' }));
    expect(stepsRun(child)).toEqual(['stop accepting', 'drain', 'disconnect']);
  });
});
