#!/usr/bin/env node
// tools/simulator CLI: realistic clickstream traffic sent through ingest's HTTP API.
// A thin wrapper: everything is in cli.ts / run.ts (exported from index.ts for tests and tools).
// Usage: main.js [--config F] [--ingest-url U] [--write-key K] [--users N] [--duration D] [--rate N]
//        [--max-events N] [--seed S] [--start T] [--site H] [--batch-size N] [--malformed-rate P] [--quiet]
// (`--help` prints all of them.) Ends with one JSON summary line on stdout.

import { runCli } from './cli';

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals++;
    if (signals > 1) {
      process.stderr.write('simulator: stopping now\n');
      process.exit(130);
    }
    process.stderr.write(`\nsimulator: ${sig}: stopping after the batch in flight\n`);
    controller.abort();
  });
}

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`simulator: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
