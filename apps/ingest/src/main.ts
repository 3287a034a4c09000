#!/usr/bin/env node
// Entry point of apps/ingest: parses the command line and the environment, then starts the app.

import { loadConfigOrExit, parseCli } from '@clickstream/runtime';
import { IngestConfigSchema } from './config';
import { usageSpec } from './usage';

parseCli(usageSpec);
loadConfigOrExit(IngestConfigSchema, { service: 'ingest' });
process.stderr.write('ingest: configuration is valid, but the app itself is not built yet (issue 5)\n');
process.exitCode = 1;
