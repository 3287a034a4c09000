// @clickstream/warehouse — the PostgreSQL warehouse. Schema, migrations and queries land with the stream consumer.
export { assertTestDatabase } from './test-database';
