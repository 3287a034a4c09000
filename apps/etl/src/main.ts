#!/usr/bin/env node
// Entry point of apps/etl: parses the command line and the environment, then starts the app.

import { loadConfigOrExit, parseCli } from '@clickstream/runtime';
import { EtlConfigSchema } from './config';
import { usageSpec } from './usage';

parseCli(usageSpec);
loadConfigOrExit(EtlConfigSchema, { service: 'etl' });
process.stderr.write('etl: configuration is valid, but the app itself is not built yet (issue 7)\n');
process.exitCode = 1;
