// One partition's records waiting to be archived, cut into "units": the lines of one archive
// object, the poison messages met on the way, and the offset to commit once both are durable.

import type { DeadLetterMessage } from '@clickstream/kafka';

export interface ArchiveUnit {
  partition: number;
  /** Archive lines in offset order (may be empty when the range held only poison). */
  lines: string[];
  bytes: number;
  /** Offsets of the first and last line: they name the object, so a replay rewrites it. */
  firstLineOffset: bigint | undefined;
  lastLineOffset: bigint | undefined;
  /** `received_at` of the first line: the object's dt=/hour= folder. */
  firstReceivedAt: string | undefined;
  poison: DeadLetterMessage[];
  /** The next offset to read once this unit is durable. */
  commitOffset: bigint;
}

export class PartitionBuffer {
  private lines: string[] = [];
  private bytes = 0;
  private poison: DeadLetterMessage[] = [];
  private firstLineOffset: bigint | undefined;
  private lastLineOffset: bigint | undefined;
  private firstReceivedAt: string | undefined;
  private lastOffset: bigint | undefined;
  /** When the oldest record in the buffer arrived (ms), for the time-based flush. */
  startedAt = 0;

  constructor(readonly partition: number) {}

  get lineCount(): number {
    return this.lines.length;
  }

  get isEmpty(): boolean {
    return this.lastOffset === undefined;
  }

  addLine(offset: bigint, line: string, receivedAt: string, now: number): void {
    this.touch(offset, now);
    if (this.firstLineOffset === undefined) {
      this.firstLineOffset = offset;
      this.firstReceivedAt = receivedAt;
    }
    this.lastLineOffset = offset;
    this.lines.push(line);
    this.bytes += line.length + 1;
  }

  addPoison(offset: bigint, message: DeadLetterMessage, now: number): void {
    this.touch(offset, now);
    this.poison.push(message);
  }

  /** Hands out everything buffered as one unit and starts afresh; undefined when empty. */
  cut(): ArchiveUnit | undefined {
    if (this.lastOffset === undefined) return undefined;
    const unit: ArchiveUnit = {
      partition: this.partition,
      lines: this.lines,
      bytes: this.bytes,
      firstLineOffset: this.firstLineOffset,
      lastLineOffset: this.lastLineOffset,
      firstReceivedAt: this.firstReceivedAt,
      poison: this.poison,
      commitOffset: this.lastOffset + 1n,
    };
    this.lines = [];
    this.bytes = 0;
    this.poison = [];
    this.firstLineOffset = this.lastLineOffset = this.firstReceivedAt = this.lastOffset = undefined;
    this.startedAt = 0;
    return unit;
  }

  private touch(offset: bigint, now: number): void {
    if (this.lastOffset !== undefined && offset <= this.lastOffset) {
      throw new Error(`partition ${this.partition}: offset ${offset} after ${this.lastOffset} is out of order`);
    }
    if (this.lastOffset === undefined) this.startedAt = now;
    this.lastOffset = offset;
  }
}
