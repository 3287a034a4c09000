// Typed reads of the warehouse for the API and the ETL: every metric of shared/DESIGN.md ("Metric
// definitions") for a site, a range of instants, a time zone, a bot choice and filters; funnels,
// retention, the live summary and the list of sites.
export { InvalidQueryError } from './errors';
export { DEFAULT_LIMIT, MAX_LIMIT, rangeFromDates, type ListOptions, type MetricFilters, type MetricRange } from './range';
export { assertTimeZone } from './time-zone';
export { overview, type Overview, type OverviewTotals } from './overview';
export { pages, type PageRow } from './pages';
export { clicks, type ClickRow } from './clicks';
export { sessionsDaily, type SessionsDayRow } from './sessions-daily';
export { eventTypeTotals, type EventTypeRow } from './event-types';
export {
  MAX_TIMESERIES_BUCKETS,
  TIMESERIES_INTERVALS,
  TIMESERIES_METRICS,
  timeseries,
  type TimeseriesInterval,
  type TimeseriesMetric,
  type TimeseriesOptions,
  type TimeseriesPoint,
} from './timeseries';
export { revenue, type PaymentMethodRow, type ProductRow, type RevenueDayRow, type RevenueReport } from './revenue';
export { scrollDepth, type ScrollDepthRow } from './scroll-depth';
export { BREAKDOWN_DIMENSIONS, breakdown, type BreakdownDimension, type BreakdownRow } from './breakdown';
export { funnel, MAX_FUNNEL_STEPS, MIN_FUNNEL_STEPS, parseFunnelSteps, type FunnelStep, type FunnelStepRow } from './funnel';
export { DEFAULT_RETENTION_WEEKS, MAX_RETENTION_WEEKS, retention, type CohortRetentionOptions, type RetentionRow } from './retention';
export { liveSummary, type LiveSummary, type LiveSummaryQuery } from './live-summary';
export { sites, type SiteRow } from './sites';
