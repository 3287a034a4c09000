#!/usr/bin/env node
// tools/simulator CLI: realistic clickstream traffic sent through ingest's HTTP API.

import { parseArgs } from 'node:util';

const USAGE = `Usage: simulator [--config sim.yaml] [--ingest-url http://localhost:8000] [--seed S] [--users N] [--duration 60s] [--rate N]

Generates realistic traffic — users with sessions, page paths, clicks, scrolls, purchases,
referrers, UTM campaigns, several devices and a share of bots — and sends it to ingest in batches.

Options:
  --config <file>      YAML or JSON simulation config (users, duration, rate, probabilities)
  --ingest-url <url>   where ingest listens (default http://localhost:8000)
  --write-key <key>    write key to send, when ingest has WRITE_KEYS
  --seed <s>           makes the traffic repeatable
  -h, --help           show this help
`;

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        'ingest-url': { type: 'string', default: 'http://localhost:8000' },
        'write-key': { type: 'string' },
        seed: { type: 'string' },
        users: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`simulator: ${(err as Error).message}\nrun with --help for usage\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write('simulator: traffic generation is not built yet (issue 9); only the seeded random source exists\n');
  return 1;
}

process.exitCode = main();
