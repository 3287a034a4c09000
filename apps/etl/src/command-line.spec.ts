import { formatUsage } from '@clickstream/runtime';
import { isIsoDate, parseCommandLine, type CommandLineIo } from './command-line';
import { commandUsageSpec, COMMANDS } from './usage';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function parse(argv: string[]): { command?: ReturnType<typeof parseCommandLine>; code?: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CommandLineIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    exit: (code: number) => {
      throw new Exit(code);
    },
    version: '9.9.9',
  };
  try {
    return { command: parseCommandLine(argv, io), stdout, stderr };
  } catch (err) {
    if (err instanceof Exit) return { code: err.code, stdout, stderr };
    throw err;
  }
}

describe('parseCommandLine', () => {
  it('defaults to serve', () => {
    expect(parse([]).command).toEqual({ name: 'serve' });
    expect(parse(['serve']).command).toEqual({ name: 'serve' });
  });

  it('parses run, backfill and retention', () => {
    expect(parse(['run', '--once']).command).toEqual({ name: 'run' });
    expect(parse(['run']).command).toEqual({ name: 'run' });
    expect(parse(['backfill', '--from', '2024-02-28', '--to', '2024-03-01']).command).toEqual({ name: 'backfill', from: '2024-02-28', to: '2024-03-01' });
    expect(parse(['backfill', '--from=2024-03-01', '--to=2024-03-01']).command).toEqual({ name: 'backfill', from: '2024-03-01', to: '2024-03-01' });
    expect(parse(['retention', '--days', '30']).command).toEqual({ name: 'retention', days: 30, dryRun: false });
    expect(parse(['retention', '--days', '7', '--dry-run']).command).toEqual({ name: 'retention', days: 7, dryRun: true });
    expect(parse(['retention', '--dry-run']).command).toEqual({ name: 'retention', days: undefined, dryRun: true });
  });

  it.each([
    [['deploy'], /unknown command "deploy"/],
    [['--once'], /unknown option '--once'/],
    [['serve', 'now'], /unexpected argument "now"/],
    [['run', '--twice'], /unknown option '--twice'/],
    [['backfill', '--from', '2024-01-01'], /--from and --to are required/],
    [['backfill', '--to', '2024-01-01'], /--from and --to are required/],
    [['backfill', '--from', '2024-02-30', '--to', '2024-03-01'], /--from "2024-02-30" is not a date/],
    [['backfill', '--from', '2024-03-01', '--to', 'tomorrow'], /--to "tomorrow" is not a date/],
    [['backfill', '--from', '2024-03-02', '--to', '2024-03-01'], /--from 2024-03-02 is after --to 2024-03-01/],
    [['retention', '--days', 'week'], /--days "week" is not a whole number/],
    [['retention', '--days', '0'], /--days "0" is not a whole number/],
    [['retention', '--days', '1.5'], /--days "1.5" is not a whole number/],
    [['retention', '--days'], /argument missing|requires|--days/],
  ])('refuses %j with exit code 2 and one clear line', (argv, message) => {
    const result = parse(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--help');
  });

  it('prints every command with --help, and each command its own options', () => {
    const top = parse(['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toContain(command);
    expect(top.stdout).toContain('ETL_INTERVAL_SECONDS');

    const backfill = parse(['backfill', '--help']);
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).toContain('--from <YYYY-MM-DD>');
    expect(backfill.stdout).toContain('--to <YYYY-MM-DD>');
    expect(backfill.stdout).toBe(formatUsage({ ...commandUsageSpec('backfill'), version: '9.9.9' }));
    expect(parse(['retention', '--help']).stdout).toContain('--dry-run');
    expect(parse(['run', '--help']).stdout).toContain('--once');
    expect(parse(['--version']).stdout).toBe('etl 9.9.9\n');
  });
});

describe('isIsoDate', () => {
  it('accepts real calendar dates only', () => {
    expect(['2024-02-29', '2026-12-31'].every(isIsoDate)).toBe(true);
    expect(['2023-02-29', '2026-13-01', '2026-1-01', '20260101', '2026-01-01T00:00:00Z', ''].some(isIsoDate)).toBe(false);
  });
});
