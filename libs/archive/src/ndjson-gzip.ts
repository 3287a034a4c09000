// The raw archive's object format, NDJSON.gz (one line per event, '\n' after each), as pure
// functions and streams: deterministic compression, and line splitting that streams.
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createGzip, gzipSync, type Gzip, type ZlibOptions } from 'node:zlib';

/** Fixed settings, so the same lines always give the same bytes (a replay rewrites an identical object). */
const GZIP_OPTIONS: ZlibOptions = {
  level: 6,
  memLevel: 8,
  windowBits: 15,
  strategy: constants.Z_DEFAULT_STRATEGY,
};

// zlib writes mtime 0 and no file name; only the OS byte of the header differs between platforms.
const GZIP_OS_OFFSET = 9;
const GZIP_OS_UNKNOWN = 255;

/** Throws unless `line` can be one NDJSON line: not empty, no line break in it. */
export function assertNdjsonLine(line: string, index?: number): void {
  if (typeof line !== 'string' || line.length === 0 || line.includes('\n') || line.includes('\r')) {
    const where = index === undefined ? '' : ` (line ${index + 1})`;
    throw new TypeError(`an NDJSON line must be a non-empty string without line breaks${where}`);
  }
}

/** The NDJSON.gz bytes of `lines`: byte-identical for the same lines. */
export function gzipNdjson(lines: readonly string[]): Buffer {
  lines.forEach(assertNdjsonLine);
  const text = lines.length === 0 ? '' : lines.join('\n') + '\n';
  const gz = gzipSync(Buffer.from(text, 'utf8'), GZIP_OPTIONS);
  gz[GZIP_OS_OFFSET] = GZIP_OS_UNKNOWN;
  return gz;
}

/** A gzip stream with the same settings and header as gzipNdjson, for objects too big for memory. */
export function createNdjsonGzip(): Gzip {
  return createGzip(GZIP_OPTIONS);
}

/** Sets the OS byte of the gzip header as gzipNdjson does, and counts the bytes that pass. */
export class GzipHeaderFixer extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.bytes <= GZIP_OS_OFFSET && this.bytes + chunk.length > GZIP_OS_OFFSET) {
      chunk = Buffer.from(chunk); // zlib may reuse its output buffer
      chunk[GZIP_OS_OFFSET - this.bytes] = GZIP_OS_UNKNOWN;
    }
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

export interface NdjsonLine {
  line: string;
  /** 1-based, counting every physical line, so a message can point into the object. */
  lineNumber: number;
}

/**
 * The lines of a stream of (already decompressed) NDJSON bytes. Accepts '\n' and '\r\n'; skips
 * empty lines; a last line without '\n' still counts. Streams: holds one line at a time, however long.
 */
export async function* splitNdjsonLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  let pending: string[] = []; // pieces of a line that spans chunks; joined once, so long lines stay linear
  let lineNumber = 0;
  const finish = (tail: string): NdjsonLine | undefined => {
    pending.push(tail);
    let line = pending.length === 1 ? pending[0] : pending.join('');
    pending = [];
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line.length === 0 ? undefined : { line, lineNumber };
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const out = finish(text.slice(start, nl));
      if (out) yield out;
      start = nl + 1;
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  const rest = decoder.end();
  if (rest) pending.push(rest);
  if (pending.length > 0) {
    const out = finish('');
    if (out) yield out;
  }
}
