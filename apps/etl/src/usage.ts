// What `etl --help` and `etl <command> --help` print: the commands, their options, the environment.

import type { CliOptions, UsageSpec } from '@clickstream/runtime';
import { EtlConfigSchema } from './config';

export const COMMANDS = ['serve', 'run', 'backfill', 'retention'] as const;
export type CommandName = (typeof COMMANDS)[number];

const SUMMARY = 'Loads the raw archive into the warehouse and rebuilds the analytics models.';

export const usageSpec: UsageSpec<Record<string, never>> = {
  name: 'etl',
  summary: SUMMARY,
  usage: [
    'serve                            run every ETL_INTERVAL_SECONDS, serve /health and /metrics on ETL_PORT (default)',
    'run --once                       one run (the raw objects not loaded yet), print a JSON summary, exit 1 if it failed',
    'backfill --from DATE --to DATE   reload every raw object of the UTC days DATE..DATE (YYYY-MM-DD) and rebuild their models',
    'retention [--days N] [--dry-run] delete raw objects, events and model rows older than N days (default RETENTION_DAYS)',
    '<command> --help                 the options of one command',
  ],
  options: {},
  envSchema: EtlConfigSchema,
};

const commandOptions = {
  serve: {},
  run: {
    once: { type: 'boolean', description: 'one run, then exit (the only mode of `run`; the scheduler is `serve`)' },
  },
  backfill: {
    from: { type: 'string', valueName: 'YYYY-MM-DD', description: 'first UTC day to reload (required)' },
    to: { type: 'string', valueName: 'YYYY-MM-DD', description: 'last UTC day to reload, inclusive (required)' },
  },
  retention: {
    days: { type: 'string', valueName: 'N', description: 'keep the last N days (whole number ≥ 1); default RETENTION_DAYS' },
    'dry-run': { type: 'boolean', description: 'only count and print what would be deleted' },
  },
} as const satisfies Record<CommandName, CliOptions>;

export type CommandOptions = typeof commandOptions;

/** Per command: what it does, and its usage lines without the command name. */
const commandSummaries: Record<CommandName, { summary: string; usage: string[] }> = {
  serve: {
    summary: `${SUMMARY} Runs every ETL_INTERVAL_SECONDS (backing off while runs fail) and serves /health, /ready and /metrics on ETL_PORT.`,
    usage: [''],
  },
  run: {
    summary: 'Loads the raw objects that are not in the manifest yet, rebuilds the models they touched, prints a one-line JSON summary; exits 1 if the run failed.',
    usage: ['--once'],
  },
  backfill: {
    summary:
      'Reloads every raw object of the UTC days from..to, loaded before or not (events are deduplicated), and rebuilds the models of every site-day with events in that range. Shows a progress bar on a terminal, JSON progress lines otherwise.',
    usage: ['--from YYYY-MM-DD --to YYYY-MM-DD'],
  },
  retention: {
    summary:
      'Deletes the raw objects whose dt= day is before today − N days (UTC), and the events, model rows, live rollups, rejects and runs older than that day; prints what went (or, with --dry-run, what would go) as JSON.',
    usage: ['--days N [--dry-run]', '[--dry-run]                (N from RETENTION_DAYS)'],
  },
};

export function commandUsageSpec<C extends CommandName>(command: C): UsageSpec<CommandOptions[C]> {
  return {
    name: `etl ${command}`,
    summary: commandSummaries[command].summary,
    usage: commandSummaries[command].usage,
    options: commandOptions[command],
    envSchema: EtlConfigSchema,
  };
}
