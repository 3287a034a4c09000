// Progress of a long run (backfill) on stderr: a bar with rate and ETA on a terminal, otherwise one
// JSON line per object (at most one per second, plus the last), for logs and CI.

import { Presets, SingleBar } from 'cli-progress';
import type { RunProgress } from './loader/run-etl';

export interface ProgressReporter {
  update(progress: RunProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Defaults to whether `stream` is a terminal. */
  tty?: boolean;
  /** For tests. */
  now?: () => number;
  /** Shortest gap between two JSON lines (ms); the first and last object are always reported. */
  jsonIntervalMs?: number;
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const { stream, now = Date.now, jsonIntervalMs = 1000 } = options;
  const tty = options.tty ?? stream.isTTY === true;
  const startedAt = now();
  let rows = 0;
  let failed = 0;
  let lastLine = -Infinity;
  let bar: SingleBar | undefined;

  const rate = (done: number) => {
    const seconds = (now() - startedAt) / 1000;
    return seconds > 0 ? done / seconds : 0;
  };

  return {
    update(progress) {
      if (progress.phase === 'listed') {
        if (tty) {
          bar = new SingleBar(
            {
              stream,
              format: 'backfill {bar} {percentage}% | {value}/{total} objects | {rows} rows | {rate} objects/s | ETA {eta_formatted}',
              etaBuffer: 50,
              hideCursor: true,
            },
            Presets.shades_classic,
          );
          bar.start(progress.total, 0, { rows: 0, rate: '0.0' });
        } else {
          stream.write(`${JSON.stringify({ progress: 'listed', objects: progress.total })}\n`);
        }
        return;
      }
      if (progress.phase === 'models') {
        bar?.stop();
        bar = undefined;
        stream.write(tty ? `rebuilding the models of ${progress.siteDays} site-days…\n` : `${JSON.stringify({ progress: 'models', site_days: progress.siteDays })}\n`);
        return;
      }
      const { result, done, total } = progress;
      if (result.status === 'loaded') rows += result.inserted;
      if (result.status === 'failed') failed++;
      const perSecond = rate(done);
      if (bar) {
        bar.update(done, { rows, rate: perSecond.toFixed(1) });
        return;
      }
      const t = now();
      if (done !== total && done !== 1 && t - lastLine < jsonIntervalMs) return;
      lastLine = t;
      const remaining = perSecond > 0 ? Math.round((total - done) / perSecond) : null;
      stream.write(
        `${JSON.stringify({ progress: 'objects', done, total, rows, failed, objects_per_second: Math.round(perSecond * 10) / 10, eta_seconds: remaining, key: result.key })}\n`,
      );
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
