// Test helpers: temporary data dirs, the broker as a child process (for kill -9), bounded waits.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BROKER_MAIN = resolve(__dirname, '../dist/main.js');

export function tempDir(prefix = 'kdb-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface BrokerProcess {
  child: ChildProcess;
  address: string;
  port: number;
  stderr: () => string;
}

/** Starts dist/main.js and resolves once it prints its address. */
export function spawnBroker(dataDir: string, port = 0, extraArgs: string[] = []): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [BROKER_MAIN, '--port', String(port), '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, address: `${m[1]}:${m[2]}`, port: Number(m[2]), stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before it was ready: ${err}`));
    });
  });
}

export function killHard(p: BrokerProcess): Promise<void> {
  return new Promise((res) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return res();
    p.child.once('exit', () => res());
    p.child.kill('SIGKILL');
  });
}
