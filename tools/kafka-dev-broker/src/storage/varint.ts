// Zigzag varints, the integer encoding of the records inside a magic-2 batch.

import { CorruptBatchError } from './errors';

/** A read position that the decoder advances. */
export interface Cursor {
  pos: number;
}

// Plain number arithmetic rather than 32-bit bit operations, so varlongs (timestamp deltas) up to
// 2^53 decode exactly; larger values are not meaningful for anything the broker reads.
const MAX_VARINT_BYTES = 10;

/** Decodes a zigzag varint or varlong at cur.pos (reading before `end`) and advances cur. */
export function readVarint(buf: Uint8Array, cur: Cursor, end = buf.length): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (cur.pos >= end) throw new CorruptBatchError('varint runs past the end of the records', cur.pos);
    const b = buf[cur.pos++];
    raw += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (raw > Number.MAX_SAFE_INTEGER) throw new CorruptBatchError('varint too large', cur.pos);
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw new CorruptBatchError('varint longer than 10 bytes', cur.pos);
}

/** Appends the zigzag varint encoding of an integer (|value| < 2^52) to out. */
export function writeVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varint value must be a safe integer (got ${value})`);
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  while (raw >= 0x80) {
    out.push((raw % 128) | 0x80);
    raw = Math.floor(raw / 128);
  }
  out.push(raw);
}
