// sql.begin() with a guard for a postgres.js 3.4.9 bug (porsager/postgres#1133, #1154, #1208): when a
// transaction's connection dies, begin() itself rejects (CONNECTION_CLOSED), but if the callback then
// settles, postgres.js writes COMMIT or ROLLBACK to the closed socket from a setImmediate and the
// process dies of an uncatchable TypeError (and the pool slot never reconnects). So after a
// connection-loss error the callback is left pending; the server has rolled the transaction back.

import type { Sql, TransactionSql } from 'postgres';

/** postgres.js and socket codes, and SQLSTATEs, of a connection that is gone (class 08, admin/crash shutdown). */
const LOST_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNRESET', 'EPIPE', '57P01', '57P02']);

export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (LOST_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code));
}

/** Whether `sql` is a transaction (postgres.js gives only transactions savepoint()), rather than a pool. */
export function isTransaction(sql: Sql | TransactionSql): sql is TransactionSql {
  return 'savepoint' in sql && typeof sql.savepoint === 'function';
}

export async function transaction<T>(sql: Sql, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  const result = await sql.begin(async (tx) => {
    try {
      return await fn(tx);
    } catch (err) {
      // begin() rejects on its own once the connection's close is seen; settling here would crash.
      if (isConnectionLoss(err)) return new Promise<never>(() => undefined);
      throw err;
    }
  });
  return result as T;
}

/**
 * `sql` whose begin() goes through transaction(), so code that opens its own transactions on the
 * pool (copyEvents without a transaction, rebuildModels, applyRetention, drizzle) is covered too.
 * createWarehouse() returns its pool guarded; guarding twice returns the same pool.
 */
const GUARDED = Symbol('clickstream.guardedTransactions');

export function guardTransactions(sql: Sql): Sql {
  if ((sql as Sql & { [GUARDED]?: true })[GUARDED]) return sql;
  const begin = (...args: unknown[]) => {
    const fn = args.at(-1) as (tx: TransactionSql) => Promise<unknown>;
    if (args.length > 1) throw new Error('guardTransactions: begin() with options is not supported');
    return transaction(sql, fn);
  };
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === GUARDED) return true;
      return property === 'begin' ? begin : Reflect.get(target, property, receiver);
    },
  });
}
