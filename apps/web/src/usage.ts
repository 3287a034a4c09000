// What `web --help` prints.

import type { UsageSpec } from '@clickstream/runtime';
import { WebConfigSchema } from './config';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'web',
  summary: 'Analyst API (/api, OpenAPI at /api/docs), live WebSocket (/ws/live) and the React dashboard, on WEB_PORT.',
  usage: ['[--help] [--version]'],
  options: {},
  envSchema: WebConfigSchema,
};
