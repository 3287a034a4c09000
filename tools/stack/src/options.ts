// Command line of the launcher: a pure function of argv and the environment, so it is unit-tested.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const PORT_NAMES = ['broker', 'postgres', 's3', 'ingest', 'consumer', 'etl', 'web'] as const;
export type PortName = (typeof PORT_NAMES)[number];
export type Ports = Record<PortName, number>;

export const DEFAULT_PORTS: Ports = { broker: 9092, postgres: 5433, s3: 9000, ingest: 8000, consumer: 9101, etl: 9102, web: 3000 };

/** Environment variables that move one port (tests, or a port already in use). */
export const PORT_ENV: Record<PortName, string> = {
  broker: 'STACK_KAFKA_PORT',
  postgres: 'STACK_POSTGRES_PORT',
  s3: 'STACK_S3_PORT',
  ingest: 'STACK_INGEST_PORT',
  consumer: 'STACK_CONSUMER_PORT',
  etl: 'STACK_ETL_PORT',
  web: 'STACK_WEB_PORT',
};

export interface StackOptions {
  help: boolean;
  quiet: boolean;
  simulator: boolean;
  reset: boolean;
  yes: boolean;
  dataDir: string;
  /** Fixed ports; `random` ones are picked free at start (0 here). */
  ports: Ports;
  randomPorts: boolean;
}

export const USAGE = `Usage: npm start -- [options]
       node tools/stack/dist/main.js [options]

Starts Clickstream locally with nothing to install: the dev Kafka broker, PostgreSQL 17
(embedded), an S3 server (s3rver), the warehouse migrations, ingest, stream-consumer, etl, web
and the traffic simulator, in this order, each waiting for the previous to be healthy. Ctrl-C
stops everything in reverse order; running again resumes with the same data.

Options:
  --quiet              only the launcher's own lines and errors, not the services' logs
  --no-simulator       start without generated traffic
  --reset              wipe the data directory first (asks; --yes skips the question)
  --yes                answer yes to --reset's question
  --data-dir <dir>     where everything is kept (default .data at the repository root)
  --port-base <n>      use ports n..n+6 (Kafka, PostgreSQL, S3, ingest, stream-consumer, etl, web)
  --random-ports       pick free ports (tests)
  -h, --help           show this help

Environment:
  DATABASE_URL         use this PostgreSQL instead of the embedded one
  S3_ENDPOINT          use this S3 (with S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY) instead of s3rver
  ETL_INTERVAL_SECONDS seconds between ETL runs (default 15)
  ${PORT_NAMES.map((n) => `${PORT_ENV[n]}`).join(', ')}
                       move one port (default ${PORT_NAMES.map((n) => DEFAULT_PORTS[n]).join(', ')})
  NO_COLOR             plain log prefixes on a terminal
`;

export class UsageError extends Error {}

function portNumber(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`${what} must be a port number 1-65535 (got "${text}")`);
  return n;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, repoRoot: string): StackOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        quiet: { type: 'boolean', default: false },
        'no-simulator': { type: 'boolean', default: false },
        reset: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        'data-dir': { type: 'string' },
        'port-base': { type: 'string' },
        'random-ports': { type: 'boolean', default: false },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values['port-base'] !== undefined && values['random-ports']) throw new UsageError('--port-base and --random-ports do not go together');
  const ports: Ports = { ...DEFAULT_PORTS };
  if (values['port-base'] !== undefined) {
    const base = portNumber(values['port-base'], '--port-base');
    if (base + PORT_NAMES.length - 1 > 65535) throw new UsageError('--port-base is too high: 7 ports from it must fit under 65536');
    PORT_NAMES.forEach((name, i) => (ports[name] = base + i));
  }
  for (const name of PORT_NAMES) {
    const v = env[PORT_ENV[name]];
    if (v !== undefined && v !== '') ports[name] = portNumber(v, PORT_ENV[name]);
  }
  if (values['random-ports']) for (const name of PORT_NAMES) if (!env[PORT_ENV[name]]) ports[name] = 0;
  const dataDir = values['data-dir'] ?? '.data';
  return {
    help: values.help === true,
    quiet: values.quiet === true,
    simulator: values['no-simulator'] !== true,
    reset: values.reset === true,
    yes: values.yes === true,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(values['data-dir'] === undefined ? repoRoot : process.cwd(), dataDir),
    ports,
    randomPorts: values['random-ports'] === true,
  };
}
