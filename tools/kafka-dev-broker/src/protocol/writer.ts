// Encodes Kafka protocol primitives into a list of chunks; large byte fields (fetched record
// batches) are referenced, not copied.

const CHUNK = 4096;

export class Writer {
  private readonly chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private flushedBytes = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private flush(): void {
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.flushedBytes += this.pos;
      this.buf = Buffer.allocUnsafe(CHUNK);
      this.pos = 0;
    }
  }

  get length(): number {
    return this.flushedBytes + this.pos;
  }

  int8(v: number): this {
    this.room(1);
    this.pos = this.buf.writeInt8(v, this.pos);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  int64(v: bigint): this {
    this.room(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
    return this;
  }

  nullableString(v: string | null | undefined): this {
    if (v === null || v === undefined) return this.int16(-1);
    const len = Buffer.byteLength(v);
    this.int16(len);
    this.room(len);
    this.pos += this.buf.write(v, this.pos, 'utf8');
    return this;
  }

  string(v: string): this {
    return this.nullableString(v);
  }

  nullableBytes(v: Buffer | null | undefined): this {
    if (v === null || v === undefined) return this.int32(-1);
    this.int32(v.length);
    if (v.length >= 1024) {
      this.flush();
      this.chunks.push(v);
      this.flushedBytes += v.length;
    } else {
      this.room(v.length);
      this.pos += v.copy(this.buf, this.pos);
    }
    return this;
  }

  array<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item);
  }

  /** The encoded chunks, to be written in order. */
  toChunks(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toChunks());
  }
}
