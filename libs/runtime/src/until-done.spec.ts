import { capturedLogger } from './testing';
import { untilDone } from './until-done';

describe('untilDone', () => {
  it('retries a failing step, logging each failure, until it works', async () => {
    const lines: string[] = [];
    let calls = 0;
    await untilDone(capturedLogger('test', lines), 'connecting', async () => {
      if (++calls < 3) throw new Error(`refused ${calls}`);
    }, () => false);
    expect(calls).toBe(3);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; attempt: number; retryInMs: number });
    expect(logged.map((l) => [l.msg, l.attempt, l.retryInMs])).toEqual([
      ['connecting failed; retrying', 1, 250],
      ['connecting failed; retrying', 2, 500],
    ]);
  });

  it('stops retrying once the service is stopping', async () => {
    let calls = 0;
    let stopping = false;
    await untilDone(capturedLogger('test'), 'connecting', async () => {
      calls++;
      stopping = true;
      throw new Error('refused');
    }, () => stopping);
    expect(calls).toBe(1);
  });
});
