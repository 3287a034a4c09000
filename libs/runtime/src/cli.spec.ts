import { Type } from '@sinclair/typebox';
import { formatUsage, parseCli } from './cli';
import { env } from './config';

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

const envSchema = Type.Object({
  LOG_LEVEL: env.LOG_LEVEL,
  ETL_PORT: env.port(9102),
  DATABASE_URL: env.DATABASE_URL,
  S3_ENDPOINT: env.S3_ENDPOINT,
});

const spec = {
  name: 'etl',
  summary: 'Loads the raw archive into the warehouse and rebuilds the models.',
  usage: ['[options]', 'run [--since <DATE>]', 'backfill --from <DATE> --to <DATE>'],
  options: {
    since: { type: 'string', valueName: 'DATE', description: 'only objects archived on or after DATE' },
    'dry-run': { type: 'boolean', short: 'n', description: 'show what would be loaded' },
    limit: { type: 'string', default: '100', description: 'objects per batch' },
  },
  envSchema,
  version: '0.3.1',
} as const;

function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  let result: ReturnType<typeof parseCli<typeof spec.options>> | undefined;
  try {
    result = parseCli({
      ...spec,
      argv,
      stdout: { write: (t) => (stdout += t) },
      stderr: { write: (t) => (stderr += t) },
      exit: (code) => {
        throw new ExitCalled(code);
      },
    });
  } catch (err) {
    if (!(err instanceof ExitCalled)) throw err;
    exitCode = err.code;
  }
  return { stdout, stderr, exitCode, result };
}

describe('parseCli', () => {
  it('returns typed values and positionals', () => {
    const { result, exitCode } = run(['run', '--since', '2024-01-01', '-n']);
    expect(exitCode).toBeUndefined();
    expect(result?.positionals).toEqual(['run']);
    expect(result?.values).toEqual({ since: '2024-01-01', 'dry-run': true, limit: '100' });
    // Compile-time (checked by the typecheck in lint): an option with a default is always there.
    if (result) {
      const limit: string = result.values.limit;
      const dryRun: boolean | undefined = result.values['dry-run'];
      // @ts-expect-error -- `since` has no default, so it may be undefined.
      const since: string = result.values.since;
      expect([limit, dryRun, since]).toEqual(['100', true, '2024-01-01']);
    }
  });

  it('--help prints summary, usage, options and the environment, then exits 0', () => {
    const { stdout, stderr, exitCode } = run(['--help']);
    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('etl 0.3.1 — Loads the raw archive');
    expect(stdout).toContain('  etl run [--since <DATE>]');
    expect(stdout).toMatch(/--since <DATE>\s+only objects archived on or after DATE/);
    expect(stdout).toMatch(/-n, --dry-run\s+show what would be loaded/);
    expect(stdout).toContain('objects per batch (default: 100)');
    for (const name of ['LOG_LEVEL', 'ETL_PORT', 'DATABASE_URL', 'S3_ENDPOINT']) expect(stdout).toContain(name);
    expect(stdout).toMatch(/DATABASE_URL\s+\(required\)\s+PostgreSQL connection URL/);
    expect(stdout).toMatch(/ETL_PORT\s+9102\s+/);
    expect(stdout).toMatch(/S3_ENDPOINT\s+\(optional\)/);
  });

  it('-h is --help', () => {
    expect(run(['-h']).exitCode).toBe(0);
    expect(run(['-h']).stdout).toBe(formatUsage(spec));
  });

  it('--version prints the name and version, then exits 0', () => {
    const { stdout, exitCode } = run(['--version']);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('etl 0.3.1\n');
  });

  it('an unknown option prints one line pointing at --help and exits 2', () => {
    const { stdout, stderr, exitCode } = run(['--sincee', 'x']);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("etl: unknown option '--sincee' (run etl --help for usage)\n");
  });

  it('a string option without its value exits 2', () => {
    const { stderr, exitCode } = run(['--since']);
    expect(exitCode).toBe(2);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toContain('--since');
    expect(stderr).toContain('run etl --help');
  });

  it('refuses to redefine --help', () => {
    expect(() =>
      parseCli({ name: 'x', summary: 's', usage: [], options: { help: { type: 'boolean', description: 'mine' } }, argv: [] }),
    ).toThrow('--help is built in');
  });
});

describe('formatUsage', () => {
  it('works without an environment schema or version', () => {
    const text = formatUsage({ name: 'simulator', summary: 'Sends traffic.', usage: [], options: {} });
    expect(text).toContain('simulator — Sends traffic.');
    expect(text).toContain('  simulator [options]');
    expect(text).not.toContain('Environment');
  });
});
