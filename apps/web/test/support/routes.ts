// The report routes whose range comes from site/from/to/tz and the filters, each with the other
// parameters it requires: shared by the API tests and the bad-input corpus.
export const RANGED_REPORT_URLS = [
  '/api/overview',
  '/api/timeseries',
  '/api/event-types',
  '/api/pages',
  '/api/clicks',
  '/api/sessions/daily',
  '/api/scroll-depth',
  '/api/revenue',
  '/api/breakdown?dimension=country',
  '/api/funnel?steps=page_view,click',
  '/api/retention',
  '/api/analytics',
  '/api/export/pages.csv',
  '/api/export/funnel.csv?steps=page_view,click',
];
