// What `web --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { WebConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'web',
  summary: 'Analyst API, live WebSocket and the React dashboard.',
  usage: ["[--help]"],
  options: {},
  envSchema: WebConfigSchema,
};
