// The whole web server on real parts for the integration and browser tests: PostgreSQL (a random
// schema, loaded with generated sessions the way the ETL loads them), the dev Kafka broker, s3rver,
// the live feed and the pipeline view — and an admin to log in as.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createRawArchive, type RawArchive } from '@clickstream/archive';
import { startTestS3, type TestS3 } from '@clickstream/archive/testing';
import type { CanonicalEvent } from '@clickstream/event-schema';
import { CONSUMER_GROUPS, createKafka, ensureTopics } from '@clickstream/kafka';
import { startKafkaBackend, type KafkaBackend } from '@clickstream/kafka/testing';
import { createHealth, createMetricsRegistry, type Logger } from '@clickstream/runtime';
import { capturedLogger } from '@clickstream/runtime/testing';
import { copyEvents, rebuildModels } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { buildServer } from '../../src/server/app';
import { createAnalystStore, type AnalystStore } from '../../src/server/auth/analyst-store';
import { createLiveFeed, type LiveFeed } from '../../src/server/live/live-feed';
import { createPipelineStatus } from '../../src/server/pipeline/pipeline-status';

export const ADMIN = { username: 'admin', password: 'correct horse battery' };

export interface WebHarness {
  app: FastifyInstance;
  wh: TestWarehouse;
  kafka: Kafka;
  /** bootstrap address of the Kafka the harness uses */
  brokers: string;
  topic: string;
  archive: RawArchive;
  analysts: AnalystStore;
  liveFeed: LiveFeed;
  logLines: string[];
  /** The session cookie header of a fresh admin login. */
  login(): Promise<string>;
  stop(): Promise<void>;
}

export interface WebHarnessOptions {
  events?: CanonicalEvent[];
  /** The built SPA to serve; default none. */
  clientDir?: string;
  loginRateLimit?: number;
  now?: () => Date;
  logger?: Logger;
  requestTimeoutMs?: number;
}

export async function startWebHarness(options: WebHarnessOptions = {}): Promise<WebHarness> {
  const logLines: string[] = [];
  const logger = options.logger ?? capturedLogger('web', logLines);
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const pg: TestPostgres = await startTestPostgres();
    cleanups.push(() => pg.stop());
    const wh = await createTestWarehouse(pg.url, { max: 6 });
    cleanups.push(() => wh.drop());
    if (options.events?.length) {
      const { touched } = await copyEvents(wh.sql, options.events);
      await rebuildModels(wh.sql, { touched });
    }

    const backend: KafkaBackend = await startKafkaBackend();
    cleanups.push(() => backend.stop());
    const kafka = createKafka({ brokers: backend.brokers, clientId: 'web-test', logger });
    const topic = `test.web.${randomBytes(5).toString('hex')}`;
    await ensureTopics(kafka, { topic, partitions: 2 });

    const s3: TestS3 = await startTestS3();
    cleanups.push(() => s3.destroy());
    const archive = createRawArchive(s3.config, { logger });
    await archive.ensureBucket();
    cleanups.push(async () => archive.close());

    const analysts = createAnalystStore(wh.sql);
    await analysts.upsertAnalyst(ADMIN.username, ADMIN.password, 'admin');
    const liveFeed = createLiveFeed({ kafka, topic, groupId: CONSUMER_GROUPS.web(`test-${randomBytes(4).toString('hex')}`), logger });
    await liveFeed.start();
    cleanups.push(() => liveFeed.stop());
    const pipeline = createPipelineStatus({ kafka, sql: wh.sql, archive, topic, logger, cacheMs: 0 });
    cleanups.push(() => pipeline.close());

    const app = await buildServer({
      logger,
      registry: createMetricsRegistry({ service: 'web' }),
      health: createHealth({ service: 'web', version: '0.0.0-test' }),
      sql: wh.sql,
      analysts,
      liveFeed,
      pipeline,
      version: '0.0.0-test',
      clientDir: options.clientDir,
      sessionTtlMs: 3_600_000,
      loginRateLimit: options.loginRateLimit ?? 1000,
      now: options.now,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    cleanups.push(() => app.close());

    return {
      app,
      wh,
      kafka,
      brokers: backend.brokers,
      topic,
      archive,
      analysts,
      liveFeed,
      logLines,
      async login() {
        const res = await app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
        if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
        const cookie = res.cookies.find((c) => c.name === 'cs_session');
        if (!cookie) throw new Error('login set no cookie');
        return `cs_session=${cookie.value}`;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The built SPA, when `npm run build -w @clickstream/web` has run. */
export const BUILT_CLIENT_DIR = join(__dirname, '../../dist/client');
