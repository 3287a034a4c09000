// Committed consumer-group offsets, kept durable in an append-only file of JSON lines.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { FsyncScheduler, validateFsyncOptions, type FsyncPolicy } from './fsync-scheduler';
import { silentStorageLogger, type StorageLogger } from './storage-logger';

/*
 * File format: one JSON object per line, appended in commit order; the last line for a
 * (group, topic, partition) wins:
 *   {"g":"<group>","t":"<topic>","p":<partition>,"o":"<offset as decimal string>","m":<metadata or null>,"ts":<commit time ms>}
 * The offset is a string because it is an int64. Offsets are committed at most a few times a
 * second per consumer, far from any hot path, so a readable format costs nothing that matters.
 */

export interface OffsetStoreOptions {
  /** Default 'interval'. */
  fsync?: FsyncPolicy;
  /** Default 1000. */
  fsyncIntervalMs?: number;
  /** Rewrite the file once it has more lines than this and twice the live entries (default 10 000). */
  compactAfterLines?: number;
  log?: StorageLogger;
  /** Clock for commit timestamps (tests). */
  now?: () => number;
}

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

interface StoredOffset extends CommittedOffset {
  committedAt: number;
}

interface OffsetLine {
  g: string;
  t: string;
  p: number;
  o: string;
  m: string | null;
  ts: number;
}

function parseLine(text: string): OffsetLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const l = v as Partial<OffsetLine> | null;
  if (
    !l ||
    typeof l.g !== 'string' ||
    typeof l.t !== 'string' ||
    !Number.isInteger(l.p) ||
    typeof l.o !== 'string' ||
    !/^-?\d{1,19}$/.test(l.o) ||
    (l.m !== null && typeof l.m !== 'string') ||
    typeof l.ts !== 'number'
  ) {
    return undefined;
  }
  return l as OffsetLine;
}

function lineFor(g: string, t: string, p: number, o: StoredOffset): string {
  const line: OffsetLine = { g, t, p, o: o.offset.toString(), m: o.metadata, ts: o.committedAt };
  return `${JSON.stringify(line)}\n`;
}

export class OffsetStore {
  /** group → topic → partition → committed offset */
  private readonly byGroup = new Map<string, Map<string, Map<number, StoredOffset>>>();
  private fd: number;
  private fileSize: number;
  private lines: number;
  private live = 0;
  private dirty = false;
  private closed = false;
  private readonly scheduler: FsyncScheduler;
  private readonly compactAfterLines: number;
  private readonly now: () => number;
  private readonly log: StorageLogger;

  private constructor(
    readonly file: string,
    options: OffsetStoreOptions,
    loaded: { lines: number; fileSize: number },
  ) {
    this.compactAfterLines = options.compactAfterLines ?? 10_000;
    this.now = options.now ?? Date.now;
    this.lines = loaded.lines;
    this.fileSize = loaded.fileSize;
    this.log = options.log ?? silentStorageLogger;
    this.scheduler = new FsyncScheduler(options.fsync ?? 'interval', options.fsyncIntervalMs ?? 1000, () => this.sync(), (err) =>
      this.log('offset store fsync failed; further commits are refused', { file, error: err.message }),
    );
    this.fd = fs.openSync(file, 'a');
  }

  /** Opens (creating if needed) the store in `file`, ignoring a torn last line. */
  static open(file: string, options: OffsetStoreOptions = {}): OffsetStore {
    validateFsyncOptions(options.fsync ?? 'interval', options.fsyncIntervalMs ?? 1000);
    const log = options.log ?? silentStorageLogger;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.rmSync(`${file}.tmp`, { force: true }); // an interrupted compaction; the file itself is intact
    const bytes = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete < bytes.length) {
      // A commit cut short by a crash was never acknowledged. Cut it off, or the next line
      // appended would be glued to it and lost as well.
      log('offset store: ignoring a torn last line', { file, bytes: bytes.length - complete });
      fs.truncateSync(file, complete);
    }
    const text = bytes.toString('utf8', 0, complete);
    const parsed: Array<OffsetLine | undefined> = [];
    let bad = 0;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      const line = parseLine(raw);
      if (!line) bad++;
      parsed.push(line);
    }
    if (bad) log('offset store: skipped unreadable lines', { file, lines: bad });
    const store = new OffsetStore(file, options, { lines: parsed.length, fileSize: complete });
    for (const l of parsed) if (l) store.set(l.g, l.t, l.p, { offset: BigInt(l.o), metadata: l.m, committedAt: l.ts });
    return store;
  }

  /** Stores a group's offsets: all entries in one write, then in memory. */
  commit(group: string, entries: readonly OffsetCommitEntry[]): void {
    this.assertOpen();
    this.scheduler.assertHealthy();
    if (entries.length === 0) return;
    const committedAt = this.now();
    const stored = entries.map((e) => ({ e, o: { offset: e.offset, metadata: e.metadata, committedAt } }));
    const data = Buffer.from(stored.map(({ e, o }) => lineFor(group, e.topic, e.partition, o)).join(''));
    this.write(data);
    this.lines += entries.length;
    for (const { e, o } of stored) this.set(group, e.topic, e.partition, o);
    this.scheduler.written();
    if (this.lines > this.compactAfterLines && this.lines > 2 * this.live) {
      try {
        this.compact();
      } catch (err) {
        // The commit itself is written; a failed rewrite only leaves the file longer.
        this.log('offset store compaction failed', { file: this.file, error: (err as Error).message });
      }
    }
  }

  fetch(group: string, topic: string, partition: number): CommittedOffset | undefined {
    const o = this.byGroup.get(group)?.get(topic)?.get(partition);
    return o && { offset: o.offset, metadata: o.metadata };
  }

  /** Every offset the group has committed. */
  committed(group: string): OffsetCommitEntry[] {
    const out: OffsetCommitEntry[] = [];
    for (const [topic, partitions] of this.byGroup.get(group) ?? []) {
      for (const [partition, o] of partitions) out.push({ topic, partition, offset: o.offset, metadata: o.metadata });
    }
    return out;
  }

  /** Groups with at least one committed offset. */
  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Forgets every group's offsets for the topic (durably: the file is rewritten without them). */
  deleteTopic(topic: string): number {
    this.assertOpen();
    let removed = 0;
    for (const [group, topics] of this.byGroup) {
      const partitions = topics.get(topic);
      if (!partitions) continue;
      removed += partitions.size;
      topics.delete(topic);
      if (topics.size === 0) this.byGroup.delete(group);
    }
    this.live -= removed;
    // Without a rewrite the old lines would bring the offsets back at the next start, and a
    // topic created again under the same name would start from them.
    if (removed > 0) this.compact();
    return removed;
  }

  /** Lines in the file (for tests and metrics). */
  get lineCount(): number {
    return this.lines;
  }

  /** Distinct (group, topic, partition) entries. */
  get size(): number {
    return this.live;
  }

  flush(): void {
    this.assertOpen();
    this.sync();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.cancel();
    try {
      this.sync();
    } finally {
      fs.closeSync(this.fd);
    }
  }

  private set(group: string, topic: string, partition: number, o: StoredOffset): void {
    let topics = this.byGroup.get(group);
    if (!topics) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    if (!partitions.has(partition)) this.live++;
    partitions.set(partition, o);
  }

  private write(data: Buffer): void {
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done);
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, this.fileSize);
      } catch {
        // Left torn: the next open cuts the partial line off.
      }
      throw err;
    }
    this.fileSize += data.length;
    this.dirty = true;
  }

  /** Rewrites the file with only the live entries (tmp file, fsync, rename). */
  private compact(): void {
    const parts: string[] = [];
    for (const [g, topics] of this.byGroup) {
      for (const [t, partitions] of topics) for (const [p, o] of partitions) parts.push(lineFor(g, t, p, o));
    }
    const data = Buffer.from(parts.join(''));
    writeFileAtomic(this.file, data);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a');
    this.lines = parts.length;
    this.fileSize = data.length;
    this.dirty = false;
  }

  private sync(): void {
    if (!this.dirty) return;
    fs.fdatasyncSync(this.fd);
    this.dirty = false;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`offset store ${this.file} is closed`);
  }
}
