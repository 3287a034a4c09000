// `etl backfill --from --to`: reloads every raw object of those days with a progress display on
// stderr, rebuilds the models of the range, and prints the run summary as one JSON line on stdout.

import type { EtlConfig } from '../config';
import { createCommandLogger, INTERRUPTED_EXIT_CODE, onInterrupt } from '../cli-support';
import { connect, prepare } from '../connect';
import { runEtl } from '../loader/run-etl';
import { createProgressReporter } from '../progress';

export async function backfill(config: EtlConfig, range: { from: string; to: string }): Promise<number> {
  const logger = createCommandLogger(config);
  const connections = connect(config, logger);
  const interrupt = onInterrupt(logger);
  const progress = createProgressReporter({ stream: process.stderr });
  try {
    await prepare(config, connections);
    const summary = await runEtl(
      { sql: connections.warehouse.sql, archive: connections.archive, logger },
      { backfill: range, signal: interrupt.signal, onProgress: (p) => progress.update(p), concurrency: config.ETL_CONCURRENCY },
    );
    progress.stop();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (summary.status === 'failed') return 1;
    return summary.stopped ? INTERRUPTED_EXIT_CODE : 0;
  } finally {
    progress.stop();
    interrupt.dispose();
    await connections.close();
  }
}
