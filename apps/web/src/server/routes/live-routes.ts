// /api/live (today's totals, the last hour per minute, top users, volume — from the live rollups)
// and /api/pipeline (lag, ETL, DLQ, archive).

import { liveSummary } from '@clickstream/warehouse';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import type { PipelineReply } from '../../shared/api-types';
import { DEFAULT_SITE, SITE_PATTERN } from '../report-query';
import { LiveSchema, PipelineSchema } from '../schemas';

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' } };

export function registerLiveRoutes(app: FastifyInstance, deps: { sql: Sql; now: () => Date; pipeline: { status(): Promise<PipelineReply> } }): void {
  app.get(
    '/api/live',
    {
      schema: {
        summary: "Today's events, the last hour per minute, types, top users and data volume",
        tags: ['live'],
        querystring: Type.Object({
          site: Type.Optional(Type.String({ pattern: SITE_PATTERN })),
          tz: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: LiveSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query as { site?: string; tz?: string };
      return liveSummary(deps.sql, { site: q.site ?? DEFAULT_SITE, tz: q.tz ?? 'UTC', now: deps.now() });
    },
  );

  app.get(
    '/api/pipeline',
    { schema: { summary: 'Consumer lag, ETL runs, pending objects, DLQ and archive size', tags: ['pipeline'], response: { 200: PipelineSchema, ...errors } } },
    async () => deps.pipeline.status(),
  );
}
