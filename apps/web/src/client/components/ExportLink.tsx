// "Download CSV": the report's /api/export/<report>.csv with the query of the table on screen.

import type { ExportReport } from '../../shared/api-types';
import { exportUrl, type QueryValue } from '../lib/filters';

export function ExportLink({ report, query, extra }: { report: ExportReport; query: object | undefined; extra?: Record<string, QueryValue> }) {
  if (!query) return null;
  return (
    <a className="export-link" href={exportUrl(report, query, extra)} download={`${report}.csv`} data-testid={`export-${report}`}>
      Download CSV
    </a>
  );
}
