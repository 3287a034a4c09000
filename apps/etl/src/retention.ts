// Retention: removes the raw objects whose dt= day is older than today − N days from the archive,
// then (applyRetention) the events, model rows, live rollups and ETL bookkeeping older than that day.
// Objects go first: a manifest row removed before its object would let the next run load it again.

import { parseRawObjectKey, type RawArchive } from '@clickstream/archive';
import type { Logger } from '@clickstream/runtime';
import { applyRetention, guardTransactions, type RetentionCounts } from '@clickstream/warehouse';
import type { Sql } from 'postgres';

export interface RetentionDeps {
  sql: Sql;
  archive: RawArchive;
  logger: Logger;
}

export interface RetentionReport {
  /** The first instant kept (00:00 UTC of today − days). */
  cutoff: string;
  days: number;
  dryRun: boolean;
  /** Raw objects removed (or that would be). */
  archive: { objects: number; bytes: number };
  /** Rows removed (or that would be) per table. */
  tables: RetentionCounts;
}

const DAY_MS = 86_400_000;

/** 00:00 UTC of the day `days` days before `now`'s UTC day. */
export function retentionCutoff(days: number, now: Date = new Date()): Date {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention days must be a whole number ≥ 1, got ${days}`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - days * DAY_MS);
}

export async function runRetention(deps: RetentionDeps, options: { days: number; dryRun?: boolean; now?: Date }): Promise<RetentionReport> {
  const { archive } = deps;
  const sql = guardTransactions(deps.sql);
  const logger = deps.logger.child({ component: 'retention' });
  const dryRun = options.dryRun ?? false;
  const cutoff = retentionCutoff(options.days, options.now);
  const cutoffDay = cutoff.toISOString().slice(0, 10);

  // Keys sort by day (raw/dt=YYYY-MM-DD/…), so the listing stops at the first day that is kept.
  const keys: string[] = [];
  let bytes = 0;
  for await (const object of archive.list({ prefix: 'raw/' })) {
    const parsed = parseRawObjectKey(object.key);
    if (!parsed) continue;
    if (parsed.date >= cutoffDay) break;
    keys.push(object.key);
    bytes += object.size;
  }
  if (!dryRun && keys.length > 0) await archive.deleteObjects(keys);
  const tables = await applyRetention(sql, { cutoff, dryRun });
  const report: RetentionReport = { cutoff: cutoff.toISOString(), days: options.days, dryRun, archive: { objects: keys.length, bytes }, tables };
  logger.info(report, dryRun ? 'retention dry run: nothing was deleted' : 'retention applied');
  return report;
}
