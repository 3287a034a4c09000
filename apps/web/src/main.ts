#!/usr/bin/env node
// Entry point of apps/web: parses the command line and the environment, then starts the app.

import { loadConfigOrExit, parseCli } from '@clickstream/runtime';
import { WebConfigSchema } from './config';
import { usageSpec } from './usage';

parseCli(usageSpec);
loadConfigOrExit(WebConfigSchema, { service: 'web' });
process.stderr.write('web: configuration is valid, but the app itself is not built yet (issue 8)\n');
process.exitCode = 1;
