// Splits a TCP byte stream into Kafka protocol frames: a 4-byte big-endian size, then that many bytes.

export class FrameTooLargeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`frame of ${size} bytes exceeds the ${limit}-byte limit`);
  }
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes = 100 * 1024 * 1024) {}

  /** Feeds bytes in; returns every frame body completed by them, in order. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
      if (this.buffered < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0];
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}

export function encodeFrame(body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}
