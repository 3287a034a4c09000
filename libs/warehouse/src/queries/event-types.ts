// Events per type over any range, from the events fact or, for whole UTC hours without filters, its
// hourly counts (the live eventTypeCounts reads the minute rollups).
import { botFilter, eventTypeFilter, inFilteredSessions, onWholeHours, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable } from './range';

export interface EventTypeRow {
  event_type: string;
  events: number;
}

/** Events per event_type in the range, most first (ties by type). */
export async function eventTypeTotals(sql: Queryable, range: MetricRange, options: ListOptions = {}): Promise<EventTypeRow[]> {
  const r = resolveRange(range);
  const limit = resolveLimit(options.limit);
  if (onWholeHours(r)) {
    return withRangeErrors(r, () =>
      sql<EventTypeRow[]>`
        select event_type, sum(events)::float8 as events
        from event_counts_hourly
        where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}
        group by event_type
        order by events desc, event_type collate "C"
        limit ${limit}`,
    );
  }
  return withRangeErrors(r, () =>
    sql<EventTypeRow[]>`
      select event_type, count(*)::float8 as events
      from events
      where site_id = ${r.site} and event_time >= ${r.from} and event_time < ${r.to} ${botFilter(sql, r)} ${eventTypeFilter(sql, r)} ${inFilteredSessions(sql, r, 'events')}
      group by event_type
      order by events desc, event_type collate "C"
      limit ${limit}`,
  );
}
