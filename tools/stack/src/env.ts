// The environment of each child process: the launcher's own environment (so LOG_LEVEL and the
// apps' other variables pass through), then what the stack wires together, which wins.
import type { Ports } from './options';

export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface StackWiring {
  ports: Ports;
  databaseUrl: string;
  s3: S3Settings;
  adminUser: string;
  adminPassword: string;
  /** Seconds between ETL runs (ETL_INTERVAL_SECONDS passes through; default 15). */
  etlIntervalSeconds: string;
}

export type AppName = 'ingest' | 'stream-consumer' | 'etl' | 'web';

/** Variables the stack decides; anything else in the parent environment passes through. */
const WIRED = [
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'INGEST_PORT',
  'INGEST_HOST',
  'CONSUMER_PORT',
  'CONSUMER_HOST',
  'ETL_PORT',
  'ETL_HOST',
  'WEB_PORT',
  'WEB_HOST',
  'WEB_ADMIN_USER',
  'WEB_ADMIN_PASSWORD',
  'ETL_INTERVAL_SECONDS',
];

export function s3Env(s3: S3Settings): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    ...(s3.accessKeyId ? { S3_ACCESS_KEY_ID: s3.accessKeyId } : {}),
    ...(s3.secretAccessKey ? { S3_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
  };
}

/** The environment of one app: the parent's, minus what the stack wires, plus the wiring. */
export function appEnv(app: AppName, w: StackWiring, parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) if (!WIRED.includes(k) && v !== undefined) base[k] = v;
  const kafka = { KAFKA_BROKERS: `127.0.0.1:${w.ports.broker}` };
  // The local stack listens on the loopback interface only.
  switch (app) {
    case 'ingest':
      return { ...base, ...kafka, INGEST_PORT: String(w.ports.ingest), INGEST_HOST: '127.0.0.1' };
    case 'stream-consumer':
      return {
        ...base,
        ...kafka,
        DATABASE_URL: w.databaseUrl,
        ...s3Env(w.s3),
        CONSUMER_PORT: String(w.ports.consumer),
        CONSUMER_HOST: '127.0.0.1',
        // Events reach the archive (and so the ETL) within seconds on a laptop, not 10 s.
        ARCHIVE_FLUSH_SECONDS: parent['ARCHIVE_FLUSH_SECONDS'] || '2',
      };
    case 'etl':
      return {
        ...base,
        DATABASE_URL: w.databaseUrl,
        ...s3Env(w.s3),
        ETL_PORT: String(w.ports.etl),
        ETL_HOST: '127.0.0.1',
        ETL_INTERVAL_SECONDS: w.etlIntervalSeconds,
      };
    case 'web':
      return {
        ...base,
        ...kafka,
        DATABASE_URL: w.databaseUrl,
        ...s3Env(w.s3),
        WEB_PORT: String(w.ports.web),
        WEB_HOST: '127.0.0.1',
        WEB_ADMIN_USER: w.adminUser,
        WEB_ADMIN_PASSWORD: w.adminPassword,
      };
  }
}
