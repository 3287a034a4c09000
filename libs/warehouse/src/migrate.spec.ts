import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { migrationLockKey, MIGRATIONS_FOLDER, readMigrations } from './migrate';
import { assertSchemaName } from './schema-name';

describe('migrations on disk', () => {
  it('are found from the sources, next to package.json', () => {
    expect(existsSync(join(MIGRATIONS_FOLDER, '..', 'package.json'))).toBe(true);
    const migrations = readMigrations();
    expect(migrations[0].tag).toBe('0000_init');
    expect(migrations[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(migrations[0].statements.some((s) => s.startsWith('CREATE TABLE "events"'))).toBe(true);
    expect(migrations[0].statements.every((s) => !s.includes('statement-breakpoint'))).toBe(true);
  });

  it('are unqualified, so search_path decides the schema', () => {
    for (const m of readMigrations()) for (const s of m.statements) expect(s).not.toMatch(/"public"\.|clickstream\./);
  });
});

describe('schema names and lock keys', () => {
  it('accepts plain identifiers only', () => {
    expect(assertSchemaName('clickstream')).toBe('clickstream');
    expect(assertSchemaName('test_0a1b2c')).toBe('test_0a1b2c');
    for (const bad of ['', 'Clickstream', '1abc', 'a-b', 'a"b', 'a;drop', 'pg_temp', 'x'.repeat(64)]) {
      expect(() => assertSchemaName(bad)).toThrow('invalid warehouse schema name');
    }
  });

  it('derives a stable signed 64-bit lock key per schema', () => {
    const key = migrationLockKey('clickstream');
    expect(key).toBe(migrationLockKey('clickstream'));
    expect(key).not.toBe(migrationLockKey('test_1'));
    const n = BigInt(key);
    expect(n >= -(2n ** 63n) && n < 2n ** 63n).toBe(true);
  });
});
