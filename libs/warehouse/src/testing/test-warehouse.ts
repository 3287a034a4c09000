// A warehouse of its own for each test: a fresh random schema, migrated, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { createWarehouse, type Warehouse } from '../connection';
import { assertTestDatabase } from '../test-database';

export interface TestWarehouse extends Warehouse {
  /** Drops the schema (CASCADE) and closes the pool. */
  drop(): Promise<void>;
}

/** Refuses (throws) unless the URL names a test database. */
export async function createTestWarehouse(url: string, options: { max?: number; workMem?: string; jit?: boolean } = {}): Promise<TestWarehouse> {
  assertTestDatabase(url);
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const warehouse = createWarehouse({ url, schema, max: options.max ?? 4, workMem: options.workMem, jit: options.jit });
  try {
    await warehouse.migrate();
  } catch (err) {
    await warehouse.close();
    throw err;
  }
  return {
    ...warehouse,
    drop: async () => {
      assertTestDatabase(url);
      try {
        await warehouse.sql.unsafe(`drop schema if exists "${schema}" cascade`);
      } finally {
        await warehouse.close();
      }
    },
  };
}
