// Login, logout, who am I, and API tokens for scripts. Logins are rate limited per client address;
// the session id travels in an httpOnly, SameSite=Strict cookie.

import rateLimit from '@fastify/rate-limit';
import { HttpError } from '@clickstream/runtime';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AnalystInputError, assertPassword, assertUsername, type Analyst, type AnalystStore } from '../auth/analyst-store';
import { MeSchema, TokenListSchema } from '../schemas';

export const SESSION_COOKIE = 'cs_session';

export interface AuthRoutesOptions {
  analysts: AnalystStore;
  sessionTtlMs: number;
  loginRateLimit: number;
}

function analystOf(request: FastifyRequest): Analyst {
  if (!request.analyst) throw new HttpError(401, 'unauthorized', 'log in first');
  return request.analyst;
}

export async function registerAuthRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { analysts } = options;
  await app.register(rateLimit, { global: false });

  app.post(
    '/api/login',
    {
      config: {
        rateLimit: {
          max: options.loginRateLimit,
          timeWindow: 60_000,
          errorResponseBuilder: (_request, context) =>
            new HttpError(429, 'rate_limited', `too many login attempts; try again in ${Math.ceil(context.ttl / 1000)} s`, undefined, {
              'Retry-After': String(Math.ceil(context.ttl / 1000)),
            }),
        },
      },
      schema: {
        summary: 'Log in: sets the session cookie',
        tags: ['auth'],
        security: [],
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: MeSchema },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      const analyst = await analysts.verifyLogin(username, password);
      if (!analyst) throw new HttpError(401, 'invalid_credentials', 'wrong user name or password');
      const session = await analysts.createSession(analyst.username, options.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, session.id, {
        httpOnly: true,
        sameSite: 'strict',
        secure: 'auto',
        path: '/',
        expires: session.expiresAt,
      });
      return analyst;
    },
  );

  app.post('/api/logout', { schema: { summary: 'Log out: ends the session', tags: ['auth'] } }, async (request, reply) => {
    const session = request.cookies[SESSION_COOKIE];
    if (session) await analysts.deleteSession(session);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', { schema: { summary: 'The logged-in analyst', tags: ['auth'], response: { 200: MeSchema } } }, async (request) => analystOf(request));

  app.get('/api/tokens', { schema: { summary: "The analyst's API tokens", tags: ['auth'], response: { 200: TokenListSchema } } }, async (request) => ({
    rows: await analysts.listTokens(analystOf(request).username),
  }));

  app.post(
    '/api/tokens',
    {
      schema: {
        summary: 'Create an API token (shown once) for Authorization: Bearer',
        tags: ['auth'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 201: Type.Object({ name: Type.String(), token: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { name } = request.body as { name: string };
      const token = await analysts.createToken(analystOf(request).username, name);
      return reply.code(201).send({ name, token });
    },
  );

  app.delete('/api/tokens/:prefix', { schema: { summary: 'Revoke an API token by its listed prefix', tags: ['auth'] } }, async (request, reply) => {
    const { prefix } = request.params as { prefix: string };
    if (!(await analysts.revokeToken(analystOf(request).username, prefix))) throw new HttpError(404, 'not_found', 'no such token');
    return reply.code(204).send();
  });

  app.post(
    '/api/analysts',
    {
      schema: {
        summary: 'Create or reset an analyst (admins only)',
        tags: ['auth'],
        body: Type.Object({
          username: Type.String(),
          password: Type.String(),
          role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('analyst')])),
        }),
      },
    },
    async (request, reply) => {
      if (analystOf(request).role !== 'admin') throw new HttpError(403, 'forbidden', 'only an admin can manage analysts');
      const body = request.body as { username: string; password: string; role?: 'admin' | 'analyst' };
      try {
        assertUsername(body.username);
        assertPassword(body.password);
      } catch (err) {
        if (err instanceof AnalystInputError) throw new HttpError(400, 'invalid_request', err.message);
        throw err;
      }
      await analysts.upsertAnalyst(body.username, body.password, body.role ?? 'analyst');
      return reply.code(201).send({ username: body.username, role: body.role ?? 'analyst' });
    },
  );
}
