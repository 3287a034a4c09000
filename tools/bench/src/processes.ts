// Child processes for benchmarks: start a program, wait for its ready line, read its peak RSS.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export { freePort } from '@clickstream/runtime/testing';

/** One process's peak resident memory so far (VmHWM, from /proc), in bytes. */
export interface ProcessPeak {
  pid: number;
  /** The started process itself, or one of its child processes (e.g. a node:cluster worker). */
  role: 'main' | 'child';
  bytes: number;
}

export interface Service {
  child: ChildProcess;
  /** Peak resident memory so far (VmHWM), in bytes, of the process and its child processes, summed. */
  peakRss(): number;
  /** Peak resident memory so far (VmHWM) of the process and of each live child process, the process first. */
  peakRssByProcess(): ProcessPeak[];
  stop(): Promise<void>;
}

/** A process's peak resident memory so far (VmHWM, from /proc), in bytes; 0 when it cannot be read. */
export function peakRssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The direct child processes of `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}


/** Spawns `node <script> ...args` and resolves when stdout or stderr matches `ready`. */
export function startService(script: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Service> {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not become ready: ${output.slice(-2000)}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        const pid = child.pid as number;
        const peaks = (): ProcessPeak[] => [
          { pid, role: 'main', bytes: peakRssOf(pid) },
          ...childPids(pid).map((c): ProcessPeak => ({ pid: c, role: 'child', bytes: peakRssOf(c) })),
        ];
        resolve({
          child,
          peakRss: () => peaks().reduce((sum, p) => sum + p.bytes, 0),
          peakRssByProcess: peaks,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${output.slice(-2000)}`));
    });
  });
}
