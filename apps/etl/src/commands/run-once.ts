// `etl run --once`: one run, its summary as one JSON line on stdout; exit 1 when it failed.

import type { EtlConfig } from '../config';
import { createCommandLogger, INTERRUPTED_EXIT_CODE, onInterrupt } from '../cli-support';
import { connect, prepare } from '../connect';
import { runEtl } from '../loader/run-etl';

export async function runOnce(config: EtlConfig): Promise<number> {
  const logger = createCommandLogger(config);
  const connections = connect(config, logger);
  const interrupt = onInterrupt(logger);
  try {
    await prepare(config, connections);
    const summary = await runEtl({ sql: connections.warehouse.sql, archive: connections.archive, logger }, { signal: interrupt.signal, concurrency: config.ETL_CONCURRENCY });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (summary.status === 'failed') return 1;
    return summary.stopped ? INTERRUPTED_EXIT_CODE : 0;
  } finally {
    interrupt.dispose();
    await connections.close();
  }
}
