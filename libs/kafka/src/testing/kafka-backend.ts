// Which Kafka the integration tests talk to: KAFKA_BROKERS when it is set (a real Kafka), else a
// real Kafka in a container when testcontainers finds a container runtime, else the dev broker
// started as a child process from its build (libs may not import tools).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface KafkaBackend {
  brokers: string;
  name: string;
  stop(): Promise<void>;
}

const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.5.0';

export async function startKafkaBackend(): Promise<KafkaBackend> {
  const external = process.env['KAFKA_BROKERS'];
  const backend = external
    ? { brokers: external, name: `Kafka at ${external}`, stop: async () => undefined }
    : ((await startContainerKafka()) ?? (await startDevBrokerBackend()));
  // Say which backend ran, so a green run on the dev broker is not mistaken for one on Kafka.
  console.info(`libs/kafka integration tests are running against ${backend.name}`);
  return backend;
}

async function startContainerKafka(): Promise<KafkaBackend | undefined> {
  let KafkaContainer: typeof import('@testcontainers/kafka').KafkaContainer;
  try {
    ({ KafkaContainer } = await import('@testcontainers/kafka'));
  } catch {
    return undefined; // testcontainers is a development dependency; without it, no containers
  }
  try {
    const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
    return {
      brokers: `${container.getHost()}:${container.getMappedPort(9093)}`,
      name: `Kafka in a container (${KAFKA_IMAGE})`,
      stop: async () => {
        await container.stop();
      },
    };
  } catch (err) {
    if (/container runtime strategy/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

export interface DevBroker {
  brokers: string;
  port: number;
  dataDir: string;
  /** Clean stop (SIGTERM); the data stays, so a new broker on the same dir and port resumes it. */
  stop(): Promise<void>;
  /** Crash (SIGKILL). */
  kill(): Promise<void>;
}

/** The dev broker as a child process (its build must exist). */
export async function startDevBroker(options: { dataDir?: string; port?: number } = {}): Promise<DevBroker> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'clickstream-kafka-'));
  const main = resolve(__dirname, '../../../../tools/kafka-dev-broker/dist/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, '--port', String(options.port ?? 0), '--data-dir', dataDir], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
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
    child.once('exit', (code) => rej(new Error(`dev broker exited ${code}: ${stderr} (is tools/kafka-dev-broker built?)`)));
  });
  const signal = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return { brokers, port: Number(brokers.split(':').pop()), dataDir, stop: signal('SIGTERM'), kill: signal('SIGKILL') };
}

async function startDevBrokerBackend(): Promise<KafkaBackend> {
  const broker = await startDevBroker();
  return {
    brokers: broker.brokers,
    name: 'kafka-dev-broker (no KAFKA_BROKERS, no container runtime)',
    stop: async () => {
      await broker.stop();
      rmSync(broker.dataDir, { recursive: true, force: true });
    },
  };
}

