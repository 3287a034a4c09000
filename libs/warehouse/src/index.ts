// @clickstream/warehouse — the PostgreSQL warehouse: schema, migrations, connection, COPY loader and
// typed queries for the live rollups.
export * from './schema';
export { createWarehouse, tables, type Warehouse, type WarehouseDb, type WarehouseOptions } from './connection';
export { migrate, migrationLockKey, readMigrations, MIGRATIONS_FOLDER, type Migration, type MigrateOptions, type MigrateResult } from './migrate';
export { assertSchemaName, DEFAULT_WAREHOUSE_SCHEMA } from './schema-name';
export { eventRow, EVENT_COLUMNS, type EventRow } from './event-row';
export { copyEvents, eventCopyFields, EventWithJson, type CopyEventsResult, type LoadableEvent, type SiteDay } from './copy-events';
export { applyMinuteCounts, claimConsumerOffset, readConsumerOffsets, writeConsumerOffsets, type MinuteCount } from './live-rollups';
export { dailyLiveEventCounts, etlStatus, loadedObjectKeys, type DailyEventCount, type EtlRunRow, type EtlStatus } from './pipeline-status';
export { isRetriableDbError } from './db-errors';
export { eventTypeCounts, minuteCounts, topUsers, type EventTypeTotal, type MinuteTotal, type TimeRange, type UserTotal } from './live-queries';
export type { WarehouseLogger } from './logger';
export { assertTestDatabase } from './test-database';
export { rebuildModels, type RebuildOptions, type RebuildResult } from './models/rebuild';
export { applyRetention, RETENTION_TABLES, siteDaysInRange, type RetentionCounts, type RetentionOptions } from './maintenance';
export * from './queries';
export { guardTransactions, isConnectionLoss, transaction } from './transaction';
