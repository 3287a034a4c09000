// Streams one NDJSON.gz object to S3 line by line (multipart upload through lib-storage), so an
// object much bigger than memory can be written: write() waits while S3 is behind.
import { once } from 'node:events';
import { pipeline } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertNdjsonLine, createNdjsonGzip, GzipHeaderFixer } from './ndjson-gzip';

/** What a finished write of one object produced. */
export interface PutObjectResult {
  key: string;
  /** Stored (compressed) size. */
  bytes: number;
  lines: number;
  /** As S3 returns it, quotes included: compare it with list() and statObject() etags. */
  etag: string;
}

export interface ObjectWriter {
  readonly key: string;
  /** Resolves once the line is accepted; waits (backpressure) while compression or S3 is behind. Rejects once the upload failed. */
  write(line: string): Promise<void>;
  /** Finishes the object; resolves when S3 has it. */
  close(): Promise<PutObjectResult>;
  /** Gives the object up: nothing is stored (a started multipart upload is aborted). */
  abort(): Promise<void>;
  /** Lines accepted so far. */
  readonly lines: number;
  /** Uncompressed bytes accepted but not yet compressed; write() keeps this near one chunk. */
  readonly bufferedBytes: number;
}

export interface ObjectWriterOptions {
  /** Bytes per multipart part (S3 minimum, and default, 5 MiB); the last part may be smaller. */
  partSize?: number;
  /** Parts uploaded at once; memory held is about partSize × (queueSize + 1). */
  queueSize?: number;
}

export const NDJSON_GZIP_CONTENT_TYPE = 'application/gzip';

const MIN_PART_SIZE = 5 * 1024 * 1024;

export function createS3ObjectWriter(client: S3Client, bucket: string, key: string, options: ObjectWriterOptions = {}): ObjectWriter {
  const gzip = createNdjsonGzip();
  const body = new GzipHeaderFixer();
  let failure: unknown;
  let state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  let lines = 0;

  const fail = (err: unknown) => {
    failure ??= err;
    if (!gzip.destroyed) gzip.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  // pipeline() carries an error of either stream to the other, so the upload sees it too.
  pipeline(gzip, body, (err) => {
    if (err) failure ??= err;
  });
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: NDJSON_GZIP_CONTENT_TYPE },
    partSize: Math.max(MIN_PART_SIZE, options.partSize ?? MIN_PART_SIZE),
    queueSize: options.queueSize ?? 2,
    leavePartsOnError: false,
  });
  const done = upload.done();
  done.catch(fail);

  const notOpen = () => new Error(`the writer of ${key} is ${state}`);

  return {
    key,
    get lines() {
      return lines;
    },
    get bufferedBytes() {
      return gzip.writableLength;
    },
    async write(line: string): Promise<void> {
      if (failure) throw failure;
      if (state !== 'open') throw notOpen();
      assertNdjsonLine(line, lines);
      lines++;
      if (!gzip.write(line + '\n')) {
        if (failure) throw failure;
        await once(gzip, 'drain'); // rejects when the stream errors (the upload failed)
      }
    },
    async close(): Promise<PutObjectResult> {
      if (failure) throw failure;
      if (state !== 'open') throw notOpen();
      state = 'closing';
      gzip.end();
      try {
        const out = await done;
        state = 'closed';
        return { key, bytes: body.bytes, lines, etag: out.ETag ?? '' };
      } catch (err) {
        state = 'aborted';
        throw err;
      }
    },
    async abort(): Promise<void> {
      if (state === 'closed' || state === 'aborted') return;
      state = 'aborted';
      await upload.abort();
      fail(Object.assign(new Error(`the writer of ${key} was aborted`), { name: 'AbortError' }));
      await done.catch(() => undefined);
    },
  };
}
