// A report of the current filters: GET /api/<path> with the report query and the page's own parameters.

import type { ReportQuery } from '../shared/api-types';
import { useApi } from './api/queries';
import { apiUrl, type QueryValue } from './lib/filters';

export function useReport<T>(query: ReportQuery | undefined, path: string, extra: Record<string, QueryValue> = {}, options: { refetchInterval?: number } = {}) {
  return useApi<T>(query ? apiUrl(path, query, extra) : undefined, options);
}
