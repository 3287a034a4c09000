// The analyst server: Fastify with the JSON API of shared/DESIGN.md under /api, the live
// WebSocket, CSV exports, the OpenAPI page and the built SPA. main.ts wires the dependencies;
// tests build the same server with real parts and inject().

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { answerClientError, frameworkHttpError, HttpError, slowClientLimits, type Health, type Logger, type Registry } from '@clickstream/runtime';
import { InvalidQueryError } from '@clickstream/warehouse';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Sql } from 'postgres';
import type { PipelineReply } from '../shared/api-types';
import type { Analyst, AnalystStore } from './auth/analyst-store';
import { registerAuthRoutes, SESSION_COOKIE } from './routes/auth-routes';
import { registerExportRoutes } from './routes/export-routes';
import { registerLiveRoutes } from './routes/live-routes';
import { registerReportRoutes } from './routes/report-routes';
import { registerLiveSocket } from './live/live-socket';
import type { LiveFeed } from './live/live-feed';
import { createWebMetrics } from './metrics';
import { ErrorSchema } from './schemas';

export interface WebDeps {
  logger: Logger;
  registry: Registry;
  health: Health;
  /** The warehouse pool (search_path set to its schema). */
  sql: Sql;
  analysts: AnalystStore;
  liveFeed: LiveFeed;
  pipeline: { status(): Promise<PipelineReply> };
  version: string;
  /** The built SPA (dist/client); when absent, / answers 404 with a hint. */
  clientDir?: string;
  sessionTtlMs: number;
  loginRateLimit: number;
  trustProxy?: boolean;
  /** Longest time a client may take to send a whole request (headers and body); then 408. Default 30 s. */
  requestTimeoutMs?: number;
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    analyst: Analyst | null;
  }
}

/** Routes under /api that answer without a login. */
const PUBLIC_API = new Set(['/api/login', '/api/health']);

/** Codes of the 4xx errors that Fastify and its plugins raise without one of ours. */
const CLIENT_ERROR_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request'],
};
const STATUS_ERROR_CODES: Record<number, string> = { 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 408: 'request_timeout', 416: 'range_not_satisfiable' };

/**
 * A path no file of the SPA and none of its routes can have: segments of only dots, empty segments,
 * backslashes, NUL or an encoded slash (raw or percent-encoded, once or twice), or percent-encoding
 * that does not decode.
 * Such a request is an attempt to leave the client directory and gets a 404, not the SPA's page.
 */
export function isTraversalPath(rawPath: string): boolean {
  let path = rawPath;
  for (let i = 0; i < 3; i++) {
    if (/(^|[/\\])\.+([/\\]|$)|\/\/|\\|\0|%(2f|5c|00)/i.test(path)) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return true;
    }
    if (decoded === path) return false;
    path = decoded;
  }
  return true;
}

export async function buildServer(deps: WebDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    // Typed as Fastify's own logger, so route modules take a plain FastifyInstance.
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
    // A request that trickles in (slowloris) is cut off with 408; parser errors get the uniform body.
    ...slowClientLimits(deps.requestTimeoutMs ?? 30_000),
    clientErrorHandler: answerClientError,
    // The router's own refusals (a URL that does not decode) come before any error handler.
    frameworkErrors: (err, _request, reply) => {
      const error = frameworkHttpError(err);
      void (reply as FastifyReply).code(error.statusCode).send(error.body());
    },
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  });
  const metrics = createWebMetrics(deps.registry);

  // The API takes JSON bodies only (Fastify would also parse text/plain, for the schema to refuse).
  app.removeContentTypeParser('text/plain');
  // Cookies are parsed (an onRequest hook) before the login check reads them.
  await app.register(cookie);
  // The error handler and the login check come first, so the plugins' routes (the OpenAPI page)
  // inherit them.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (err instanceof HttpError) return reply.headers(err.headers).code(err.statusCode).send(err.body());
    if (err instanceof InvalidQueryError) {
      return reply.code(400).send({ error: { code: err.code, message: err.message, details: [{ field: err.field }] } });
    }
    if (err.validation) {
      return reply.code(400).send({ error: { code: 'invalid_request', message: err.message, details: err.validation } });
    }
    if (err.statusCode === 429) return reply.code(429).send({ error: { code: 'rate_limited', message: err.message } });
    const known = err.code ? CLIENT_ERROR_CODES[err.code] : undefined;
    if (known) return reply.code(known[0]).send({ error: { code: known[1], message: err.message } });
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: { code: STATUS_ERROR_CODES[err.statusCode] ?? 'bad_request', message: err.message } });
    }
    request.log.error({ err, reqId: request.id }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: `internal error (request ${request.id})` } });
  });

  app.decorateRequest('analyst', null);

  async function authenticate(request: FastifyRequest): Promise<Analyst | null> {
    const header = request.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m ? deps.analysts.tokenAnalyst(m[1]) : null;
    }
    const session = request.cookies[SESSION_COOKIE];
    return session ? deps.analysts.sessionAnalyst(session) : null;
  }

  app.addHook('onRequest', async (request) => {
    // The HTTP parser may already have closed the connection (a broken chunked body after good
    // headers); with no client address left, per-address code (the login rate limit) would throw.
    if (request.ip === undefined) throw new HttpError(400, 'bad_request', 'the connection is closed');
    const path = request.url.split('?')[0];
    const protectedPath = (path.startsWith('/api/') || path === '/api') && !PUBLIC_API.has(path);
    if (!protectedPath) return;
    request.analyst = await authenticate(request);
    if (!request.analyst) throw new HttpError(401, 'unauthorized', 'log in (POST /api/login) or send Authorization: Bearer <token>');
  });

  app.addSchema(ErrorSchema);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Clickstream analyst API', version: deps.version, description: 'Reports, live figures and pipeline health of the Clickstream warehouse.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Recharts positions its tooltips and SVG with inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // The dashboard is served over plain HTTP locally; HSTS is the TLS terminator's business.
    strictTransportSecurity: false,
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.get('/api/health', { schema: { summary: 'Liveness and readiness', tags: ['ops'] } }, async (_request, reply) => {
    const ready = await deps.health.ready();
    return reply.code(ready.status === 'ready' ? 200 : 503).send({ ...deps.health.live(), ready });
  });
  app.get('/health', { schema: { hide: true } }, async () => deps.health.live());
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );

  await registerAuthRoutes(app, { analysts: deps.analysts, sessionTtlMs: deps.sessionTtlMs, loginRateLimit: deps.loginRateLimit });
  registerReportRoutes(app, { sql: deps.sql, now });
  registerLiveRoutes(app, { sql: deps.sql, now, pipeline: deps.pipeline });
  registerExportRoutes(app, { sql: deps.sql, now });
  await registerLiveSocket(app, { feed: deps.liveFeed, authenticate });

  const clientDir = deps.clientDir;
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: clientDir, index: false, wildcard: false, serve: true, maxAge: '1h', immutable: false });
    // Any other non-API GET is a route of the SPA: answer with its page.
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0];
      if (request.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/ws/') && !/\.[a-z0-9]+$/i.test(path) && !isTraversalPath(path)) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      return reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${path}` } });
    });
  } else {
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0];
      const hint = path.startsWith('/api/') ? '' : ' (the dashboard is not built: npm run build -w @clickstream/web)';
      return reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${path}${hint}` } });
    });
  }
  return app;
}
