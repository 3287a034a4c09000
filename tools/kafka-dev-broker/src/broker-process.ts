// Runs the broker CLI (dist/main.js) as a child process, for tests and benchmarks that need a
// broker they can kill -9 or that must not share the caller's CPU time.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BROKER_MAIN = resolve(__dirname, '../dist/main.js');

export interface BrokerProcess {
  child: ChildProcess;
  /** `host:port`, for KAFKA_BROKERS. */
  address: string;
  port: number;
  /** What the broker wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait for the exit (a clean stop). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit (a crash). */
  kill(): Promise<void>;
}

/** Starts `dist/main.js` and resolves once it prints its address (the build must exist). */
export function spawnBrokerProcess(dataDir: string, options: { port?: number; args?: string[]; logLevel?: string } = {}): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [BROKER_MAIN, '--port', String(options.port ?? 0), '--data-dir', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, LOG_LEVEL: options.logLevel ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const signal = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`kafka-dev-broker did not start within 20 s: ${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ child, address: `${m[1]}:${m[2]}`, port: Number(m[2]), stderr: () => err, stop: signal('SIGTERM'), kill: signal('SIGKILL') });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`kafka-dev-broker exited with ${code} before it was ready: ${err}`));
    });
  });
}
