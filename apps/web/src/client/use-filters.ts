// The filters of the current URL, the site they resolve to, the report query they make, and a
// setter that writes them back to the URL (a new history entry, so Back undoes a filter change).

import { useCallback, useMemo } from 'react';
import type { ReportQuery } from '../shared/api-types';
import { useSites } from './api/queries';
import { intervalFor, resolveRange, type DayRange, type Interval } from './lib/date-range';
import { defaultSite, parseFilters, reportQuery, writeFilters, type Filters } from './lib/filters';
import { navigate, useLocation } from './router';

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export interface FilterState {
  filters: Filters;
  /** The site shown: the URL's, else one picked from /api/sites (undefined while that loads). */
  site: string | undefined;
  /** Undefined until the site is known. */
  query: ReportQuery | undefined;
  range: DayRange;
  interval: Interval;
  setFilters: (patch: Partial<Filters>, options?: { replace?: boolean }) => void;
}

export function useFilters(): FilterState {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => parseFilters(search, browserTimeZone()), [search]);
  const sites = useSites();
  let site = filters.site;
  if (!site) {
    if (sites.data) site = defaultSite(sites.data.rows.map((r) => r.site_id));
    else if (sites.isError) site = 'default';
  }
  const query = useMemo(() => (site ? reportQuery(filters, site, new Date()) : undefined), [filters, site]);
  const range = useMemo(() => resolveRange(filters.range, filters.tz, new Date(), { from: filters.from, to: filters.to }), [filters]);
  const setFilters = useCallback(
    (patch: Partial<Filters>, options?: { replace?: boolean }) => navigate(pathname + writeFilters(search, { ...filters, ...patch }), options),
    [pathname, search, filters],
  );
  return { filters, site, query, range, interval: intervalFor(range), setFilters };
}
