// What `ingest --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { IngestConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'ingest',
  summary: 'HTTP collector: validates and enriches events and writes them to Kafka; serves tracker.js. Geo data: DB-IP Lite (CC BY 4.0, https://db-ip.com).',
  usage: ['[--help] [--version]'],
  options: {},
  envSchema: IngestConfigSchema,
};
