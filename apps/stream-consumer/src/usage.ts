// What `stream-consumer --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { StreamConsumerConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'stream-consumer',
  summary: 'Archives raw events to S3 and keeps per-minute live rollups in PostgreSQL.',
  usage: ["[--help]"],
  options: {},
  envSchema: StreamConsumerConfigSchema,
};
