#!/usr/bin/env node
// kafka-dev-broker CLI: a Kafka-protocol broker for development and tests. Never for production.

import { parseArgs } from 'node:util';

const USAGE = `Usage: kafka-dev-broker [--port 9092] [--data-dir .data/kafka]

A single-node Kafka-protocol broker in TypeScript for development and tests: unmodified kafkajs
and kcat talk to it. It is NOT for production: one node, no replication, no security.

Options:
  --port <n>          TCP port to listen on (default 9092; 0 picks a free one)
  --host <addr>       address to listen on (default 127.0.0.1)
  --data-dir <dir>    where partitions, offsets and topic metadata are kept (default .data/kafka)
  -h, --help          show this help

Environment:
  LOG_LEVEL           fatal|error|warn|info|debug|trace (default info; debug logs every connection)
`;

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '9092' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string', default: '.data/kafka' },
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
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`kafka-dev-broker: --port must be 0..65535 (got "${values.port}")\n`);
    return 2;
  }
  process.stderr.write('kafka-dev-broker: the protocol server is not built yet (issue 4); only framing exists\n');
  return 1;
}

process.exitCode = main();
