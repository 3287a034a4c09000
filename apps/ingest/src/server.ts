// The collector's HTTP server: every front door of the seed systems, normalised by the event
// contract, enriched, and answered 202 only once Kafka has acknowledged the events.

import { isUtf8 } from 'node:buffer';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  JSON_SCHEMAS,
  LIMITS,
  clientIpOf,
  normalize,
  normalizeBatch,
  toJsonSchema,
  type CanonicalEvent,
  type FieldError,
  type NormalizeContext,
} from '@clickstream/event-schema';
import { isRetriable, type DeadLetterPublisher } from '@clickstream/kafka';
import { answerClientError, frameworkHttpError, HttpError, lazyChildLoggerFactory, slowClientLimits, type Health, type Logger, type Registry } from '@clickstream/runtime';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import secureJson from 'secure-json-parse';
import type { Enricher } from './enrich';
import type { EventPublisher } from './event-publisher';
import type { IngestMetrics } from './metrics';
import { createRateLimiter } from './rate-limiter';
import type { WriteKeys } from './write-keys';

export interface IngestDeps {
  logger: Logger;
  registry: Registry;
  metrics: IngestMetrics;
  health: Health;
  publisher: EventPublisher;
  deadLetters: DeadLetterPublisher;
  enricher: Enricher;
  writeKeys: WriteKeys;
  /** Is Kafka taking writes? /ready answers 503 while not. */
  kafkaReady: () => boolean;
  /** Tells the Kafka health tracker how a write went. */
  onKafkaOutcome?: (ok: boolean) => void;
  topic: string;
  trackerScript: string;
  corsOrigins: string;
  rateLimitPerIp: number;
  rateLimitPerKey: number;
  trustProxy: boolean;
  /** Longest time a client may take to send a whole request (headers and body); then 408. */
  requestTimeoutMs?: number;
  version: string;
  /** The /metrics text; the registry's own unless the process is one of several workers. */
  metricsText?: () => Promise<string>;
  now?: () => Date;
}

const SINGLE_BODY_LIMIT = 64 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const RETRY_AFTER_SECONDS = '5';
const SCHEMA_NAMES: Record<string, string> = {
  'urn:clickstream:event:v1': 'EventV1',
  'urn:clickstream:input:event': 'EventInput',
  'urn:clickstream:input:batch': 'BatchInput',
  'urn:clickstream:input:seed004': 'Seed004Input',
};

declare module 'fastify' {
  interface FastifyRequest {
    bodyBytes?: number;
  }
}

function summarize(errors: readonly FieldError[]): string {
  const first = errors[0];
  const where = first.path ? `${first.path} ` : '';
  return `${where}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
}

function bodyParser(request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  request.bodyBytes = body.length;
  // Bodies are parsed as sent: a compressed one would reach the JSON parser as bytes. (Checked here,
  // not in a preParsing hook, to keep a hook off every request's path.)
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return done(new HttpError(415, 'unsupported_media_type', `Content-Encoding ${encoding.slice(0, 32)} is not accepted; send the body uncompressed`));
  }
  if (body.length === 0) return done(new HttpError(400, 'empty_body', 'the request body is empty'));
  if (!isUtf8(body)) return done(new HttpError(400, 'invalid_utf8', 'the request body is not valid UTF-8'));
  try {
    done(null, secureJson.parse(body.toString('utf8'), undefined, { protoAction: 'error', constructorAction: 'error' }));
  } catch (err) {
    const message = (err as Error).message;
    if (/prototype/i.test(message)) return done(new HttpError(400, 'forbidden_key', 'the body contains a forbidden key (__proto__ or constructor.prototype)'));
    done(new HttpError(400, 'invalid_json', `the request body is not valid JSON: ${message}`));
  }
}

/**
 * A rejected item as the dead-letter topic keeps it (its JSON). An item nested too deep for
 * JSON.stringify (arrays a hundred thousand deep parse, but do not serialise) cannot be kept, so the
 * whole batch is refused before anything is written.
 */
function deadLetterValue(item: unknown, path: string): string {
  try {
    return JSON.stringify(item);
  } catch {
    throw new HttpError(400, 'invalid_batch', `${path} nests too deep to be kept`, [{ path, message: 'nests too deep to be kept' }]);
  }
}

/** Error codes of the 4xx errors that Fastify and its plugins raise without one of ours. */
const CLIENT_ERROR_CODES: Record<number, string> = { 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 408: 'request_timeout' };

export async function buildServer(deps: IngestDeps): Promise<FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request lines would log at the event rate; errors and 5xx are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Each request's child logger is made only if the request logs (an error, mostly).
    childLoggerFactory: lazyChildLoggerFactory,
    trustProxy: deps.trustProxy,
    bodyLimit: LIMITS.batchBytes,
    // A request that trickles in (slowloris) is cut off with 408; parser errors get the uniform body.
    ...slowClientLimits(deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    clientErrorHandler: answerClientError,
    // The router's own refusals (a URL that does not decode) come before any error handler.
    frameworkErrors: (err, _request, reply) => {
      const error = frameworkHttpError(err);
      void (reply as FastifyReply).code(error.statusCode).send(error.body());
    },
    requestIdHeader: 'x-request-id',
    // The event contract validates bodies (normalize); route schemas are for the OpenAPI page.
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => () => true);

  for (const schema of Object.values(JSON_SCHEMAS)) app.addSchema(toJsonSchema(schema));

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Clickstream ingest',
        version: deps.version,
        description: 'Event collection API. Bodies are validated by the Clickstream event contract (@clickstream/event-schema).',
      },
      components: {
        securitySchemes: { writeKey: { type: 'apiKey', in: 'header', name: 'X-Write-Key' } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => SCHEMA_NAMES[String(json['$id'])] ?? `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const origins = deps.corsOrigins === '*' ? '*' : deps.corsOrigins.split(',').map((o) => o.trim());
  await app.register(cors, {
    origin: origins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-Write-Key', 'X-Request-Id'],
    maxAge: 86_400,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, (request, body, done) =>
    bodyParser(request, body as Buffer, done),
  );

  const perIp = createRateLimiter(deps.rateLimitPerIp);
  const perKey = createRateLimiter(deps.rateLimitPerKey);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err instanceof HttpError) {
      reply.headers(err.headers);
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: { code: 'payload_too_large', message: `the body is larger than this endpoint's limit` } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
      return reply.code(415).send({ error: { code: 'unsupported_media_type', message: 'send application/json (or text/plain JSON to /api/collect)' } });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: { code: CLIENT_ERROR_CODES[err.statusCode] ?? 'bad_request', message: err.message } });
    }
    request.log.error({ err, reqId: request.id }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: `internal error (request ${request.id})` } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unknown';
    deps.metrics.observeRequest(route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  /** The site of the request's write key (header, query or body), or 401. Also rate limits. */
  function admit(request: FastifyRequest, bodyKey: unknown): string {
    const retryIp = perIp.hit(request.ip);
    if (retryIp) throw new HttpError(429, 'rate_limited', 'too many requests from this address', undefined, { 'Retry-After': String(retryIp) });
    const header = request.headers['x-write-key'];
    const query = (request.query as Record<string, unknown> | undefined)?.['write_key'];
    const key = typeof header === 'string' ? header : typeof query === 'string' ? query : typeof bodyKey === 'string' ? bodyKey : undefined;
    const site = deps.writeKeys.siteFor(key);
    if (site === undefined) {
      throw new HttpError(401, 'invalid_write_key', key === undefined ? 'a write key is required (X-Write-Key header or write_key)' : 'unknown write key');
    }
    if (!deps.writeKeys.open) {
      const retryKey = perKey.hit(site);
      if (retryKey) throw new HttpError(429, 'rate_limited', 'too many requests for this write key', undefined, { 'Retry-After': String(retryKey) });
    }
    return site;
  }

  function requireJson(request: FastifyRequest): void {
    const type = request.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    }
  }

  function context(request: FastifyRequest, siteId: string): NormalizeContext {
    const ua = request.headers['user-agent'];
    return { receivedAt: now(), siteId, ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined };
  }

  async function publish(events: CanonicalEvent[]): Promise<void> {
    try {
      await deps.publisher.publish(events);
      deps.onKafkaOutcome?.(true);
    } catch (err) {
      deps.onKafkaOutcome?.(false);
      for (const e of events) deps.metrics.countEvent(e.site_id, e.event_type, 'unavailable');
      if (isRetriable(err)) {
        throw new HttpError(503, 'kafka_unavailable', 'events could not be stored right now; retry later', undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
      }
      throw err;
    }
    for (const e of events) deps.metrics.countEvent(e.site_id, e.event_type, 'accepted');
  }

  function bodyObject(body: unknown): Record<string, unknown> | undefined {
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  }

  /** One event: normalised, enriched, in Kafka — or an error. */
  async function acceptOne(request: FastifyRequest): Promise<CanonicalEvent> {
    const body = request.body;
    const site = admit(request, bodyObject(body)?.['write_key']);
    const result = normalize(body, context(request, site));
    if (!result.ok) {
      deps.metrics.countEvent(site, 'unknown', 'rejected');
      throw new HttpError(400, 'invalid_event', summarize(result.errors), result.errors);
    }
    deps.enricher.enrich(result.event, clientIpOf(body, request.ip));
    await publish([result.event]);
    return result.event;
  }

  /** A batch: valid items to Kafka, invalid ones to the dead-letter topic, a result per item. */
  async function acceptBatch(request: FastifyRequest, body: unknown) {
    const envelope = bodyObject(body);
    const site = admit(request, envelope?.['write_key']);
    let input = body;
    if (envelope && 'write_key' in envelope) {
      const { write_key: _key, ...rest } = envelope;
      input = rest;
    }
    const events = Array.isArray(input) ? input : bodyObject(input)?.['events'];
    if (Array.isArray(events) && events.length > LIMITS.batchEvents) {
      throw new HttpError(413, 'batch_too_large', `a batch holds at most ${LIMITS.batchEvents} events (got ${events.length})`);
    }
    const batch = normalizeBatch(input, context(request, site), { bodyBytes: request.bodyBytes });
    if (!batch.ok) throw new HttpError(400, 'invalid_batch', summarize(batch.errors), batch.errors);

    const items = events as unknown[];
    const accepted: CanonicalEvent[] = [];
    const results: Array<{ index: number; event_id: string } | { index: number; error: { message: string; details: FieldError[] } }> = [];
    const rejected: Array<{ index: number; errors: FieldError[] }> = [];
    batch.results.forEach((r, index) => {
      if (r.ok) {
        deps.enricher.enrich(r.event, clientIpOf(items[index], request.ip));
        accepted.push(r.event);
        results.push({ index, event_id: r.event.event_id });
      } else {
        rejected.push({ index, errors: r.errors });
        results.push({ index, error: { message: summarize(r.errors), details: r.errors } });
      }
    });
    const failedAt = now();
    const letters = rejected.map((r) => ({
      value: deadLetterValue(items[r.index], `${Array.isArray(input) ? '' : '/events'}/${r.index}`),
      reason: { stage: 'ingest' as const, code: 'invalid_event', message: summarize(r.errors), failedAt },
    }));
    await Promise.all([
      publish(accepted),
      rejected.length
        ? deps.deadLetters
            .publish(letters)
            .then(() => {
              deps.metrics.deadLetters.inc({ reason: 'invalid_event' }, rejected.length);
              deps.metrics.countEvent(site, 'unknown', 'rejected', rejected.length);
            })
            .catch((err: unknown) => {
              throw isRetriable(err)
                ? new HttpError(503, 'kafka_unavailable', 'events could not be stored right now; retry later', undefined, { 'Retry-After': RETRY_AFTER_SECONDS })
                : err;
            })
        : Promise.resolve(),
    ]);
    if (accepted.length === 0) {
      throw new HttpError(400, 'invalid_batch', 'no event in the batch is valid (the items were kept in the dead-letter topic)', results);
    }
    return { status: 'queued', accepted: accepted.length, rejected: rejected.length, results };
  }

  const docs = (summary: string, body?: string, accepted?: object) => ({
    schema: {
      summary,
      ...(body ? { body: { $ref: `${body}#` } } : {}),
      // Declared replies are also serialised by fast-json-stringify, faster than JSON.stringify.
      ...(accepted ? { response: { 202: accepted } } : {}),
      security: [{ writeKey: [] }],
    },
  });
  const str = { type: 'string' } as const;
  const queuedReply = { type: 'object', required: ['status', 'event_id', 'message'], properties: { status: str, event_id: str, message: str } };
  const seed004Reply = { type: 'object', required: ['status', 'id'], properties: { status: str, id: str } };

  app.post('/api/events', { ...docs('One event (seed 001 shape or the canonical shape)', 'urn:clickstream:input:event', queuedReply), bodyLimit: SINGLE_BODY_LIMIT }, async (request, reply) => {
    requireJson(request);
    const event = await acceptOne(request);
    return reply.code(202).send({ status: 'queued', event_id: event.event_id, message: `Event successfully queued to ${deps.topic}` });
  });

  app.post('/event', { ...docs('One event in seed 004 shape', 'urn:clickstream:input:seed004', seed004Reply), bodyLimit: SINGLE_BODY_LIMIT }, async (request, reply) => {
    requireJson(request);
    const event = await acceptOne(request);
    return reply.code(202).send({ status: 'accepted', id: event.event_id });
  });

  app.post('/api/events/batch', docs('Up to 500 events; invalid items go to the dead-letter topic', 'urn:clickstream:input:batch'), async (request, reply) => {
    requireJson(request);
    return reply.code(202).send(await acceptBatch(request, request.body));
  });

  app.post('/api/collect', docs('sendBeacon: text/plain (or JSON) body holding one event, an array, or {events}'), async (request, reply) => {
    const body = request.body;
    const envelope = bodyObject(body);
    if (Array.isArray(body) || (envelope && Array.isArray(envelope['events']))) {
      const r = await acceptBatch(request, body);
      return reply.code(202).send({ status: r.status, accepted: r.accepted, rejected: r.rejected });
    }
    const event = await acceptOne(request);
    return reply.code(202).send({ status: 'queued', accepted: 1, rejected: 0, event_id: event.event_id });
  });

  const live = () => ({ ...deps.health.live(), kafka: deps.kafkaReady() ? 'connected' : 'unavailable' });
  app.get('/', { schema: { summary: 'Health' } }, async () => live());
  app.get('/health', { schema: { summary: 'Health' } }, async () => live());
  app.get('/ready', { schema: { summary: 'Ready to accept events (Kafka reachable)' } }, async (_request, reply: FastifyReply) => {
    const report = await deps.health.ready();
    const ok = report.status === 'ready' && deps.kafkaReady();
    return reply.code(ok ? 200 : 503).send({ ...report, status: ok ? 'ready' : 'not_ready', kafka: deps.kafkaReady() ? 'connected' : 'unavailable' });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return (deps.metricsText ?? (() => deps.registry.metrics()))();
  });
  app.get('/tracker.js', { schema: { summary: 'The browser tracker' } }, async (_request, reply) => {
    reply.header('content-type', 'application/javascript; charset=utf-8');
    reply.header('cache-control', 'public, max-age=3600');
    reply.header('access-control-allow-origin', '*');
    return deps.trackerScript;
  });

  return app;
}
