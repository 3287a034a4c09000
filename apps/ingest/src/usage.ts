// What `ingest --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { IngestConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'ingest',
  summary: 'HTTP collector: validates and enriches events and writes them to Kafka; serves tracker.js.',
  usage: ["[--help]"],
  options: {},
  envSchema: IngestConfigSchema,
};
