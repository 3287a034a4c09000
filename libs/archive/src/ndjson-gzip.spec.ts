// Unit tests of the NDJSON.gz format: deterministic bytes and streaming line splitting.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { createNdjsonGzip, GzipHeaderFixer, gzipNdjson, splitNdjsonLines } from './ndjson-gzip';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}

describe('NDJSON.gz', () => {
  const lines = ['{"a":1}', '{"b":"é 😀 中文"}', JSON.stringify({ c: 'x'.repeat(100_000) })];

  it('compresses to the same bytes every time, with a fixed header and a newline after every line', () => {
    const gz = gzipNdjson(lines);
    expect(gzipNdjson([...lines])).toEqual(gz);
    expect(gz.readUInt32LE(4)).toBe(0); // no mtime
    expect(gz[9]).toBe(255); // OS "unknown", whatever the platform
    expect(gunzipSync(gz).toString('utf8')).toBe(lines.join('\n') + '\n');
    expect(gunzipSync(gzipNdjson([])).length).toBe(0);
  });

  it('streams to the same bytes as it compresses in memory', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, s: `line ${i} ü` }));
    const gzip = createNdjsonGzip();
    const fixer = new GzipHeaderFixer();
    const parts: Buffer[] = [];
    fixer.on('data', (b: Buffer) => parts.push(b));
    await pipeline(Readable.from(many.map((l) => l + '\n')), gzip, fixer);
    expect(Buffer.concat(parts)).toEqual(gzipNdjson(many));
    expect(fixer.bytes).toBe(Buffer.concat(parts).length);
  });

  it('refuses lines that would not read back as one line', () => {
    expect(() => gzipNdjson(['{}', 'a\nb'])).toThrow('line 2');
    expect(() => gzipNdjson(['a\r'])).toThrow('without line breaks');
    expect(() => gzipNdjson([''])).toThrow('non-empty');
  });

  it('splits lines across chunks: CRLF, characters cut in two, long lines, no final newline, blank lines', async () => {
    const smile = Buffer.from('😀');
    const long = 'y'.repeat(50_000);
    const got = await collect(
      splitNdjsonLines(
        chunks('{"a":1}\r\n', '\n', Buffer.concat([Buffer.from('{"s":"'), smile.subarray(0, 2)]), Buffer.concat([smile.subarray(2), Buffer.from('"}\n')]), ...Array.from({ length: 50 }, (_, i) => long.slice(i * 1000, (i + 1) * 1000)), '\n{"last":true}'),
      ),
    );
    expect(got).toEqual([
      { line: '{"a":1}', lineNumber: 1 },
      { line: '{"s":"😀"}', lineNumber: 3 },
      { line: long, lineNumber: 4 },
      { line: '{"last":true}', lineNumber: 5 },
    ]);
    expect(await collect(splitNdjsonLines(chunks()))).toEqual([]);
    expect(await collect(splitNdjsonLines(chunks('a\n')))).toEqual([{ line: 'a', lineNumber: 1 }]);
  });
});
