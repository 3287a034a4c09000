// The WebSocket route GET /ws/live: an analyst's browser receives the live feed's tick every second,
// for all sites or the one in `?site=`. Authentication happens before the upgrade, so an anonymous
// client gets a real HTTP 401 with the uniform error body rather than a socket that closes.

import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ApiErrorBody, LiveTick } from '../../shared/api-types';
import type { LiveFilter } from './live-counter';
import type { LiveFeed } from './live-feed';

export interface LiveSocketOptions {
  feed: LiveFeed;
  /** The logged-in analyst, or null for an anonymous request. */
  authenticate: (request: FastifyRequest) => Promise<unknown | null>;
  /** A client with more than this many bytes not yet sent skips ticks until it catches up; default 1 MB. */
  maxBufferedBytes?: number;
}

export const LIVE_SOCKET_PATH = '/ws/live';

const MAX_SITE_LENGTH = 128;

function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** The `?site=` filter, or a message saying why the query is invalid. */
function parseFilter(query: unknown): LiveFilter | string {
  const site = (query as Record<string, unknown> | undefined)?.['site'];
  if (site === undefined || site === '') return {};
  if (typeof site !== 'string') return 'site must be given once';
  if (site.length > MAX_SITE_LENGTH) return `site must be at most ${MAX_SITE_LENGTH} characters`;
  return { site };
}

// Every subscriber with the same filter gets the same tick object: serialise it once.
const serialized = new WeakMap<LiveTick, string>();
function tickJson(tick: LiveTick): string {
  let json = serialized.get(tick);
  if (json === undefined) serialized.set(tick, (json = JSON.stringify(tick)));
  return json;
}

/**
 * Registers GET /ws/live on `app`. @fastify/websocket must be registered first (and awaited) by the
 * caller, as it is for the whole app; when it is not, this registers it on `app`.
 */
export async function registerLiveSocket(app: FastifyInstance, options: LiveSocketOptions): Promise<void> {
  const { feed, authenticate } = options;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  if (!app.hasDecorator('websocketServer')) await app.register(fastifyWebsocket);

  // Runs before the upgrade: a reply sent here goes out as a plain HTTP response on the socket.
  const checkRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    let analyst: unknown;
    try {
      analyst = await authenticate(request);
    } catch (err) {
      request.log.error({ err }, 'could not authenticate a live feed request');
      return reply.code(500).send(errorBody('internal_error', 'could not check the login; try again'));
    }
    if (analyst === null || analyst === undefined) {
      return reply.code(401).send(errorBody('unauthorized', 'log in to see the live feed'));
    }
    const filter = parseFilter(request.query);
    if (typeof filter === 'string') return reply.code(400).send(errorBody('invalid_query', filter));
  };

  app.get(LIVE_SOCKET_PATH, { websocket: true, preValidation: checkRequest }, (socket: WebSocket, request: FastifyRequest) => {
    const filter = parseFilter(request.query) as LiveFilter;
    let skipped = 0;
    const unsubscribe = feed.subscribe((tick) => {
      if (socket.readyState !== socket.OPEN) return;
      // A client that does not read must not make the server buffer without bound.
      if (socket.bufferedAmount > maxBuffered) {
        if (skipped++ === 0) request.log.warn({ bufferedAmount: socket.bufferedAmount }, 'live feed client is slow; skipping ticks');
        return;
      }
      skipped = 0;
      socket.send(tickJson(tick));
    }, filter);
    socket.on('close', unsubscribe);
    socket.on('error', (err) => {
      request.log.debug({ err }, 'live feed socket error');
      unsubscribe();
    });
  });
}
