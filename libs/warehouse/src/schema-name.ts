// Warehouse schema names go into search_path, advisory-lock keys and DDL, so they are restricted to
// plain lower-case identifiers that never need quoting.

export const DEFAULT_WAREHOUSE_SCHEMA = 'clickstream';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Returns the name when it is a plain identifier (`[a-z_][a-z0-9_]*`, ≤ 63 bytes), else throws. */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new Error(`invalid warehouse schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (not starting with a digit or pg_)`);
  }
  return schema;
}
