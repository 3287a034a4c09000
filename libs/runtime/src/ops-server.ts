// A tiny HTTP server for /health, /ready and /metrics, for the apps that have no web framework
// of their own (stream-consumer, etl).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Health } from './health';
import type { Logger } from './logger';

export interface OpsServerOptions {
  /** 0 picks a free port; the real one is returned. */
  port: number;
  host?: string;
  health: Health;
  registry: Registry;
  logger?: Logger;
}

export interface OpsServer {
  port: number;
  /** Stops accepting connections and resolves once the open ones are done. */
  close(): Promise<void>;
}

type Route = (res: ServerResponse) => Promise<void>;

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { port, host = '0.0.0.0', health, registry, logger } = options;

  const routes: Record<string, Route> = {
    '/health': async (res) => sendJson(res, 200, health.live()),
    '/ready': async (res) => {
      const report = await health.ready();
      sendJson(res, report.status === 'ready' ? 200 : 503, report);
    },
    '/metrics': async (res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) {
      sendError(res, 404, 'not_found', `no route for ${req.method} ${path}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
      return;
    }
    try {
      await route(res);
    } catch (err) {
      // The details stay in the log, found by the request id; the response says only that it failed.
      const requestId = randomUUID();
      logger?.error({ err, request_id: requestId, method: req.method, path }, 'ops server request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.setHeader('x-request-id', requestId);
      sendError(res, 500, 'internal_error', `internal error (request id ${requestId})`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger?.error({ err }, 'ops server error'));

  const actualPort = (server.address() as AddressInfo).port;
  logger?.info({ port: actualPort, host }, 'ops server listening');

  let closing: Promise<void> | undefined;
  return {
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets with no request in flight would otherwise hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}
