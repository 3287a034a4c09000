// Random schema names for tests that manage schemas themselves, and their clean-up.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { assertTestDatabase } from '../../src';

export const randomSchema = (): string => `test_${randomBytes(6).toString('hex')}`;

export async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  assertTestDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    for (const schema of schemas) await sql.unsafe(`drop schema if exists "${schema}" cascade`);
  } finally {
    await sql.end();
  }
}
