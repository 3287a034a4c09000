// Builds what every etl command works with from the configuration: the warehouse pool (on
// DATABASE_SCHEMA) and the raw archive; migrates the warehouse unless MIGRATE=false.

import { createRawArchive, type RawArchive } from '@clickstream/archive';
import type { Logger } from '@clickstream/runtime';
import { createWarehouse, type Warehouse } from '@clickstream/warehouse';
import type { EtlConfig } from './config';

export interface EtlConnections {
  warehouse: Warehouse;
  archive: RawArchive;
  /** Closes the pool and the S3 client. */
  close(): Promise<void>;
}

export function connect(config: EtlConfig, logger: Logger): EtlConnections {
  // A connection per object in flight, one for the run's lock, one for the rest (health checks, listing).
  const warehouse = createWarehouse({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: config.ETL_CONCURRENCY + 2, logger });
  const archive = createRawArchive(config, { logger });
  return {
    warehouse,
    archive,
    async close() {
      archive.close();
      await warehouse.close();
    },
  };
}

/** The start-up steps of every command: pending migrations (unless MIGRATE=false) and the bucket. */
export async function prepare(config: EtlConfig, connections: EtlConnections): Promise<void> {
  if (config.MIGRATE) await connections.warehouse.migrate();
  await connections.archive.ensureBucket();
}
