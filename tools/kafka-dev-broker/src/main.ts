#!/usr/bin/env node
// kafka-dev-broker CLI: a Kafka-protocol broker for development and tests. Never for production.

import { parseArgs } from 'node:util';
import { startBroker } from './broker';
import { createLogger, isLogLevel } from './logger';

const USAGE = `Usage: kafka-dev-broker [--port 9092] [--data-dir .data/kafka] [options]

A single-node Kafka-protocol broker in TypeScript for development and tests: unmodified kafkajs
and kcat talk to it. It is NOT for production: one node, no replication, no security (no TLS,
no SASL), no transactions.

Options:
  --port <n>              TCP port (default 9092; 0 picks a free one)
  --host <addr>           address to listen on (default 127.0.0.1)
  --advertised-host <h>   host name clients are told to use (default: the listen address)
  --data-dir <dir>        where partitions, offsets and topic metadata live (default .data/kafka)
  --partitions <n>        partitions of auto-created topics (default 6)
  --no-auto-create        refuse unknown topics instead of creating them
  --fsync <policy>        always | interval | never (default interval: every --fsync-interval-ms)
  --fsync-interval-ms <n> default 1000
  --segment-bytes <n>     roll a partition's segment at this size (default 67108864)
  --retention-bytes <n>   keep at most this much per partition (default: unlimited)
  --retention-hours <n>   delete closed segments older than this (default: unlimited)
  -h, --help              show this help

Environment:
  LOG_LEVEL               trace|debug|info|warn|error|silent (default info; debug logs every connection)
`;

function positiveInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got "${value}")`);
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '9092' },
        host: { type: 'string', default: '127.0.0.1' },
        'advertised-host': { type: 'string' },
        'data-dir': { type: 'string', default: '.data/kafka' },
        partitions: { type: 'string', default: '6' },
        'no-auto-create': { type: 'boolean', default: false },
        fsync: { type: 'string', default: 'interval' },
        'fsync-interval-ms': { type: 'string' },
        'segment-bytes': { type: 'string' },
        'retention-bytes': { type: 'string' },
        'retention-hours': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`kafka-dev-broker: ${(err as Error).message}\nrun with --help for usage\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const level = process.env['LOG_LEVEL'] ?? 'info';
  if (!isLogLevel(level)) {
    process.stderr.write(`kafka-dev-broker: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "${level}")\n`);
    return 1;
  }
  let options;
  try {
    const port = positiveInt('port', values.port) as number;
    if (port > 65535) throw new Error(`--port must be 0..65535 (got "${values.port}")`);
    const fsync = values.fsync;
    if (fsync !== 'always' && fsync !== 'interval' && fsync !== 'never') throw new Error(`--fsync must be always, interval or never (got "${fsync}")`);
    const partitions = positiveInt('partitions', values.partitions) as number;
    if (partitions < 1) throw new Error('--partitions must be at least 1');
    const retentionHours = positiveInt('retention-hours', values['retention-hours']);
    options = {
      port,
      host: values.host,
      advertisedHost: values['advertised-host'],
      dataDir: values['data-dir'],
      defaultPartitions: partitions,
      autoCreateTopics: !values['no-auto-create'],
      fsync,
      fsyncIntervalMs: positiveInt('fsync-interval-ms', values['fsync-interval-ms']),
      segmentBytes: positiveInt('segment-bytes', values['segment-bytes']),
      retentionBytes: positiveInt('retention-bytes', values['retention-bytes']),
      retentionMs: retentionHours === undefined ? undefined : retentionHours * 3_600_000,
    } as const;
  } catch (err) {
    process.stderr.write(`kafka-dev-broker: ${(err as Error).message}\n`);
    return 2;
  }
  const logger = createLogger(level);
  const broker = await startBroker({ ...options, logger });
  process.stdout.write(`kafka-dev-broker ready on ${broker.address} (data in ${options.dataDir}) — for development only\n`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      logger.info('stopping', { signal });
      broker.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('stop failed', { error: (err as Error).message });
          process.exit(1);
        },
      );
    });
  }
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kafka-dev-broker: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
