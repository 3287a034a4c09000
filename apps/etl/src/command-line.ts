// Parses `etl [command] [options]` into a checked command: --help per command, and a one-line error
// with exit code 2 for an unknown command or option, a bad date, from after to, or a bad --days.

import { parseCli, USAGE_ERROR_EXIT_CODE } from '@clickstream/runtime';
import { COMMANDS, commandUsageSpec, usageSpec, type CommandName } from './usage';

export type EtlCommand =
  | { name: 'serve' }
  | { name: 'run' }
  | { name: 'backfill'; from: string; to: string }
  /** `days` undefined: RETENTION_DAYS decides (main checks that it is set). */
  | { name: 'retention'; days: number | undefined; dryRun: boolean };

export interface CommandLineIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => never;
  version?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

export function parseCommandLine(argv: string[], io: CommandLineIo = {}): EtlCommand {
  const { stdout = process.stdout, stderr = process.stderr, exit = process.exit, version } = io;
  const first = argv[0];
  const named = first !== undefined && !first.startsWith('-');
  const fail = (command: string, message: string): never => {
    stderr.write(`etl${command ? ` ${command}` : ''}: ${message} (run etl${command ? ` ${command}` : ''} --help for usage)\n`);
    return exit(USAGE_ERROR_EXIT_CODE);
  };
  if (named && !(COMMANDS as readonly string[]).includes(first)) {
    return fail('', `unknown command "${first}"; the commands are ${COMMANDS.join(', ')}`);
  }
  const command: CommandName = named ? (first as CommandName) : 'serve';
  const rest = named ? argv.slice(1) : argv;
  const cli = { stdout, stderr, exit, version };
  // Without a command, --help shows every command; `etl serve --help` shows serve's own page.
  const spec = named ? commandUsageSpec(command) : { ...usageSpec };

  switch (command) {
    case 'serve': {
      const { positionals } = parseCli({ ...spec, ...cli, argv: rest, options: {} });
      if (positionals.length > 0) fail(named ? command : '', `unexpected argument "${positionals[0]}"`);
      return { name: 'serve' };
    }
    case 'run': {
      const { positionals } = parseCli({ ...commandUsageSpec('run'), ...cli, argv: rest });
      if (positionals.length > 0) fail(command, `unexpected argument "${positionals[0]}"`);
      return { name: 'run' };
    }
    case 'backfill': {
      const { values, positionals } = parseCli({ ...commandUsageSpec('backfill'), ...cli, argv: rest });
      if (positionals.length > 0) fail(command, `unexpected argument "${positionals[0]}"`);
      const { from, to } = values;
      if (from === undefined || to === undefined) return fail(command, `--from and --to are required (YYYY-MM-DD)`);
      if (!isIsoDate(from)) return fail(command, `--from "${from}" is not a date (YYYY-MM-DD)`);
      if (!isIsoDate(to)) return fail(command, `--to "${to}" is not a date (YYYY-MM-DD)`);
      if (from > to) return fail(command, `--from ${from} is after --to ${to}`);
      return { name: 'backfill', from, to };
    }
    case 'retention': {
      const { values, positionals } = parseCli({ ...commandUsageSpec('retention'), ...cli, argv: rest });
      if (positionals.length > 0) fail(command, `unexpected argument "${positionals[0]}"`);
      let days: number | undefined;
      if (values.days !== undefined) {
        if (!/^\d+$/.test(values.days) || Number(values.days) < 1 || !Number.isSafeInteger(Number(values.days))) {
          return fail(command, `--days "${values.days}" is not a whole number of days ≥ 1`);
        }
        days = Number(values.days);
      }
      return { name: 'retention', days, dryRun: values['dry-run'] === true };
    }
  }
}

/** The error line and exit code 2 for a missing retention --days (when RETENTION_DAYS is not set either). */
export function failMissingDays(io: CommandLineIo = {}): never {
  const { stderr = process.stderr, exit = process.exit } = io;
  stderr.write('etl retention: --days N is required when RETENTION_DAYS is not set (run etl retention --help for usage)\n');
  return exit(USAGE_ERROR_EXIT_CODE);
}
