// The batch loader: one run (runEtl), one object (loadRawObject), and what they report.
export { loadRawObject, isDataError, type LoadedObject, type LoadObjectDeps, type LoadObjectOptions, type ObjectLoadResult, type SkippedObject } from './load-object';
export { DEFAULT_CONCURRENCY, isRetriable, listPending, runEtl, type EtlDeps, type EtlRunSummary, type RunEtlOptions, type RunProgress } from './run-etl';
export { SiteDaySet } from './site-day-set';
export { createEtlMetrics, type EtlMetrics } from '../metrics';
