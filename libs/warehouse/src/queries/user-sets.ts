// Distinct users per key (a path, a dimension value) over a range of whole UTC hours, from the
// per-day user sets (`page_user_days`, `dimension_user_days`) and the per-hour user rows beside them.
import type { PendingQuery, Row } from 'postgres';
import { botFilter, type Queryable, type ResolvedRange } from './range';

const DAY_MS = 86_400_000;

/** Whole UTC days: `from` (inclusive) and `to` (exclusive) as instants and as dates ('YYYY-MM-DD'). */
interface UtcDays {
  from: Date;
  to: Date;
  fromDay: string;
  toDay: string;
}

/**
 * The whole UTC days inside the range, for the sets kept per UTC day: the range is then those days
 * plus the hours before and after them. Undefined when no whole day fits.
 */
function wholeUtcDays(range: ResolvedRange): UtcDays | undefined {
  const from = Math.ceil(range.from.getTime() / DAY_MS) * DAY_MS;
  const to = Math.floor(range.to.getTime() / DAY_MS) * DAY_MS;
  if (from >= to) return undefined;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: new Date(from), to: new Date(to), fromDay: day(from), toDay: day(to) };
}

export interface KeyedUserTables {
  /** The per-day sets: table, key column, and any condition beyond site, day and bots. */
  days: { table: string; key: string; where?: PendingQuery<Row[]> };
  /** The per-hour rows (one per user, hour and key): table and key column. */
  hours: { table: string; key: string };
  /** The keys to count (a one-column subquery, e.g. `select path from top`). */
  keys: PendingQuery<Row[]>;
}

/**
 * SQL: (key, users) for each of `keys`. The whole UTC days inside the range are the union of their
 * sets, counted with bit_count; the hours before and after them add the users of their hour rows
 * that the days' sets lack (bit `user_no` unset). A range without a whole day counts its hour rows
 * distinct. Bots are left out unless the range includes them (a user with human and bot rows is one
 * user number either way).
 */
export function keyedUsers(sql: Queryable, r: ResolvedRange, t: KeyedUserTables): PendingQuery<Row[]> {
  const hourKey = sql(t.hours.key);
  const days = wholeUtcDays(r);
  if (!days) {
    return sql`
      select key, count(*) as users
      from (
        select distinct ${hourKey} as key, user_no
        from ${sql(t.hours.table)}
        where site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)} and ${hourKey} in (${t.keys})
      ) u
      group by key`;
  }
  return sql`
    with day_users as (
      select ${sql(t.days.key)} as key, user_set_union(users) as users
      from ${sql(t.days.table)}
      where site_id = ${r.site} and day >= ${days.fromDay}::date and day < ${days.toDay}::date ${botFilter(sql, r)}
        ${t.days.where ?? sql``} and ${sql(t.days.key)} in (${t.keys})
      group by 1
    ),
    edge_users as (
      select distinct ${hourKey} as key, user_no
      from ${sql(t.hours.table)}
      where site_id = ${r.site} and ((hour >= ${r.from} and hour < ${days.from}) or (hour >= ${days.to} and hour < ${r.to})) ${botFilter(sql, r)}
        and ${hourKey} in (${t.keys})
    ),
    edge_only as (
      select e.key, count(*) as users
      from edge_users e
      left join day_users d on d.key = e.key
      where d.users is null or e.user_no >= length(d.users) or get_bit(d.users, e.user_no) = 0
      group by e.key
    )
    select k.key, coalesce(bit_count(d.users), 0) + coalesce(e.users, 0) as users
    from (${t.keys}) k(key)
    left join day_users d on d.key = k.key
    left join edge_only e on e.key = k.key`;
}
