#!/usr/bin/env node
// Entry point of apps/etl: parses the command line and the environment, then hands over to the
// command (serve — the default —, run --once, backfill, retention).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit } from '@clickstream/runtime';
import { failMissingDays, parseCommandLine } from './command-line';
import { backfill } from './commands/backfill';
import { retention } from './commands/retention';
import { runOnce } from './commands/run-once';
import { serve } from './commands/serve';
import { EtlConfigSchema } from './config';

const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2), { version });
  const config = loadConfigOrExit(EtlConfigSchema, { service: 'etl' });
  switch (command.name) {
    case 'serve':
      return serve(config, version);
    case 'run':
      process.exitCode = await runOnce(config);
      return;
    case 'backfill':
      process.exitCode = await backfill(config, command);
      return;
    case 'retention': {
      const days = command.days ?? config.RETENTION_DAYS ?? failMissingDays();
      process.exitCode = await retention(config, { days, dryRun: command.dryRun });
      return;
    }
  }
}

main().catch((err: unknown) => {
  // Operational failures (PostgreSQL or S3 unreachable at start, say) get one line; bugs their stack.
  const { message, code, stack } = err as { message?: string; code?: unknown; stack?: string };
  process.stderr.write(`etl: ${typeof code === 'string' ? `${message ?? String(err)} (${code})` : (stack ?? String(err))}\n`);
  process.exit(1);
});
