// Command-line parsing for every app's `main.ts`: --help (with the environment variables the app
// reads), --version, and a clear exit-2 error for an unknown option.
import { parseArgs } from 'node:util';
import type { TObject } from '@sinclair/typebox';
import { describeEnv } from './config';

export interface CliOption {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[] | boolean[];
  /** Placeholder shown in --help for a string option, e.g. `DATE` in `--since <DATE>`. */
  valueName?: string;
}

export type CliOptions = Record<string, CliOption>;

type OptionValue<O extends CliOption> = O['type'] extends 'string'
  ? O['multiple'] extends true
    ? string[]
    : string
  : O['multiple'] extends true
    ? boolean[]
    : boolean;

/** Parsed option values: an option with a default is always present. */
export type CliValues<O extends CliOptions> = {
  [K in keyof O]: O[K] extends { default: unknown } ? OptionValue<O[K]> : OptionValue<O[K]> | undefined;
};

export interface UsageSpec<O extends CliOptions = CliOptions> {
  /** Command name, e.g. `etl`. */
  name: string;
  /** One sentence on what the program does. */
  summary: string;
  /** Usage lines without the name, e.g. `run [--since DATE]`. */
  usage: readonly string[];
  options: O;
  /** The app's config schema; its variables are listed under "Environment". */
  envSchema?: TObject;
  version?: string;
}

export interface ParseCliOptions<O extends CliOptions> extends UsageSpec<O> {
  argv?: string[];
  /** Whether positional arguments (sub-commands, files) are accepted. */
  allowPositionals?: boolean;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => never;
}

export interface ParsedCli<O extends CliOptions> {
  values: CliValues<O>;
  positionals: string[];
}

const BUILT_IN: CliOptions = {
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
  version: { type: 'boolean', description: 'print the version and exit' },
};

/** Exit code for a wrong command line (as in BSD sysexits / most shells' builtins). */
export const USAGE_ERROR_EXIT_CODE = 2;

export function parseCli<O extends CliOptions>(spec: ParseCliOptions<O>): ParsedCli<O> {
  const {
    name,
    argv = process.argv.slice(2),
    allowPositionals = true,
    stdout = process.stdout,
    stderr = process.stderr,
    exit = process.exit,
  } = spec;
  for (const reserved of Object.keys(BUILT_IN)) {
    if (Object.hasOwn(spec.options, reserved)) throw new Error(`--${reserved} is built in; do not declare it`);
  }

  const config = Object.fromEntries(
    Object.entries({ ...BUILT_IN, ...spec.options }).map(([key, o]) => [
      key,
      {
        type: o.type,
        ...(o.short === undefined ? {} : { short: o.short }),
        ...(o.multiple === undefined ? {} : { multiple: o.multiple }),
        ...(o.default === undefined ? {} : { default: o.default }),
      },
    ]),
  );

  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals, strict: true });
  } catch (err) {
    // Node's messages can run on with advice about `--`; the first sentence is the useful part.
    // (Duck-typed: under Jest, errors thrown by node:util come from another realm.)
    const message = (err as { message?: unknown }).message;
    const reason = (typeof message === 'string' ? message : String(err)).split('. ')[0];
    stderr.write(`${name}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)} (run ${name} --help for usage)\n`);
    return exit(USAGE_ERROR_EXIT_CODE);
  }

  if (parsed.values['help'] === true) {
    stdout.write(formatUsage(spec));
    return exit(0);
  }
  if (parsed.values['version'] === true) {
    stdout.write(`${name} ${spec.version ?? 'unknown'}\n`);
    return exit(0);
  }
  const { help: _help, version: _version, ...values } = parsed.values;
  return { values: values as CliValues<O>, positionals: parsed.positionals };
}

/** The --help text: summary, usage, options and the environment table. */
export function formatUsage(spec: UsageSpec): string {
  const { name, summary, usage, options, envSchema, version } = spec;
  const lines: string[] = [];
  lines.push(version ? `${name} ${version} — ${summary}` : `${name} — ${summary}`, '');

  lines.push('Usage:');
  for (const line of usage.length > 0 ? usage : ['[options]']) lines.push(`  ${name} ${line}`.trimEnd());
  lines.push('');

  const optionRows = Object.entries({ ...BUILT_IN, ...options }).map(([key, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${key}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    const hasDefault = o.default !== undefined && o.default !== false;
    return [flag, hasDefault ? `${o.description} (default: ${String(o.default)})` : o.description];
  });
  lines.push('Options:', ...table(optionRows), '');

  if (envSchema) {
    const rows = describeEnv(envSchema).map((v) => [
      v.name,
      v.required ? '(required)' : v.default === undefined ? '(optional)' : String(v.default),
      v.description,
    ]);
    lines.push('Environment:', ...table([['NAME', 'DEFAULT', 'DESCRIPTION'], ...rows]), '');
  }
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col].length))) ?? [];
  return rows.map((row) =>
    `  ${row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] + 2))).join('')}`.trimEnd(),
  );
}
