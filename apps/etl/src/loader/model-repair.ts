// Finds the site-days whose models an earlier run left stale. A run loads objects (each committed on
// its own) and rebuilds the models once at the end; a run that failed or died in between leaves events
// that no model has seen. Such runs are the failed ones that loaded objects and are not marked
// repaired yet, plus the `running` ones whose process is gone (their run lock is free), which are
// marked failed first. Their objects are those loaded while they ran, read again from the archive for
// the (site, day) pairs of their events (objects other runs loaded in that time only add harmless
// work). Once the models are rebuilt, the repairing run marks them in their `error`.

import type { ArchiveObject, RawArchive } from '@clickstream/archive';
import type { Logger } from '@clickstream/runtime';
import { transaction } from '@clickstream/warehouse';
import type { Sql } from 'postgres';
import { decodeArchiveLine } from '../decode-line';
import { RUN_LOCK_KEY } from './run-ledger';
import { SiteDaySet } from './site-day-set';

/** The note a repaired run's error ends with. */
export const REPAIRED_MARK = 'the models of its objects were rebuilt by run';

export interface StaleRuns {
  /** Ids of the runs whose objects need their models rebuilt. */
  runs: number[];
  /** The objects loaded while those runs ran. */
  objects: Pick<ArchiveObject, 'key'>[];
}

/** Marks dead `running` runs failed, and returns the runs (and their objects) whose models may be stale. */
export async function findStaleRuns(sql: Sql, ownRunId: number): Promise<StaleRuns> {
  return transaction(sql, async (tx) => {
    // A run whose lock we can take has no process behind it any more. The xact lock is held only
    // until this transaction ends.
    const dead = await tx.unsafe<{ id: string }[]>(
      `select id from etl_runs where status = 'running' and id <> $1 and pg_try_advisory_xact_lock(${RUN_LOCK_KEY.replace('$1', 'id')})`,
      [ownRunId],
    );
    if (dead.length > 0) {
      await tx`update etl_runs set status = 'failed', finished_at = now(),
                 error = 'its process stopped before the run finished (killed, crashed or lost its database connection)'
               where id in ${tx(dead.map((d) => d.id))}`;
    }
    const runs = await tx<{ id: string }[]>`
      select id from etl_runs
      where status = 'failed' and objects > 0 and id <> ${ownRunId} and position(${REPAIRED_MARK} in coalesce(error, '')) = 0
      order by id`;
    if (runs.length === 0) return { runs: [], objects: [] };
    const objects = await tx<{ key: string }[]>`
      select distinct o.key from etl_objects o
      join etl_runs r on o.loaded_at >= r.started_at and o.loaded_at <= r.finished_at
      where r.id in ${tx(runs.map((r) => r.id))}
      order by o.key`;
    return { runs: runs.map((r) => Number(r.id)), objects: objects.map((o) => ({ key: o.key })) };
  });
}

/** Notes in each run's error that its objects' models were rebuilt by `byRunId` (so no later run does it again). */
export async function markRepaired(sql: Sql, runIds: readonly number[], byRunId: number): Promise<void> {
  if (runIds.length === 0) return;
  await sql`update etl_runs set error = coalesce(error, 'failed') || ${`; ${REPAIRED_MARK} ${byRunId}`}
            where id in ${sql(runIds.map(String))} and position(${REPAIRED_MARK} in coalesce(error, '')) = 0`;
}

/** The (site, UTC day of event_time) pairs of the valid events in one archive object; none when it is gone. */
export async function siteDaysOfObject(archive: RawArchive, key: string, logger?: Logger): Promise<SiteDaySet> {
  const days = new SiteDaySet();
  try {
    for await (const { line } of archive.readLines(key)) {
      const decoded = decodeArchiveLine(line);
      if (decoded.ok) days.add({ siteId: decoded.event.site_id, day: new Date(decoded.event.event_time).toISOString().slice(0, 10) });
    }
  } catch (err) {
    // Removed by retention since it was loaded: its events went with it.
    if ((err as { name?: string }).name !== 'NoSuchKey') throw err;
    logger?.warn({ key }, 'object to re-model is no longer in the archive; skipped');
  }
  return days;
}
