// The etl_runs row of one run: opened as `running` under an advisory lock that the run holds until it
// has recorded how it ended. The lock is what tells a live run from one whose process died (the server
// drops a dead session's locks), so another process can find runs that will never finish.
//
// The lock lives in a transaction that stays open for the whole run on one pooled connection (a
// reserved postgres.js connection cannot be used safely once its socket is gone), so the pool needs
// at least two connections. The transaction takes no snapshot while idle, so it holds back no vacuum.
// If that connection is lost, the transaction is never ended from here (see transaction.ts).

import type { Sql } from 'postgres';
import { transaction } from '@clickstream/warehouse';

/** The advisory lock of run `$1` in the current schema. */
export const RUN_LOCK_KEY = `hashtextextended('clickstream:etl-run:' || current_schema() || ':' || $1::bigint, 0)`;

export interface OpenRun {
  id: number;
  startedAt: Date;
}

export interface RunLedger {
  /** Takes the run's lock, then inserts its `running` row. */
  open(): Promise<OpenRun>;
  /** Records the outcome (`error` for a failed run), then frees the lock. */
  close(status: 'succeeded' | 'failed', error?: string): Promise<void>;
}

export function createRunLedger(sql: Sql): RunLedger {
  let run: OpenRun | undefined;
  let releaseLock: () => void = () => undefined;
  let holder: Promise<unknown> | undefined;
  let lost = false;

  return {
    async open() {
      if (holder) throw new Error('this run is already open');
      const max = (sql.options as { max?: number }).max;
      if (typeof max === 'number' && max < 2) throw new Error(`the ETL needs a PostgreSQL pool of at least 2 connections (it has ${max})`);
      const released = new Promise<void>((resolve) => (releaseLock = resolve));
      let locked: (id: string) => void = () => undefined;
      const lockedId = new Promise<string>((resolve) => (locked = resolve));
      // The id first, then its lock, then the row: the row is never visible without its lock held.
      holder = transaction(sql, async (tx) => {
        const [{ id }] = await tx<[{ id: string }]>`select nextval(pg_get_serial_sequence('etl_runs', 'id')) as id`;
        await tx.unsafe(`select pg_advisory_xact_lock(${RUN_LOCK_KEY})`, [id]);
        locked(id);
        await released;
      });
      // Until the lock is taken, a failure of the holder is the failure of open(); later, the lock is
      // simply lost with its connection, and another process may find the run dead (and repair it).
      const id = await Promise.race([lockedId, holder.then(() => Promise.reject(new Error('the run lock was released early')))]);
      // Once the holder's connection is lost, its callback must never return (see transaction.ts).
      holder.catch(() => (lost = true));
      try {
        const [row] = await sql<[{ started_at: Date }]>`insert into etl_runs (id, status) values (${id}, 'running') returning started_at`;
        run = { id: Number(id), startedAt: row.started_at };
        return run;
      } catch (err) {
        releaseLock();
        throw err;
      }
    },
    async close(status, error) {
      if (!run) throw new Error('no open run to close');
      try {
        await sql`update etl_runs set status = ${status}, finished_at = now(), error = ${status === 'failed' ? (error ?? 'failed') : null}
                  where id = ${run.id}`;
      } finally {
        if (!lost) {
          releaseLock();
          await holder?.catch(() => undefined);
        }
      }
    },
  };
}
