// Applies the checked-in SQL migrations (drizzle-kit output in ../migrations) to one warehouse schema,
// once, even when several processes start at the same moment.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sql } from 'postgres';
import { assertSchemaName, DEFAULT_WAREHOUSE_SCHEMA } from './schema-name';
import type { WarehouseLogger } from './logger';

export interface Migration {
  tag: string;
  /** sha256 of the .sql file, recorded so an edited, already-applied migration is noticed. */
  hash: string;
  statements: string[];
}

export interface MigrateOptions {
  schema?: string;
  /** Defaults to the package's own migrations folder. */
  migrationsFolder?: string;
  logger?: WarehouseLogger;
}

export interface MigrateResult {
  /** Tags applied by this call, in order (empty when the schema was already up to date). */
  applied: string[];
  /** Tags already recorded before this call. */
  alreadyApplied: string[];
}

/** The migrations folder shipped with the package (found from src/ under tests and from dist/ when built). */
export const MIGRATIONS_FOLDER = join(packageRoot(), 'migrations');

function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@clickstream/warehouse') return dir;
    if (dirname(dir) === dir) throw new Error(`@clickstream/warehouse: package root not found above ${__dirname}`);
  }
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** Reads migrations/meta/_journal.json and the .sql files it lists, in journal order. */
export function readMigrations(folder: string = MIGRATIONS_FOLDER): Migration[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => {
      const text = readFileSync(join(folder, `${tag}.sql`), 'utf8');
      return {
        tag,
        hash: createHash('sha256').update(text).digest('hex'),
        statements: text
          .split('--> statement-breakpoint')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      };
    });
}

/** A signed 64-bit advisory-lock key of its own per schema, so migrating one schema never waits on another. */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`clickstream:migrate:${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Creates the schema if missing and applies the pending migrations in one transaction, under a
 * transaction-scoped advisory lock: concurrent callers wait, then find nothing left to do.
 * Migrations run with `SET LOCAL search_path` to the schema, so their SQL is unqualified. They must
 * be transactional (no CREATE INDEX CONCURRENTLY).
 */
export async function migrate(sql: Sql, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = assertSchemaName(options.schema ?? DEFAULT_WAREHOUSE_SCHEMA);
  const migrations = readMigrations(options.migrationsFolder);
  const { logger } = options;
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${migrationLockKey(schema)}::bigint)`;
    // Look before creating: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
    const [found] = await tx`select 1 as found from pg_namespace where nspname = ${schema}`;
    if (!found) await tx.unsafe(`create schema "${schema}"`);
    await tx.unsafe(
      `create table if not exists "${schema}".schema_migrations (tag text primary key, hash text not null, applied_at timestamptz not null default now())`,
    );
    const recorded = new Map(
      (await tx<{ tag: string; hash: string }[]>`select tag, hash from ${tx(schema)}.schema_migrations`).map((r) => [r.tag, r.hash]),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      const hash = recorded.get(migration.tag);
      if (hash !== undefined) {
        if (hash !== migration.hash) logger?.warn({ schema, tag: migration.tag }, 'migration file changed after it was applied; not re-applied');
        continue;
      }
      await tx.unsafe(`set local search_path to "${schema}"`);
      for (const statement of migration.statements) await tx.unsafe(statement);
      await tx`insert into ${tx(schema)}.schema_migrations (tag, hash) values (${migration.tag}, ${migration.hash})`;
      applied.push(migration.tag);
      logger?.info({ schema, tag: migration.tag }, 'migration applied');
    }
    return { applied, alreadyApplied: [...recorded.keys()] };
  });
}
