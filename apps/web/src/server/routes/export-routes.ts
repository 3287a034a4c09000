// /api/export/<report>.csv: every table of the dashboard as CSV (RFC 4180 quoting by
// csv-stringify), streamed to the client as it is written. Text that a spreadsheet would run as a
// formula (button ids, paths, UTM values: anything a visitor's browser sent) is made inert first.

import { HttpError } from '@clickstream/runtime';
import { Type } from '@sinclair/typebox';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { EXPORT_REPORTS, type ExportReport } from '../../shared/api-types';
import { reportQuery } from '../report-query';
import { EXPORT_TABLES, ReportParams, type AnyReportQuery } from '../reports';

// Parameters only some reports need are optional here; those reports check them.
const ExportQuery = reportQuery({
  ...ReportParams.timeseries,
  dimension: Type.Optional(ReportParams.breakdown.dimension),
  steps: Type.Optional(ReportParams.funnel.steps),
  ...ReportParams.retention,
  ...ReportParams.usersTop,
});

/**
 * Text a spreadsheet reads as a formula when it opens the file (OWASP "CSV injection"): it starts
 * with = + - @, a tab or a carriage return. Numbers are numbers here, so a negative one is not text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as text: dates as ISO instants, null as empty, formula-like text behind a leading `'`. */
function csvCell(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && FORMULA_START.test(value)) return `'${value}`;
  return value ?? '';
}

export function registerExportRoutes(app: FastifyInstance, deps: { sql: Sql; now: () => Date }): void {
  app.get(
    '/api/export/:file',
    {
      schema: {
        summary: `A report as CSV: ${EXPORT_REPORTS.map((r) => `${r}.csv`).join(', ')}`,
        tags: ['export'],
        querystring: ExportQuery,
      },
    },
    async (request, reply) => {
      const { file } = request.params as { file: string };
      const report = file.endsWith('.csv') ? (file.slice(0, -4) as ExportReport) : undefined;
      if (!report || !(EXPORT_REPORTS as readonly string[]).includes(report)) {
        throw new HttpError(404, 'not_found', `no export ${file}; there are ${EXPORT_REPORTS.map((r) => `${r}.csv`).join(', ')}`);
      }
      const table = EXPORT_TABLES[report];
      const rows = await table.rows({ sql: deps.sql, now: deps.now }, request.query as AnyReportQuery);
      const csv = stringify({ header: true, columns: table.columns, cast: { boolean: (v) => String(v) } });
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report}.csv"`)
        .header('cache-control', 'no-store');
      // Rows (at most `limit`, 10 000) go through the stringifier as the client reads them.
      setImmediate(() => {
        for (const row of rows) csv.write(table.columns.map((c) => csvCell((row as Record<string, unknown>)[c])));
        csv.end();
      });
      return reply.send(csv);
    },
  );
}
