// kill -9 in the middle of appends: every acknowledged offset must survive, and the log must
// reopen clean. The appender is a child process so that it can really be killed.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PartitionLog } from './partition-log';
import { splitBatches, verifyCrc } from './record-batch';

const FIXTURE = path.join(__dirname, '__fixtures__', 'append-until-killed.cjs');

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdb-crash-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts the appender, kills it with SIGKILL once `acks` appends are acknowledged; returns them. */
async function appendUntilKilled(logDir: string, acks: number): Promise<bigint[]> {
  const buildDir = fs.mkdtempSync(path.join(root, 'build-'));
  const child = spawn(process.execPath, [FIXTURE, buildDir, logDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  child.on('exit', () => (exited = true));
  try {
    await waitFor(`${acks} acknowledged appends`, () => {
      if (exited) throw new Error(`appender exited early: ${err}`);
      return out.split('\n').length > acks + 1;
    });
    child.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
  } finally {
    if (!exited) child.kill('SIGKILL');
  }
  // Only complete lines; the 'ready' line first.
  const lines = out.slice(0, out.lastIndexOf('\n')).split('\n');
  expect(lines[0]).toMatch(/^ready \d+$/);
  return lines.slice(1).map((l) => BigInt(l));
}

describe('PartitionLog after kill -9', () => {
  it('keeps every acknowledged append, twice in a row', async () => {
    const logDir = path.join(root, 'log');
    let previousEnd = -1n;
    for (let round = 0; round < 2; round++) {
      const acked = await appendUntilKilled(logDir, 1500);
      expect(acked.length).toBeGreaterThanOrEqual(1500);
      expect(acked[0]).toBeGreaterThan(previousEnd);
      const lastAcked = acked[acked.length - 1];

      const log = PartitionLog.open(logDir, { fsync: 'never', segmentBytes: 128 * 1024 });
      try {
        expect(log.nextOffset).toBeGreaterThanOrEqual(lastAcked + 1n);
        expect(log.segmentCount).toBeGreaterThan(1);
        for (const offset of acked) {
          const [span] = splitBatches(log.read(offset, 1).data);
          expect(span.header.baseOffset <= offset && offset <= span.header.baseOffset + BigInt(span.header.lastOffsetDelta)).toBe(true);
        }
        // The whole log: every CRC verifies and offsets run without a gap from 0 to the end.
        const all = log.read(0n, Number.MAX_SAFE_INTEGER).data;
        let expected = 0n;
        for (const s of splitBatches(all)) {
          expect(verifyCrc(all, s.position)).toBe(true);
          expect(s.header.baseOffset).toBe(expected);
          expected += BigInt(s.header.lastOffsetDelta) + 1n;
        }
        expect(expected).toBe(log.nextOffset);
        previousEnd = log.nextOffset - 1n;
      } finally {
        log.close();
      }
    }
  }, 60_000);
});
