// The live consumer's writes (user_minute_counts and their hourly sums per slot in live_hour_counts),
// the dashboard's reads over user_minute_counts, and consumer offsets.
import postgres from 'postgres';
import { applyMinuteCounts, claimConsumerOffset, isRetriableDbError, eventTypeCounts, minuteCounts, readConsumerOffsets, topUsers, writeConsumerOffsets, type MinuteCount } from '../src';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '../src/testing';
import { waitFor } from '@clickstream/runtime/testing';

jest.setTimeout(60_000);

const at = (hhmmss: string) => new Date(`2024-05-01T${hhmmss}Z`);

const count = (site_id: string, minute: Date, user_id: string, event_type: string, n: number): MinuteCount => ({
  site_id,
  minute,
  user_id,
  event_type,
  count: n,
});

describe('live rollups', () => {
  let pg: TestPostgres;
  let wh: TestWarehouse;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  beforeEach(async () => {
    wh = await createTestWarehouse(pg.url, { max: 3 });
  });
  afterEach(() => wh?.drop());
  afterAll(() => pg?.stop());

  const stored = () =>
    wh.sql`select site_id, minute, user_id, event_type, event_count::int as n from user_minute_counts order by site_id, minute, user_id, event_type`;

  it('adds counts: repeated keys in one call are summed, later calls accumulate, minutes are truncated', async () => {
    expect(
      await applyMinuteCounts(wh.sql, [
        count('a', at('10:00:05'), 'u1', 'click', 2),
        count('a', at('10:00:59.999'), 'u1', 'click', 3),
        count('a', at('10:01:00'), 'u1', 'click', 1),
        count('a', at('10:00:00'), 'u2', 'page_view', 4),
        count('b', at('10:00:00'), 'u1', 'click', 7),
      ]),
    ).toBe(4);
    await applyMinuteCounts(wh.sql, [count('a', at('10:00:30'), 'u1', 'click', 10)]);
    expect(await applyMinuteCounts(wh.sql, [])).toBe(0);
    expect(await stored()).toEqual([
      { site_id: 'a', minute: at('10:00:00'), user_id: 'u1', event_type: 'click', n: 15 },
      { site_id: 'a', minute: at('10:00:00'), user_id: 'u2', event_type: 'page_view', n: 4 },
      { site_id: 'a', minute: at('10:01:00'), user_id: 'u1', event_type: 'click', n: 1 },
      { site_id: 'b', minute: at('10:00:00'), user_id: 'u1', event_type: 'click', n: 7 },
    ]);
  });

  it('takes concurrent writers on the same rows without deadlock or lost updates', async () => {
    const users = Array.from({ length: 5000 }, (_, i) => `u${i}`);
    const batch = (reverse: boolean) => {
      const rows = users.map((u) => count('a', at('10:00:00'), u, 'click', 1));
      return reverse ? rows.reverse() : rows;
    };
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => wh.sql.begin((tx) => applyMinuteCounts(tx, batch(i % 2 === 1)))),
    );
    const rows = await stored();
    expect(rows).toHaveLength(5000);
    expect(rows.every((r) => r.n === 6)).toBe(true);
    expect(await wh.sql`select slot, event_count::int as n from live_hour_counts`).toEqual([{ slot: 0, n: 30_000 }]);
  });

  const hourRows = () =>
    wh.sql`select site_id, hour, event_type, slot, event_count::int as n from live_hour_counts order by site_id, hour, event_type, slot`;

  it('adds the hour sums to the slot of each call, and they equal the sums of the minute rows', async () => {
    // three partitions' writers, each several calls, over two sites, two hours, and repeated keys
    const calls: Array<{ slot: number; rows: MinuteCount[] }> = [
      { slot: 0, rows: [count('a', at('10:00:05'), 'u1', 'click', 2), count('a', at('10:59:59'), 'u2', 'click', 3), count('a', at('11:00:00'), 'u1', 'click', 1)] },
      { slot: 2, rows: [count('a', at('10:30:00'), 'u3', 'click', 5), count('a', at('10:30:10'), 'u3', 'page_view', 4), count('b', at('10:00:00'), 'u1', 'click', 7)] },
      { slot: 0, rows: [count('a', at('10:00:30'), 'u1', 'click', 10), count('a', at('10:00:30'), 'u1', 'click', 1)] },
      { slot: 1, rows: [count('a', at('10:00:00'), 'u1', 'click', 6), count('a', at('11:45:00'), 'u4', 'scroll', 8)] },
      { slot: 2, rows: [count('a', at('10:15:00'), 'u3', 'click', 1)] },
    ];
    const written = [];
    for (const call of calls) written.push(await wh.sql.begin((tx) => applyMinuteCounts(tx, call.rows, { slot: call.slot })));
    // the return value is still the distinct minute rows of each call
    expect(written).toEqual([3, 3, 1, 2, 1]);

    const hour = (hhmm: string) => at(`${hhmm}:00`);
    expect(await hourRows()).toEqual([
      { site_id: 'a', hour: hour('10:00'), event_type: 'click', slot: 0, n: 2 + 3 + 10 + 1 },
      { site_id: 'a', hour: hour('10:00'), event_type: 'click', slot: 1, n: 6 },
      { site_id: 'a', hour: hour('10:00'), event_type: 'click', slot: 2, n: 5 + 1 },
      { site_id: 'a', hour: hour('10:00'), event_type: 'page_view', slot: 2, n: 4 },
      { site_id: 'a', hour: hour('11:00'), event_type: 'click', slot: 0, n: 1 },
      { site_id: 'a', hour: hour('11:00'), event_type: 'scroll', slot: 1, n: 8 },
      { site_id: 'b', hour: hour('10:00'), event_type: 'click', slot: 2, n: 7 },
    ]);
    // summed over the slots, the hour rows are the minute rows summed per UTC hour
    const [{ mismatches }] = await wh.sql`
      select count(*)::int as mismatches
      from (select site_id, hour, event_type, sum(event_count) as n from live_hour_counts group by 1, 2, 3) h
      full join (
        select site_id, date_trunc('hour', minute, 'UTC') as hour, event_type, sum(event_count) as n from user_minute_counts group by 1, 2, 3
      ) m using (site_id, hour, event_type)
      where h.n is distinct from m.n`;
    expect(mismatches).toBe(0);
  });

  it('lets writers of different slots add to the same hour concurrently; writers of one slot wait for each other', async () => {
    const hourOf = (user: string) => [count('a', at('10:05:00'), user, 'click', 1), count('a', at('10:40:00'), user, 'click', 1)];
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((r) => (firstWrote = r));
    const first = wh.sql.begin(async (tx) => {
      await applyMinuteCounts(tx, hourOf('u1'), { slot: 0 });
      firstWrote();
      await firstMayCommit;
    });
    await wrote;
    // another partition's writer, same site, hour and event type: done while the first is still open
    // (were it to wait, the lock timeout would fail it rather than hang the test)
    await wh.sql.begin(async (tx) => {
      await tx`set local lock_timeout = '5s'`;
      await applyMinuteCounts(tx, hourOf('u2'), { slot: 1 });
    });
    expect(await hourRows()).toEqual([{ site_id: 'a', hour: at('10:00:00'), event_type: 'click', slot: 1, n: 2 }]);

    // the same slot (other users, so only the hour row is shared) has to wait for the first to commit
    const sameSlot = wh.sql.begin((tx) => applyMinuteCounts(tx, hourOf('u3'), { slot: 0 }));
    await waitFor('the writer of the same slot to wait on the hour row', async () => {
      const [row] = await wh.sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%live_hour_counts%'`;
      return row.n > 0;
    }, 10_000);
    releaseFirst();
    await first;
    await sameSlot;
    expect(await hourRows()).toEqual([
      { site_id: 'a', hour: at('10:00:00'), event_type: 'click', slot: 0, n: 4 },
      { site_id: 'a', hour: at('10:00:00'), event_type: 'click', slot: 1, n: 2 },
    ]);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31, '1' as unknown as number])('refuses slot %p and writes nothing', async (slot) => {
    await expect(applyMinuteCounts(wh.sql, [count('a', at('10:00:00'), 'u1', 'click', 1)], { slot })).rejects.toThrow('slot must be an integer from 0 to 2147483647');
    expect(await stored()).toEqual([]);
    expect(await hourRows()).toEqual([]);
  });

  it('with a pool, writes both tables in a transaction of its own', async () => {
    // an hour row already at the bigint maximum: adding to it fails after the minute row is
    // written, and the minute row is rolled back with it
    await wh.sql`insert into live_hour_counts (site_id, hour, event_type, slot, event_count) values ('a', ${at('10:00:00')}, 'click', 0, ${'9223372036854775807'})`;
    await expect(applyMinuteCounts(wh.sql, [count('a', at('10:00:00'), 'u1', 'click', 1)])).rejects.toThrow('out of range');
    expect(await stored()).toEqual([]);
  });

  it('answers the live queries: per minute, top users, per event type', async () => {
    await applyMinuteCounts(wh.sql, [
      count('a', at('10:00:00'), 'u1', 'click', 5),
      count('a', at('10:00:00'), 'u2', 'page_view', 2),
      count('a', at('10:01:00'), 'u2', 'page_view', 6),
      count('a', at('10:02:00'), 'u3', 'scroll', 1),
      count('a', at('09:59:00'), 'u9', 'click', 100),
      count('b', at('10:00:00'), 'u1', 'click', 50),
    ]);
    const range = { site: 'a', from: at('10:00:00'), to: at('10:02:00') };
    expect(await minuteCounts(wh.sql, range)).toEqual([
      { minute: at('10:00:00'), events: 7 },
      { minute: at('10:01:00'), events: 6 },
    ]);
    expect(await minuteCounts(wh.sql, { ...range, eventType: 'click' })).toEqual([{ minute: at('10:00:00'), events: 5 }]);
    expect(await topUsers(wh.sql, { site: 'a', since: at('10:00:00') })).toEqual([
      { user_id: 'u2', events: 8 },
      { user_id: 'u1', events: 5 },
      { user_id: 'u3', events: 1 },
    ]);
    expect(await topUsers(wh.sql, { site: 'a', since: at('09:00:00'), limit: 1 })).toEqual([{ user_id: 'u9', events: 100 }]);
    expect(await eventTypeCounts(wh.sql, range)).toEqual([
      { event_type: 'page_view', events: 8 },
      { event_type: 'click', events: 5 },
    ]);
    expect(await eventTypeCounts(wh.sql, { ...range, site: 'nobody' })).toEqual([]);
  });

  it('stores and reads consumer offsets per group and topic, 64-bit safe', async () => {
    expect(await readConsumerOffsets(wh.sql, 'clickstream-live', 'clickstream.events')).toEqual(new Map());
    await writeConsumerOffsets(wh.sql, 'clickstream-live', 'clickstream.events', new Map<number, string | bigint>([[0, '10'], [3, 9007199254740993n]]));
    await writeConsumerOffsets(wh.sql, 'clickstream-live', 'clickstream.events', new Map([[0, '25']]));
    await writeConsumerOffsets(wh.sql, 'other-group', 'clickstream.events', new Map([[0, '1']]));
    await writeConsumerOffsets(wh.sql, 'clickstream-live', 'other.topic', new Map([[1, '2']]));
    expect(await readConsumerOffsets(wh.sql, 'clickstream-live', 'clickstream.events')).toEqual(
      new Map([
        [0, '25'],
        [3, '9007199254740993'],
      ]),
    );
    await expect(writeConsumerOffsets(wh.sql, 'g', 't', new Map([[0, '-1']]))).rejects.toThrow('invalid offset');
    await expect(writeConsumerOffsets(wh.sql, 'g', 't', new Map([[-1, '1']]))).rejects.toThrow('invalid partition');
  });

  it('writes counts and offsets atomically: a failed transaction leaves neither', async () => {
    await writeConsumerOffsets(wh.sql, 'g', 't', new Map([[0, '5']]));
    await expect(
      wh.sql.begin(async (tx) => {
        await applyMinuteCounts(tx, [count('a', at('10:00:00'), 'u1', 'click', 3)]);
        await writeConsumerOffsets(tx, 'g', 't', new Map([[0, '8']]));
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await stored()).toEqual([]);
    expect(await readConsumerOffsets(wh.sql, 'g', 't')).toEqual(new Map([[0, '5']]));

    await wh.sql.begin(async (tx) => {
      const offsets = await readConsumerOffsets(tx, 'g', 't', { lock: true });
      await applyMinuteCounts(tx, [count('a', at('10:00:00'), 'u1', 'click', 3)]);
      await writeConsumerOffsets(tx, 'g', 't', new Map([[0, String(BigInt(offsets.get(0) ?? '0') + 3n)]]));
    });
    expect(await readConsumerOffsets(wh.sql, 'g', 't')).toEqual(new Map([[0, '8']]));
    expect((await stored()).map((r) => r.n)).toEqual([3]);
  });

  it('claims a partition offset: 0 for a new partition, and a second claimer waits for the first to commit', async () => {
    expect(await wh.sql.begin((tx) => claimConsumerOffset(tx, 'g', 't', 2))).toBe(0n);
    expect(await readConsumerOffsets(wh.sql, 'g', 't')).toEqual(new Map([[2, '0']]));

    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    let firstClaimed!: () => void;
    const claimed = new Promise<void>((r) => (firstClaimed = r));
    const first = wh.sql.begin(async (tx) => {
      const stored = await claimConsumerOffset(tx, 'g', 't', 2);
      firstClaimed();
      await firstMayCommit;
      await writeConsumerOffsets(tx, 'g', 't', new Map([[2, String(stored + 40n)]]));
    });
    await claimed;
    const second = wh.sql.begin((tx) => claimConsumerOffset(tx, 'g', 't', 2));
    await waitFor('the second claim to wait on the row lock', async () => {
      const [row] = await wh.sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%consumer_offsets%'`;
      return row.n > 0;
    }, 10_000);
    releaseFirst();
    await first;
    expect(await second).toBe(40n);
  });

  it('tells retriable failures (connection refused, connection killed) from permanent ones', async () => {
    const refused = postgres('postgres://postgres@127.0.0.1:1/test', { max: 1, connect_timeout: 2 });
    const err = await refused`select 1`.then(() => undefined, (e: unknown) => e);
    await refused.end({ timeout: 1 });
    expect(isRetriableDbError(err)).toBe(true);

    // A connection terminated by the server in the middle of a query. (Not inside sql.begin():
    // postgres.js 3.4.9 may then crash on its automatic ROLLBACK, porsager/postgres#1154.)
    const victim = postgres(pg.url, { max: 1, onnotice: () => undefined });
    const [{ pid }] = await victim`select pg_backend_pid() as pid`;
    const sleeping = victim`select pg_sleep(10)`.then(() => undefined, (e: unknown) => e);
    await waitFor('the victim to be busy', async () => {
      const [row] = await wh.sql`select count(*)::int as n from pg_stat_activity where pid = ${pid} and state = 'active'`;
      return row.n > 0;
    }, 10_000);
    await wh.sql`select pg_terminate_backend(${pid})`;
    const killed = await sleeping;
    await victim.end({ timeout: 1 }); // after a server-side termination, end() waits out its timeout
    expect(killed).toBeDefined();
    expect(isRetriableDbError(killed)).toBe(true);

    await wh.sql`insert into etl_objects (key, etag) values ('k', 'e')`;
    const duplicate = await wh.sql`insert into etl_objects (key, etag) values ('k', 'e')`.then(() => undefined, (e: unknown) => e);
    expect(isRetriableDbError(duplicate)).toBe(false);
  });
});
