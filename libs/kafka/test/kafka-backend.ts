// Which Kafka the integration tests talk to: KAFKA_BROKERS when it is set (a real Kafka), else
// the dev broker started as a child process from its build (libs may not import tools).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface KafkaBackend {
  brokers: string;
  name: string;
  stop(): Promise<void>;
}

export const BACKEND_NAME = process.env['KAFKA_BROKERS'] ? `Kafka at ${process.env['KAFKA_BROKERS']}` : 'kafka-dev-broker';

export async function startKafkaBackend(): Promise<KafkaBackend> {
  const external = process.env['KAFKA_BROKERS'];
  if (external) return { brokers: external, name: BACKEND_NAME, stop: async () => undefined };
  const dataDir = mkdtempSync(join(tmpdir(), 'libs-kafka-'));
  const main = resolve(__dirname, '../../../tools/kafka-dev-broker/dist/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const brokers = await new Promise<string>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`dev broker did not start: ${stderr}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on (\S+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.on('exit', (code) => rej(new Error(`dev broker exited ${code}: ${stderr} (is tools/kafka-dev-broker built?)`)));
  });
  return {
    brokers,
    name: BACKEND_NAME,
    stop: () =>
      new Promise<void>((res) => {
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          res();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
