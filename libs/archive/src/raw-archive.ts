// The raw archive on S3 (shared/DESIGN.md "Raw archive"): writes, reads, lists and deletes the
// NDJSON.gz objects that the archiver stores and the ETL loads.
import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '@clickstream/runtime';
import { gzipNdjson, splitNdjsonLines, type NdjsonLine } from './ndjson-gzip';
import { parseRawObjectKey, rawPrefix } from './object-key';
import { createS3ObjectWriter, NDJSON_GZIP_CONTENT_TYPE, type ObjectWriter, type ObjectWriterOptions, type PutObjectResult } from './object-writer';
import { createS3Client, type ArchiveConfig, type S3ClientOptions } from './s3-client';

export interface RawArchiveOptions {
  client: S3Client;
  bucket: string;
  logger?: Logger;
  /** Destroy `client` in close(); set when the archive made the client. */
  ownsClient?: boolean;
}

/** One stored object, as a listing or HeadObject reports it. */
export interface ArchiveObject {
  key: string;
  size: number;
  /** As S3 returns it, quotes included. */
  etag: string;
  lastModified: Date;
}

/** Everything under a prefix, or the raw objects of the UTC days `from`..`to` (inclusive, YYYY-MM-DD). */
export type ListOptions = { prefix?: string } | { from: string; to: string };

const DELETE_BATCH = 1000;
const DAY_MS = 86_400_000;

export class RawArchive {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly logger: Logger | undefined;
  private readonly ownsClient: boolean;

  constructor(options: RawArchiveOptions) {
    if (!options.bucket) throw new Error('RawArchive needs a bucket');
    this.client = options.client;
    this.bucket = options.bucket;
    this.logger = options.logger?.child({ component: 'archive', bucket: options.bucket });
    this.ownsClient = options.ownsClient ?? false;
  }

  /** Creates the bucket unless it exists; safe when several processes do it at once. */
  async ensureBucket(): Promise<void> {
    if (await this.bucketExists()) return;
    const region = await this.client.config.region();
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the one region that refuses a location constraint naming itself.
          ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
        }),
      );
      this.logger?.info('created bucket');
    } catch (err) {
      const name = (err as { name?: string }).name;
      // Someone else created it between our HEAD and PUT (s3rver says Exists even to its owner);
      // a bucket that exists but is someone else's still fails the HEAD below.
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
      if (!(await this.bucketExists())) throw err;
    }
  }

  private async bucketExists(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Writes `lines` as one NDJSON.gz object, compressed in memory; the same lines give the same bytes. */
  async putObject(key: string, lines: readonly string[]): Promise<PutObjectResult> {
    assertKey(key);
    const body = gzipNdjson(lines);
    const out = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: NDJSON_GZIP_CONTENT_TYPE,
        // S3 and MinIO refuse a body that arrived damaged.
        ContentMD5: createHash('md5').update(body).digest('base64'),
      }),
    );
    this.logger?.debug({ key, bytes: body.length, lines: lines.length }, 'put object');
    return { key, bytes: body.length, lines: lines.length, etag: out.ETag ?? '' };
  }

  /** A streaming writer for one object too big to build in memory. */
  createObjectWriter(key: string, options?: ObjectWriterOptions): ObjectWriter {
    assertKey(key);
    return createS3ObjectWriter(this.client, this.bucket, key, options);
  }

  /**
   * The lines of one object, streamed: downloaded, decompressed and split as they are read. Keep
   * reading: a connection left idle longer than the client's socket timeout (30 s) fails, retriably.
   */
  async *readLines(key: string): AsyncGenerator<NdjsonLine> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const body = out.Body as Readable | undefined;
    if (!body) throw new Error(`S3 returned no body for ${key}`);
    // pipeline() destroys both streams on an error or when the reader stops early, freeing the socket.
    const lines = pipeline(body, createGunzip(), () => undefined);
    try {
      yield* splitNdjsonLines(lines);
    } finally {
      lines.destroy();
    }
  }

  /** The stored (compressed) bytes of one object. */
  async readObjectBytes(key: string): Promise<Buffer> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
    return Buffer.from(await out.Body.transformToByteArray());
  }

  /** Size, etag and time of one object, or undefined when there is no such object. */
  async statObject(key: string): Promise<ArchiveObject | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0, etag: out.ETag ?? '', lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Objects in key order, a page (up to 1000) at a time. By date range only raw object keys are
   * listed, one day prefix after the other, so the rest of the bucket is never walked.
   */
  async *list(options: ListOptions = {}): AsyncGenerator<ArchiveObject> {
    if ('from' in options) {
      for (const day of utcDays(options.from, options.to)) {
        for await (const object of this.listPrefix(rawPrefix(day))) {
          if (parseRawObjectKey(object.key)?.date === day) yield object;
        }
      }
    } else {
      yield* this.listPrefix(options.prefix ?? '');
    }
  }

  // ListObjects (v1) paged by marker, not ListObjectsV2: s3rver 3.7 makes v2 continuation tokens
  // with single DES, which OpenSSL 3 (Node >= 17) lacks, so every truncated v2 page is a 500 there.
  // AWS, MinIO and s3rver all page v1 the same way: the next page starts after the last key.
  private async *listPrefix(prefix: string): AsyncGenerator<ArchiveObject> {
    let marker: string | undefined;
    for (;;) {
      const page = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix || undefined, Marker: marker }));
      let last: string | undefined;
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        last = o.Key;
        yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? '', lastModified: o.LastModified ?? new Date(0) };
      }
      if (!page.IsTruncated) return;
      if (last === undefined || (marker !== undefined && last <= marker)) throw new Error(`S3 listing of "${prefix}" is truncated but does not advance`);
      marker = last;
    }
  }

  /**
   * Deletes objects, at most 1000 per request; returns how many S3 reports deleted (S3 also
   * reports keys that did not exist). Throws when S3 refuses any key, after the whole batch ran.
   */
  async deleteObjects(keys: Iterable<string>): Promise<number> {
    const unique = [...new Set(keys)];
    let deleted = 0;
    for (let i = 0; i < unique.length; i += DELETE_BATCH) {
      const batch = unique.slice(i, i + DELETE_BATCH);
      const out = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false } }),
      );
      deleted += out.Deleted?.length ?? 0;
      if (out.Errors?.length) {
        const first = out.Errors[0];
        throw Object.assign(new Error(`S3 refused to delete ${out.Errors.length} object(s), e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim()), {
          name: 'DeleteObjectsError',
          code: first.Code,
          deleted,
          errors: out.Errors,
        });
      }
    }
    if (deleted > 0) this.logger?.info({ deleted }, 'deleted objects');
    return deleted;
  }

  /** Releases the client's sockets when the archive made the client. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}

/** A RawArchive on its own client, from the `s3Env` config of @clickstream/runtime. */
export function createRawArchive(config: ArchiveConfig, options: { logger?: Logger } & S3ClientOptions = {}): RawArchive {
  const { logger, ...clientOptions } = options;
  return new RawArchive({ client: createS3Client(config, clientOptions), bucket: config.S3_BUCKET, logger, ownsClient: true });
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.startsWith('/')) throw new TypeError(`"${key}" is not an object key`);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}

/** The UTC days from..to, inclusive, as YYYY-MM-DD. */
export function utcDays(from: string, to: string): string[] {
  const start = parseUtcDate(from);
  const end = parseUtcDate(to);
  if (start > end) throw new RangeError(`from ${from} is after to ${to}`);
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

function parseUtcDate(date: string): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return t;
}
