// What `etl --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { EtlConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'etl',
  summary: 'Loads the raw archive into the warehouse and rebuilds the analytics models.',
  usage: ["serve                       run every ETL_INTERVAL_SECONDS (default)", "run --once                  one run, then exit", "backfill --from DATE --to DATE", "retention --days N [--dry-run]"],
  options: {},
  envSchema: EtlConfigSchema,
};
