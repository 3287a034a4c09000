// A MaxMind DB (.mmdb) reader that reads the file at offsets (pread) through a bounded block cache
// instead of holding it in memory, so a 60–70 MB database costs a process a few MB of RSS.
// Format: https://maxmind.github.io/MaxMind-DB/ — a binary search tree over the address bits,
// 16 zero bytes, a data section of typed fields, and a metadata map after a marker at the end.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const METADATA_MARKER = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com', 'latin1')]);
/** The metadata section is at most 128 KiB from the end of the file. */
const METADATA_MAX_SIZE = 128 * 1024;
const DATA_SECTION_SEPARATOR = 16;

export interface MmdbMetadata {
  nodeCount: number;
  recordSize: 24 | 28 | 32;
  ipVersion: 4 | 6;
  databaseType: string;
  /** The whole metadata map as stored (snake_case keys). */
  raw: Record<string, unknown>;
}

export interface MmdbReaderOptions {
  /** Bytes per cached block; a power of two. */
  blockSize?: number;
  /** Upper bound of the block cache, in bytes. */
  cacheBytes?: number;
}

export type MmdbValue = string | number | bigint | boolean | Buffer | MmdbValue[] | { [key: string]: MmdbValue };

/**
 * The file seen through a cache of fixed-size blocks read with pread. Blocks are allocated as
 * needed up to the bound, then reused; nothing else of the file is kept. Eviction is CLOCK
 * (second chance, close to LRU): a hit only sets a flag, where a Map-based LRU's delete and
 * re-insert on each of a lookup's ~30 node reads cost more than the reads themselves.
 */
export class BlockCache {
  private readonly shift: number;
  private readonly mask: number;
  private readonly maxBlocks: number;
  /** Per block of the file: the slot holding it, or -1. */
  private readonly slotOfBlock: Int32Array;
  /** Per slot: its buffer, the block it holds, whether it was used since the hand last passed. */
  private readonly slots: Buffer[] = [];
  private readonly blockOfSlot: Int32Array;
  private readonly used: Uint8Array;
  private hand = 0;
  // The block read last: tree walks and field decoding often stay in one block.
  private lastIndex = -1;
  private lastBlock: Buffer = Buffer.alloc(0);
  /** Blocks read from the file so far. */
  reads = 0;

  constructor(
    private readonly fd: number,
    readonly fileSize: number,
    readonly blockSize: number,
    cacheBytes: number,
  ) {
    if (!Number.isInteger(Math.log2(blockSize)) || blockSize < 64) throw new Error(`mmdb block size must be a power of two ≥ 64, not ${blockSize}`);
    this.shift = Math.log2(blockSize);
    this.mask = blockSize - 1;
    const fileBlocks = Math.ceil(fileSize / blockSize);
    this.maxBlocks = Math.min(fileBlocks, Math.max(2, Math.floor(cacheBytes / blockSize)));
    this.slotOfBlock = new Int32Array(fileBlocks).fill(-1);
    this.blockOfSlot = new Int32Array(this.maxBlocks).fill(-1);
    this.used = new Uint8Array(this.maxBlocks);
  }

  /** Bytes held by cached blocks now. */
  get cachedBytes(): number {
    return this.slots.length * this.blockSize;
  }

  /** The most the cache will hold, in bytes. */
  get maxBytes(): number {
    return this.maxBlocks * this.blockSize;
  }

  private block(index: number): Buffer {
    if (index === this.lastIndex) return this.lastBlock;
    let slot = index < this.slotOfBlock.length ? this.slotOfBlock[index] : -1;
    let block: Buffer;
    if (slot >= 0) {
      this.used[slot] = 1;
      block = this.slots[slot];
    } else {
      slot = this.freeSlot();
      block = this.slots[slot];
      this.read(index, block);
      this.slotOfBlock[index] = slot;
      this.blockOfSlot[slot] = index;
      this.used[slot] = 1;
    }
    this.lastIndex = index;
    this.lastBlock = block;
    return block;
  }

  private freeSlot(): number {
    if (this.slots.length < this.maxBlocks) {
      this.slots.push(Buffer.allocUnsafeSlow(this.blockSize));
      return this.slots.length - 1;
    }
    for (;;) {
      const slot = this.hand;
      this.hand = (slot + 1) % this.maxBlocks;
      if (this.used[slot]) {
        this.used[slot] = 0;
        continue;
      }
      const evicted = this.blockOfSlot[slot];
      this.slotOfBlock[evicted] = -1;
      if (evicted === this.lastIndex) this.lastIndex = -1;
      return slot;
    }
  }

  private read(index: number, block: Buffer): void {
    const position = index * this.blockSize;
    const length = Math.min(this.blockSize, this.fileSize - position);
    if (length <= 0) throw new Error(`mmdb read past the end of the file (offset ${position})`);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, block, done, length - done, position + done);
      if (n === 0) throw new Error(`mmdb file ended early at offset ${position + done}`);
      done += n;
    }
    this.reads++;
  }

  byte(offset: number): number {
    return this.block(offset >>> this.shift)[offset & this.mask];
  }

  /** Big-endian unsigned integer of `length` ≤ 4 bytes. */
  uint(offset: number, length: number): number {
    const start = offset & this.mask;
    if (start + length <= this.blockSize) {
      const b = this.block(offset >>> this.shift);
      let v = 0;
      for (let i = 0; i < length; i++) v = v * 256 + b[start + i];
      return v;
    }
    let v = 0;
    for (let i = 0; i < length; i++) v = v * 256 + this.byte(offset + i);
    return v;
  }

  /** `length` bytes at `offset` as a buffer and the position in it where they start. */
  bytes(offset: number, length: number): { buffer: Buffer; start: number } {
    const start = offset & this.mask;
    if (start + length <= this.blockSize) return { buffer: this.block(offset >>> this.shift), start };
    const out = Buffer.allocUnsafe(length);
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const from = at & this.mask;
      const n = Math.min(this.blockSize - from, length - done);
      this.block(at >>> this.shift).copy(out, done, from, from + n);
      done += n;
    }
    return { buffer: out, start: 0 };
  }

  string(offset: number, length: number): string {
    const { buffer, start } = this.bytes(offset, length);
    return buffer.toString('utf8', start, start + length);
  }
}

function readBytes<T>(file: BlockCache, offset: number, length: number, read: (buffer: Buffer, start: number) => T): T {
  const { buffer, start } = file.bytes(offset, length);
  return read(buffer, start);
}

/** Decodes data-section fields; pointers are relative to `pointerBase`. */
class Decoder {
  private pos = 0;

  constructor(
    private readonly file: BlockCache,
    private readonly pointerBase: number,
  ) {}

  decodeAt(offset: number): MmdbValue {
    this.pos = offset;
    return this.value();
  }

  private value(): MmdbValue {
    const file = this.file;
    const ctrl = file.byte(this.pos++);
    let type = ctrl >> 5;
    if (type === 1) {
      const target = this.pointer(ctrl);
      const after = this.pos;
      this.pos = target;
      const v = this.value();
      this.pos = after;
      return v;
    }
    if (type === 0) {
      type = file.byte(this.pos++) + 7;
      if (type < 8 || type > 15) throw new Error(`mmdb: invalid extended type ${type} at offset ${this.pos - 1}`);
    }
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const extra = size - 28;
      const n = file.uint(this.pos, extra);
      this.pos += extra;
      size = size === 29 ? 29 + n : size === 30 ? 285 + n : 65821 + n;
    }
    const at = this.pos;
    switch (type) {
      case 2: // utf8 string
        this.pos += size;
        return file.string(at, size);
      case 3: // double
        if (size !== 8) throw new Error(`mmdb: double of ${size} bytes at offset ${at}`);
        this.pos += 8;
        return readBytes(file, at, 8, (b, s) => b.readDoubleBE(s));
      case 4: // bytes
        this.pos += size;
        return readBytes(file, at, size, (b, s) => Buffer.from(b.subarray(s, s + size)));
      case 5: // uint16
      case 6: // uint32
        if (size > (type === 5 ? 2 : 4)) throw new Error(`mmdb: unsigned integer of ${size} bytes at offset ${at}`);
        this.pos += size;
        return file.uint(at, size);
      case 7: {
        // map: `size` key/value pairs; keys are strings
        const map: { [key: string]: MmdbValue } = {};
        for (let i = 0; i < size; i++) {
          const key = this.value();
          if (typeof key !== 'string') throw new Error(`mmdb: map key is not a string near offset ${this.pos}`);
          map[key] = this.value();
        }
        return map;
      }
      case 8: // int32: fewer than 4 bytes are zero-padded on the left, so only 4 can be negative
        if (size > 4) throw new Error(`mmdb: int32 of ${size} bytes at offset ${at}`);
        this.pos += size;
        return size === 4 ? file.uint(at, 4) | 0 : file.uint(at, size);
      case 9: // uint64
      case 10: {
        // uint128
        if (size > (type === 9 ? 8 : 16)) throw new Error(`mmdb: unsigned integer of ${size} bytes at offset ${at}`);
        this.pos += size;
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(file.byte(at + i));
        return v;
      }
      case 11: {
        // array
        const array: MmdbValue[] = [];
        for (let i = 0; i < size; i++) array.push(this.value());
        return array;
      }
      case 14: // boolean: the value is the size
        if (size > 1) throw new Error(`mmdb: boolean of size ${size} at offset ${at}`);
        return size === 1;
      case 15: // float
        if (size !== 4) throw new Error(`mmdb: float of ${size} bytes at offset ${at}`);
        this.pos += 4;
        return readBytes(file, at, 4, (b, s) => b.readFloatBE(s));
      default: // 12 data cache container and 13 end marker never occur in a data section
        throw new Error(`mmdb: unexpected type ${type} at offset ${at}`);
    }
  }

  /** A pointer's target: 001SSVVV, then SS+1 more bytes. */
  private pointer(ctrl: number): number {
    const ss = (ctrl >> 3) & 3;
    const vvv = ctrl & 7;
    const file = this.file;
    let target: number;
    if (ss === 0) target = vvv * 256 + file.byte(this.pos);
    else if (ss === 1) target = vvv * 65536 + file.uint(this.pos, 2) + 2048;
    else if (ss === 2) target = vvv * 16777216 + file.uint(this.pos, 3) + 526336;
    else target = file.uint(this.pos, 4);
    this.pos += ss + 1;
    return this.pointerBase + target;
  }
}

/** Parses a textual IPv4 or IPv6 address into 4 or 16 bytes, or undefined when it is neither. */
export function parseIp(ip: string): Uint8Array | undefined {
  if (ip.includes(':')) return parseIpv6(ip);
  return parseIpv4(ip, new Uint8Array(4), 0);
}

function parseIpv4(text: string, out: Uint8Array, at: number): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[at + i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // A dotted IPv4 tail stands for the last two groups.
  const all = [...head, ...tail];
  const last = all[all.length - 1];
  const v4Tail = last !== undefined && last.includes('.');
  const groupCount = all.length + (v4Tail ? 1 : 0);
  if (halves.length === 1 ? groupCount !== 8 : groupCount > 7) return undefined;
  const write = (list: string[], from: number): boolean => {
    let at = from;
    for (const g of list) {
      if (g.includes('.')) {
        if (g !== last || at !== 12 || !parseIpv4(g, out, 12)) return false;
        at += 4;
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return false;
      const n = parseInt(g, 16);
      out[at] = n >> 8;
      out[at + 1] = n & 0xff;
      at += 2;
    }
    return true;
  };
  if (!write(head, 0)) return undefined;
  const tailBytes = tail.length * 2 + (v4Tail && halves.length === 2 ? 2 : 0);
  if (halves.length === 2 && !write(tail, 16 - tailBytes)) return undefined;
  return out;
}

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  private readonly file: BlockCache;
  private readonly fd: number;
  private readonly nodeCount: number;
  private readonly recordSize: number;
  private readonly nodeBytes: number;
  private readonly treeSize: number;
  private readonly decoder: Decoder;
  /** The node where IPv4 addresses start in an IPv6 tree (after 96 zero bits). */
  private readonly ipv4Start: number;

  constructor(path: string, options: MmdbReaderOptions = {}) {
    this.fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.fd).size;
      this.file = new BlockCache(this.fd, size, options.blockSize ?? 4096, options.cacheBytes ?? 2 * 2 ** 20);
      const metadataStart = findMetadata(this.fd, size, path);
      const raw = new Decoder(this.file, metadataStart).decodeAt(metadataStart);
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Buffer.isBuffer(raw)) throw new Error(`${path}: mmdb metadata is not a map`);
      const nodeCount = Number(raw['node_count']);
      const recordSize = Number(raw['record_size']);
      const ipVersion = Number(raw['ip_version']);
      const major = Number(raw['binary_format_major_version']);
      if (major !== 2) throw new Error(`${path}: mmdb format version ${major} is not supported`);
      if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) throw new Error(`${path}: mmdb record size ${recordSize} is not supported`);
      if (ipVersion !== 4 && ipVersion !== 6) throw new Error(`${path}: mmdb ip_version ${ipVersion}`);
      if (!Number.isSafeInteger(nodeCount) || nodeCount <= 0) throw new Error(`${path}: mmdb node_count ${String(raw['node_count'])}`);
      this.metadata = { nodeCount, recordSize, ipVersion, databaseType: String(raw['database_type'] ?? ''), raw };
      this.nodeCount = nodeCount;
      this.recordSize = recordSize;
      this.nodeBytes = (recordSize * 2) / 8;
      this.treeSize = nodeCount * this.nodeBytes;
      if (this.treeSize + DATA_SECTION_SEPARATOR > metadataStart) throw new Error(`${path}: mmdb search tree runs past the metadata`);
      this.decoder = new Decoder(this.file, this.treeSize + DATA_SECTION_SEPARATOR);
      let node = 0;
      if (ipVersion === 6) for (let i = 0; i < 96 && node < nodeCount; i++) node = this.record(node, 0);
      this.ipv4Start = node;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  /** The block cache, for its figures (reads, bytes held). */
  get cache(): BlockCache {
    return this.file;
  }

  /** One of the two records of `node` (bit 0 = left, 1 = right). */
  private record(node: number, bit: number): number {
    const file = this.file;
    const base = node * this.nodeBytes;
    switch (this.recordSize) {
      case 24:
        return file.uint(base + bit * 3, 3);
      case 28: {
        // Left: the middle byte's high nibble, then bytes 0–2; right: its low nibble, then bytes 4–6.
        const middle = file.byte(base + 3);
        return bit === 0 ? (middle >> 4) * 16777216 + file.uint(base, 3) : (middle & 0x0f) * 16777216 + file.uint(base + 4, 3);
      }
      default:
        return file.uint(base + bit * 4, 4);
    }
  }

  /**
   * Where the record of an address (4 or 16 bytes) is, as an offset to pass to `decode()`, or
   * undefined when the database has none. An IPv4 address in an IPv6 database is looked up as
   * ::a.b.c.d; an IPv6 address in an IPv4 database has no record.
   */
  find(address: Uint8Array): number | undefined {
    let node: number;
    if (address.length === 4) node = this.metadata.ipVersion === 6 ? this.ipv4Start : 0;
    else if (address.length === 16 && this.metadata.ipVersion === 6) node = 0;
    else return undefined;
    const bits = address.length * 8;
    const nodeCount = this.nodeCount;
    for (let i = 0; i < bits && node < nodeCount; i++) node = this.record(node, (address[i >> 3] >> (7 - (i & 7))) & 1);
    if (node <= nodeCount) return undefined; // nodeCount: no data; below: ran out of bits
    const offset = node - nodeCount + this.treeSize; // = data section start + (node - nodeCount - 16)
    if (offset >= this.file.fileSize) throw new Error(`mmdb: record pointer ${node} is past the end of the file`);
    return offset;
  }

  /** The value at an offset returned by `find()`. */
  decode(offset: number): MmdbValue {
    return this.decoder.decodeAt(offset);
  }

  /** The record of a textual address, or undefined when it has none or is not an address. */
  get(ip: string): MmdbValue | undefined {
    const address = parseIp(ip);
    const offset = address && this.find(address);
    return offset === undefined ? undefined : this.decode(offset);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function findMetadata(fd: number, size: number, path: string): number {
  const length = Math.min(size, METADATA_MAX_SIZE);
  const tail = Buffer.alloc(length);
  readSync(fd, tail, 0, length, size - length);
  const at = tail.lastIndexOf(METADATA_MARKER);
  if (at < 0) throw new Error(`${path}: not a MaxMind DB file (no metadata marker)`);
  return size - length + at + METADATA_MARKER.length;
}
