// fsync behaviour of PartitionLog, observed through a spy on the real fdatasyncSync.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PartitionLog, type PartitionLogConfig } from './partition-log';
import { buildRecordBatch } from './record-batch-builder';

jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return { ...actual, fdatasyncSync: jest.fn(actual.fdatasyncSync) };
});

// The mock above, as the storage code sees it.
const fdatasync = fs.fdatasyncSync as unknown as jest.Mock;

let dir: string;
let opened: PartitionLog[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-fsync-'));
  opened = [];
});

afterEach(() => {
  fdatasync.mockImplementation(jest.requireActual<typeof import('node:fs')>('node:fs').fdatasyncSync);
  for (const l of opened) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(config: PartitionLogConfig): PartitionLog {
  const log = PartitionLog.open(dir, config);
  opened.push(log);
  return log;
}

const batch = () => buildRecordBatch({ records: [{ value: 'v' }] });

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('PartitionLog fsync policy', () => {
  it("'always' syncs the segment before append returns", () => {
    const log = open({ fsync: 'always' });
    fdatasync.mockClear();
    log.append(batch());
    expect(fdatasync).toHaveBeenCalledTimes(1);
  });

  it("'never' syncs only on close, then everything written", () => {
    const log = open({ fsync: 'never', segmentBytes: 100 });
    fdatasync.mockClear();
    for (let i = 0; i < 3; i++) log.append(batch()); // three segments
    expect(fdatasync).not.toHaveBeenCalled();
    opened.pop();
    log.close();
    // Each segment's log and index.
    expect(fdatasync).toHaveBeenCalledTimes(6);
  });

  it("'interval' syncs dirty segments on a timer, not in append", async () => {
    const log = open({ fsync: 'interval', fsyncIntervalMs: 20 });
    await waitFor('the sync scheduled after recovery', () => fdatasync.mock.calls.length > 0);
    fdatasync.mockClear();
    log.append(batch());
    log.append(batch());
    expect(fdatasync).not.toHaveBeenCalled();
    await waitFor('the timer sync', () => fdatasync.mock.calls.length > 0);
    expect(fdatasync).toHaveBeenCalledTimes(1);
  });

  it('refuses appends once a background fsync has failed', async () => {
    const messages: string[] = [];
    const log = open({ fsync: 'interval', fsyncIntervalMs: 10, log: (msg) => messages.push(msg) });
    await waitFor('the sync scheduled after recovery', () => fdatasync.mock.calls.length > 0);
    fdatasync.mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    });
    log.append(batch());
    await waitFor('the failure to be logged', () => messages.length > 0);
    expect(messages).toEqual([expect.stringContaining('fsync failed')]);
    expect(() => log.append(batch())).toThrow('EIO');
    expect(log.nextOffset).toBe(1n);
    // close() still tries to sync and reports the failure, after closing the files.
    opened.pop();
    expect(() => log.close()).toThrow('EIO');
  });
});
