import { createLogger } from '@clickstream/runtime';
import { backoffDelay, createScheduler } from './scheduler';

const logger = createLogger({ service: 'etl', level: 'silent', pretty: false });
const half = () => 0.5;

describe('backoffDelay', () => {
  it('retries soon after one failure, then doubles the interval per failure, up to 5 minutes or the interval, and at most 8 intervals', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, 60_000, half))).toEqual([2_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect([1, 2, 3, 4, 5, 6, 30, 1000].map((n) => backoffDelay(n, 1000, half))).toEqual([1000, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    // An interval longer than 5 minutes is its own cap.
    expect(backoffDelay(5, 3_600_000, half)).toBe(3_600_000);
  });

  it('spreads retries by ±20 %', () => {
    expect(backoffDelay(3, 10_000, () => 0)).toBe(16_000);
    expect(backoffDelay(3, 10_000, () => 0.999_999)).toBe(24_000);
  });
});

describe('createScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs one at a time: the next run starts an interval after the previous one started, or when it ends if it took longer', async () => {
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const durations = [100, 2500, 100, 100];
    const scheduler = createScheduler({
      intervalMs: 1000,
      logger,
      random: half,
      run: async () => {
        starts.push(Date.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, durations[starts.length - 1] ?? 100));
        running--;
        return { status: 'succeeded' };
      },
    });
    const t0 = Date.now();
    scheduler.start();
    await jest.advanceTimersByTimeAsync(4_700);
    expect(starts.map((t) => t - t0)).toEqual([0, 1000, 3500, 4500]);
    expect(maxRunning).toBe(1);
    const stopped = scheduler.stop();
    await jest.advanceTimersByTimeAsync(200);
    await stopped;
    expect(scheduler.runs).toBe(4);
  });

  it('backs off exponentially while runs fail, and returns to the interval after a success', async () => {
    const starts: number[] = [];
    const outcomes: Array<'succeeded' | 'failed'> = ['failed', 'failed', 'failed', 'succeeded', 'succeeded'];
    const scheduler = createScheduler({
      intervalMs: 1000,
      logger,
      random: half,
      run: async () => {
        starts.push(Date.now());
        return { status: outcomes[starts.length - 1] ?? 'succeeded' };
      },
    });
    const t0 = Date.now();
    scheduler.start();
    await jest.advanceTimersByTimeAsync(5_500);
    // failed → 1 s (the quick retry, capped by the interval), failed → 1 s, failed → 2 s, succeeded → 1 s.
    expect(starts.map((t) => t - t0)).toEqual([0, 1000, 2000, 4000, 5000]);
    await scheduler.stop();
  });

  it('counts a run that throws as failed', async () => {
    const starts: number[] = [];
    const scheduler = createScheduler({
      intervalMs: 1000,
      logger,
      random: half,
      run: async () => {
        starts.push(Date.now());
        throw new Error('boom');
      },
    });
    const t0 = Date.now();
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3_500);
    expect(starts.map((t) => t - t0)).toEqual([0, 1000, 2000]);
    await scheduler.stop();
  });

  it('stop() aborts the wait and the running run, waits for it to end, and starts no other', async () => {
    let signalSeen: AbortSignal | undefined;
    let finishRun: () => void = () => undefined;
    const scheduler = createScheduler({
      intervalMs: 1000,
      logger,
      run: (signal) => {
        signalSeen = signal;
        return new Promise((resolve) => {
          finishRun = () => resolve({ status: 'succeeded' });
        });
      },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(signalSeen?.aborted).toBe(true);
    expect(stopped).toBe(false); // the run is still finishing its object
    finishRun();
    await stopping;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(scheduler.runs).toBe(1);
  });

  it('runs the daily task after the first successful run, then once a day', async () => {
    let daily = 0;
    const scheduler = createScheduler({
      intervalMs: 3_600_000,
      logger,
      run: async () => ({ status: 'succeeded' }),
      daily: async () => {
        daily++;
      },
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10);
    expect(daily).toBe(1);
    await jest.advanceTimersByTimeAsync(23 * 3_600_000);
    expect(daily).toBe(1);
    await jest.advanceTimersByTimeAsync(3_600_000 + 10);
    expect(daily).toBe(2);
    expect(scheduler.runs).toBe(25);
    await scheduler.stop();
  });
});
