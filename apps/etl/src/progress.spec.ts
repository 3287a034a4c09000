import { Writable } from 'node:stream';
import { createProgressReporter } from './progress';

function sink(tty: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; cursorTo?: unknown; clearLine?: unknown };
  stream.isTTY = tty;
  return { stream, text: () => text };
}

const loaded = (key: string, inserted: number) => ({ status: 'loaded' as const, key, events: inserted, inserted, duplicates: 0, rejected: 0, bytes: 1, touched: [] });

describe('createProgressReporter', () => {
  it('writes JSON lines when stderr is not a terminal: first and last object always, others at most once a second', () => {
    let now = 0;
    const out = sink(false);
    const progress = createProgressReporter({ stream: out.stream, now: () => now });
    progress.update({ phase: 'listed', total: 4 });
    for (let done = 1; done <= 4; done++) {
      now = done * 600;
      progress.update({ phase: 'object', done, total: 4, result: loaded(`k${done}`, 10) });
    }
    progress.update({ phase: 'models', siteDays: 3 });
    progress.stop();
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ progress: 'listed', objects: 4 });
    // objects 1 (first), 3 (a second after 1), 4 (last)
    expect(lines.slice(1, -1).map((l) => l['done'])).toEqual([1, 3, 4]);
    expect(lines[3]).toMatchObject({ progress: 'objects', done: 4, total: 4, rows: 40, objects_per_second: 1.7, eta_seconds: 0, key: 'k4' });
    expect(lines[2]).toMatchObject({ done: 3, eta_seconds: 1 });
    expect(lines.at(-1)).toEqual({ progress: 'models', site_days: 3 });
  });

  it('draws a bar with the rate and ETA on a terminal', () => {
    const out = sink(true);
    const progress = createProgressReporter({ stream: out.stream });
    progress.update({ phase: 'listed', total: 2 });
    progress.update({ phase: 'object', done: 1, total: 2, result: loaded('a', 5) });
    progress.update({ phase: 'object', done: 2, total: 2, result: loaded('b', 5) });
    progress.stop();
    expect(out.text()).toMatch(/2\/2 objects \| 10 rows \| [\d.]+ objects\/s \| ETA/);
  });
});
