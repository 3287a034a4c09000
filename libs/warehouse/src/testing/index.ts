// Test support for projects that need a real PostgreSQL: TEST_DATABASE_URL or an embedded server,
// and a migrated warehouse on a random schema per test. Not for production code.
export { startTestPostgres, type TestPostgres } from './test-postgres';
export { createTestWarehouse, type TestWarehouse } from './test-warehouse';
export { generateSessions, type DatasetOptions } from './sessions-dataset';
