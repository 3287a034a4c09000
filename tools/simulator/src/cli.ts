// The command line: flags over the config file over the defaults, a progress bar (TTY) or JSON
// progress lines (not a TTY) on stderr, and one JSON summary line on stdout.

import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { ConfigError, defaultConfig, loadConfigFile, parseDuration, parseSite, parseStart, type SimulationConfig } from './config';
import { IngestRefusedError, IngestUnreachableError } from './sender';
import { runSimulation, SimulationError, type Progress, type Summary } from './run';

export const USAGE = `Usage: clickstream-simulator [options]
       node tools/simulator/dist/main.js --ingest-url http://localhost:8000 --rate 20 --duration 5m

Generates realistic clickstream traffic and sends it to ingest (POST /api/events/batch): a pool of
visitors on desktop, mobile and tablet browsers (and a share of bots) in sessions that end after
30 minutes without activity; page views on weighted paths, scrolls, clicks on buttons with their
probabilities, page closes, purchases of products with payment methods, referrers and UTM
campaigns. With --seed the events are the same every run (with --start, their times too).

Options (flags override the config file, which overrides the defaults):
  --config <file>         YAML or JSON simulation config (see README); .json is JSON, else YAML
  --ingest-url <url>      where ingest listens (default http://localhost:8000)
  --write-key <key>       sent as X-Write-Key, when ingest has WRITE_KEYS
  --users <n>             size of the visitor pool (default 500)
  --duration <d>          simulated time to run: 30s, 5m, 1h, 1.5h, 2d (default: until stopped)
  --rate <n>              events per second; the simulated clock runs at this rate (default 20)
  --max-events <n>        stop after n events (default: no limit)
  --seed <s>              seed of the random traffic (default "clickstream")
  --start <time>          fixed simulated start, ISO-8601 (e.g. 2026-03-01T00:00:00Z) for
                          reproducible times (default: now). Ingest keeps client times within
                          30 days of receipt; older ones become the receive time
  --site <host>           host of the simulated site in page URLs (default shop.example.com);
                          the site_id comes from the write key
  --batch-size <n>        events per request, 1-500 (default 100); a part-filled batch is sent
                          after 1 s
  --malformed-rate <p>    share 0-1 of deliberately invalid events (rejected into the DLQ)
  --think-time <s>        mean seconds between two events of one visitor (default 15)
  --give-up-after <d>     exit 1 when ingest has not taken a batch for this long (default 2m)
  --progress-interval <d> how often to print a JSON progress line when stderr is not a
                          terminal (default 5s)
  --no-pace               send as fast as ingest takes it (same events, same times)
  --quiet                 no progress and no human summary; only the JSON line on stdout
  -h, --help              show this help

Output: progress on stderr (a bar on a terminal, else a JSON line every 5 s), a human summary on
stderr, and one JSON line on stdout at the end:
  {"sent":N,"accepted":N,"rejected":N,"malformed":N,"batches":N,"retries":N,"seconds":S}

Exit codes: 0 done (also after SIGINT/SIGTERM: the in-flight batch is finished first),
1 ingest unreachable or refusing, 2 bad arguments or config.
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Is stderr a terminal (progress bar) or not (JSON progress lines)? */
  isTTY: boolean;
  signal?: AbortSignal;
  /** Progress line interval when not a TTY (overrides --progress-interval). */
  progressIntervalMs?: number;
}

export interface CliSettings {
  config: SimulationConfig;
  ingestUrl: string;
  writeKey?: string;
  giveUpAfterMs: number;
  progressIntervalMs: number;
  pace: boolean;
  quiet: boolean;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function flagNumber(value: string, flag: string, opts: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean }): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(flag, `must be a number (got ${JSON.stringify(value)})`);
  if (opts.integer && !Number.isInteger(n)) throw new ConfigError(flag, `must be a whole number (got ${value})`);
  if (opts.exclusiveMin ? n <= opts.min : n < opts.min) throw new ConfigError(flag, `must be ${opts.exclusiveMin ? 'greater than' : 'at least'} ${opts.min} (got ${value})`);
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(flag, `must be at most ${opts.max} (got ${value})`);
  return n;
}

/** Parses argv into settings; throws ConfigError naming the flag or config field. `undefined` for --help. */
export function parseCli(argv: string[]): CliSettings | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'ingest-url': { type: 'string' },
        'write-key': { type: 'string' },
        users: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        'max-events': { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        site: { type: 'string' },
        'batch-size': { type: 'string' },
        'malformed-rate': { type: 'string' },
        'think-time': { type: 'string' },
        'give-up-after': { type: 'string' },
        'progress-interval': { type: 'string' },
        'no-pace': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new ConfigError('arguments', (err as Error).message);
  }
  if (values.help) return undefined;
  let config = values.config ? loadConfigFile(values.config) : defaultConfig();
  config = { ...config };
  if (values.users !== undefined) config.users = flagNumber(values.users, '--users', { min: 1, max: 10_000_000, integer: true });
  if (values.duration !== undefined) config.durationMs = parseDuration(values.duration, '--duration');
  if (values.rate !== undefined) config.rate = flagNumber(values.rate, '--rate', { min: 0, exclusiveMin: true, max: 1_000_000 });
  if (values['max-events'] !== undefined) config.maxEvents = flagNumber(values['max-events'], '--max-events', { min: 1, integer: true });
  if (values.seed !== undefined) {
    if (values.seed === '') throw new ConfigError('--seed', 'must not be empty');
    config.seed = values.seed;
  }
  if (values.start !== undefined) config.startMs = parseStart(values.start, '--start');
  if (values.site !== undefined) config.site = parseSite(values.site, '--site');
  if (values['batch-size'] !== undefined) config.batchSize = flagNumber(values['batch-size'], '--batch-size', { min: 1, max: 500, integer: true });
  if (values['malformed-rate'] !== undefined) config.malformedRate = flagNumber(values['malformed-rate'], '--malformed-rate', { min: 0, max: 1 });
  if (values['think-time'] !== undefined) config.thinkTimeSeconds = flagNumber(values['think-time'], '--think-time', { min: 0, exclusiveMin: true, max: 1800 });

  const ingestUrl = values['ingest-url'] ?? 'http://localhost:8000';
  let parsed: URL;
  try {
    parsed = new URL(ingestUrl);
  } catch {
    throw new ConfigError('--ingest-url', `must be an http(s) URL (got ${JSON.stringify(ingestUrl)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('--ingest-url', `must be an http(s) URL (got ${JSON.stringify(ingestUrl)})`);
  if (values['write-key'] === '') throw new ConfigError('--write-key', 'must not be empty');
  return {
    config,
    ingestUrl,
    writeKey: values['write-key'],
    giveUpAfterMs: values['give-up-after'] !== undefined ? parseDuration(values['give-up-after'], '--give-up-after') : 120_000,
    progressIntervalMs: values['progress-interval'] !== undefined ? parseDuration(values['progress-interval'], '--progress-interval') : 5000,
    pace: !values['no-pace'],
    quiet: values.quiet === true,
  };
}

function humanSummary(s: Summary): string {
  return [
    `simulator: done in ${s.seconds.toFixed(1)} s`,
    `  sent      ${s.sent} events in ${s.batches} batches (${s.retries} retries)`,
    `  accepted  ${s.accepted}`,
    `  rejected  ${s.rejected} (deliberately malformed: ${s.malformed})`,
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let settings: CliSettings | undefined;
  try {
    settings = parseCli(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`simulator: ${err.message}\nrun with --help for usage\n`);
      return 2;
    }
    throw err;
  }
  if (!settings) {
    io.stdout(USAGE);
    return 0;
  }
  const { config, quiet } = settings;
  if (!quiet) {
    const limits = [
      config.maxEvents !== null ? `${config.maxEvents} events` : '',
      config.durationMs !== null ? `${config.durationMs / 1000} s` : '',
    ].filter(Boolean);
    io.stderr(
      `simulator ${version()}: ${config.users} visitors, ${config.rate} events/s, seed ${JSON.stringify(config.seed)}, ` +
        `${limits.length ? `until ${limits.join(' or ')}` : 'until stopped'} → ${settings.ingestUrl}\n`,
    );
  }

  const total = config.maxEvents ?? (config.durationMs !== null ? Math.round((config.durationMs / 1000) * config.rate) : 0);
  let bar: SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last: Progress | undefined;
  if (!quiet && io.isTTY) {
    bar = new SingleBar({
      format: total
        ? 'simulator [{bar}] {percentage}% | {value}/{total} events | {evrate} ev/s | accepted {accepted} | rejected {rejected} | retries {retries}'
        : 'simulator {value} events | {evrate} ev/s | accepted {accepted} | rejected {rejected} | retries {retries}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(total || 1, 0, { evrate: 0, accepted: 0, rejected: 0, retries: 0 });
  } else if (!quiet) {
    timer = setInterval(() => {
      if (last) io.stderr(`${JSON.stringify({ progress: { sent: last.sent, accepted: last.accepted, rejected: last.rejected, retries: last.retries, rate: last.rate, seconds: last.seconds } })}\n`);
    }, io.progressIntervalMs ?? settings.progressIntervalMs);
    timer.unref();
  }

  let summary: Summary;
  let code = 0;
  try {
    summary = await runSimulation(
      { config, ingestUrl: settings.ingestUrl, writeKey: settings.writeKey, giveUpAfterMs: settings.giveUpAfterMs, pace: settings.pace },
      {
        signal: io.signal,
        onProgress: (p) => {
          last = p;
          bar?.update(p.sent, { evrate: p.rate, accepted: p.accepted, rejected: p.rejected, retries: p.retries });
        },
        onRetry: (info) => {
          if (!quiet && !bar) io.stderr(`simulator: ingest did not take a batch (${info.reason}); retrying in ${(info.waitMs / 1000).toFixed(1)} s\n`);
        },
      },
    );
  } catch (err) {
    if (!(err instanceof SimulationError)) throw err;
    summary = err.summary;
    const cause = err.cause;
    if (cause instanceof IngestRefusedError && cause.status === 401) {
      io.stderr(`\nsimulator: --write-key: ${cause.message}\n`);
      code = 2;
    } else if (cause instanceof IngestUnreachableError || cause instanceof IngestRefusedError) {
      io.stderr(`\nsimulator: ${cause.message}\n`);
      code = 1;
    } else {
      throw err;
    }
  } finally {
    bar?.stop();
    if (timer) clearInterval(timer);
  }
  if (!quiet) io.stderr(humanSummary(summary));
  io.stdout(`${JSON.stringify(summary)}\n`);
  return code;
}
