// The S3 client of the raw archive: AWS S3 or any S3-compatible endpoint (MinIO, s3rver), with
// timeouts so that a dead endpoint makes calls fail instead of hang.
import { S3Client } from '@aws-sdk/client-s3';

/** The raw archive's S3 settings: the shape of `s3Env` in @clickstream/runtime. */
export interface ArchiveConfig {
  /** S3-compatible endpoint URL; unset = AWS S3. */
  S3_ENDPOINT?: string;
  S3_BUCKET: string;
  S3_REGION: string;
  /** Both keys or neither; neither = the AWS SDK's default credential chain. */
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
}

export interface S3ClientOptions {
  /** How long opening a connection may take (ms). */
  connectionTimeoutMs?: number;
  /** How long one request may take until its response starts, body upload included (ms). */
  requestTimeoutMs?: number;
  /** How long a socket may sit idle, e.g. in the middle of a download (ms). */
  socketTimeoutMs?: number;
  /** Attempts per call, first included; callers retry with their own backoff on top. */
  maxAttempts?: number;
}

export function createS3Client(config: ArchiveConfig, options: S3ClientOptions = {}): S3Client {
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the default AWS credentials)');
  }
  return new S3Client({
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    // The SDK's default (checksums on every request, streamed bodies sent aws-chunked with a
    // trailing checksum) is not understood by s3rver, which then stores the chunk framing as data.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
    },
  });
}
