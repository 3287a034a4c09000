#!/usr/bin/env node
// Entry point of apps/stream-consumer: parses the command line and the environment, then starts the app.

import { loadConfigOrExit, parseCli } from '@clickstream/runtime';
import { StreamConsumerConfigSchema } from './config';
import { usageSpec } from './usage';

parseCli(usageSpec);
loadConfigOrExit(StreamConsumerConfigSchema, { service: 'stream-consumer' });
process.stderr.write('stream-consumer: configuration is valid, but the app itself is not built yet (issue 6)\n');
process.exitCode = 1;
