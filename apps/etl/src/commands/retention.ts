// `etl retention --days N [--dry-run]`: applies (or only counts) retention and prints the report as
// one JSON line on stdout.

import type { EtlConfig } from '../config';
import { createCommandLogger } from '../cli-support';
import { connect, prepare } from '../connect';
import { runRetention } from '../retention';

export async function retention(config: EtlConfig, options: { days: number; dryRun: boolean }): Promise<number> {
  const logger = createCommandLogger(config);
  const connections = connect(config, logger);
  try {
    await prepare(config, connections);
    const report = await runRetention({ sql: connections.warehouse.sql, archive: connections.archive, logger }, options);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await connections.close();
  }
}
