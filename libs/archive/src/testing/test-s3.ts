// Which S3 the integration tests talk to: the S3-compatible endpoint in S3_ENDPOINT when it is set
// (MinIO, AWS), else s3rver in this process, which a test can stop and start again on the same
// port and directory to play an S3 outage.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { createRawArchive } from '../raw-archive';
import type { ArchiveConfig } from '../s3-client';

export interface TestS3 {
  /** Endpoint URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** Settings for createRawArchive: a fresh `test-<random>` bucket (not created yet: ensureBucket). */
  config: ArchiveConfig;
  /** The same settings with another fresh bucket, for a test that needs a bucket of its own; destroy() drops it too. */
  newBucket(): ArchiveConfig;
  /** s3rver's data directory; undefined for an external S3. */
  dir: string | undefined;
  port: number;
  backend: 's3rver' | 'external';
  /** Says which S3 this is, for the test log. */
  name: string;
  /**
   * s3rver: stops listening and drops open connections, as an outage would. The data stays, so
   * start() (or startTestS3({ dir, port })) resumes it; call destroy() to clean up. External: no-op.
   */
  stop(): Promise<void>;
  /** s3rver: listens again after stop(), on the same port and directory. External: no-op. */
  start(): Promise<void>;
  /** Stops, then removes the test data: the buckets (external) or the directory startTestS3 made (s3rver). */
  destroy(): Promise<void>;
}

export interface StartTestS3Options {
  /** s3rver's data directory; default a new temporary directory. */
  dir?: string;
  /** s3rver's port; default 0 (any free port). */
  port?: number;
  /** Bucket name for `config`; default `test-<random>`. */
  bucket?: string;
}

// The part of s3rver 3.x (which has no types) used here.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  httpServer: Server;
}
type S3rverConstructor = new (options: { address: string; port: number; silent: boolean; directory: string }) => S3rverServer;

let announced = false;

const randomBucket = () => `test-${randomBytes(6).toString('hex')}`;

/** True when the tests run against an external S3 (S3_ENDPOINT), where an outage cannot be staged. */
export function usesExternalS3(): boolean {
  return Boolean(process.env['S3_ENDPOINT']);
}

export async function startTestS3(options: StartTestS3Options = {}): Promise<TestS3> {
  const bucket = options.bucket ?? randomBucket();
  const s3 = usesExternalS3() ? externalS3(bucket) : await startS3rver(bucket, options);
  if (!announced) {
    announced = true;
    // Say which backend ran, so a green run on s3rver is not mistaken for one on MinIO or AWS.
    console.info(`S3 for these integration tests: ${s3.name}`);
  }
  return s3;
}

function externalS3(bucket: string): TestS3 {
  const env = process.env;
  const endpoint = env['S3_ENDPOINT'] as string;
  const config: ArchiveConfig = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: env['S3_REGION'] || 'us-east-1',
    S3_ACCESS_KEY_ID: env['S3_ACCESS_KEY_ID'] || undefined,
    S3_SECRET_ACCESS_KEY: env['S3_SECRET_ACCESS_KEY'] || undefined,
  };
  const buckets = [config];
  return {
    endpoint,
    config,
    newBucket: () => {
      const another = { ...config, S3_BUCKET: randomBucket() };
      buckets.push(another);
      return another;
    },
    dir: undefined,
    port: Number(new URL(endpoint).port) || (endpoint.startsWith('https:') ? 443 : 80),
    backend: 'external',
    name: `S3 at ${endpoint} (S3_ENDPOINT)`,
    start: async () => undefined,
    stop: async () => undefined,
    destroy: async () => {
      for (const b of buckets.splice(0)) await dropBucket(b);
    },
  };
}

async function startS3rver(bucket: string, options: StartTestS3Options): Promise<TestS3> {
  // s3rver is a development dependency, loaded only here; through require, so that projects that
  // compile this file from source need no type declarations for it.
  const S3rver = createRequire(__filename)('s3rver') as S3rverConstructor;
  const madeDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'clickstream-s3-'));
  let port = options.port ?? 0;
  let running: { http: Server; closed?: Promise<void> } | undefined;
  let starting: Promise<void> | undefined;

  const start = () =>
    (starting ??= (async () => {
      if (running) return;
      // An S3rver cannot listen again once closed (its logger closes with it): each start is a new one.
      const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir });
      port = (await server.run()).port;
      running = { http: server.httpServer };
    })().finally(() => (starting = undefined)));
  const stop = async () => {
    const current = running;
    if (!current) return;
    current.closed ??= new Promise<void>((resolve, reject) => {
      current.http.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive connections would hold close() open and keep being answered: an outage drops them.
      current.http.closeAllConnections();
    });
    await current.closed;
    if (running === current) running = undefined;
  };

  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const config: ArchiveConfig = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
  };
  return {
    endpoint,
    config,
    newBucket: () => ({ ...config, S3_BUCKET: randomBucket() }), // removed with the directory
    dir,
    port,
    backend: 's3rver',
    name: 's3rver in process (no S3_ENDPOINT)',
    start,
    stop,
    destroy: async () => {
      await stop();
      if (madeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function dropBucket(config: ArchiveConfig): Promise<void> {
  const archive = createRawArchive(config);
  try {
    const keys: string[] = [];
    try {
      for await (const o of archive.list()) keys.push(o.key);
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchBucket') return;
      throw err;
    }
    await archive.deleteObjects(keys);
    await archive.client.send(new DeleteBucketCommand({ Bucket: config.S3_BUCKET }));
  } finally {
    archive.close();
  }
}
