// transaction() and guardTransactions() against a PostgreSQL whose connection is cut (TCP proxy) while
// a transaction's query is in flight: the transaction rejects with the connection error, the process
// survives (plain sql.begin() dies of an uncaught TypeError in postgres.js 3.4.9 here), and the pool
// works again once the server is back.

import { createWarehouse, guardTransactions, isConnectionLoss, transaction, type Warehouse } from '../src';
import { startTestPostgres, type TestPostgres } from '../src/testing';
import type { TransactionSql } from 'postgres';
import { startTcpProxy, type TcpProxy } from '@clickstream/runtime/testing';

jest.setTimeout(30_000);

let pg: TestPostgres;
let proxy: TcpProxy;
let wh: Warehouse;

beforeAll(async () => {
  pg = await startTestPostgres();
  const target = new URL(pg.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const url = new URL(pg.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  wh = createWarehouse({ url: url.toString(), max: 3 });
});
afterAll(async () => {
  await wh?.close();
  await proxy?.close();
  await pg?.stop();
});

async function cutDuringQuery(begin: (fn: (tx: TransactionSql) => Promise<unknown>) => Promise<unknown>): Promise<unknown> {
  let started: () => void = () => undefined;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const outcome = begin(async (tx) => {
    await tx`select 1`;
    const slow = tx`select pg_sleep(2)`.execute();
    started();
    await slow;
  }).then(
    () => 'committed',
    (err: unknown) => err,
  );
  await inFlight;
  await new Promise((r) => setTimeout(r, 100));
  await proxy.cut();
  const result = await outcome;
  await proxy.restore();
  return result;
}

describe('transaction() when the connection dies mid-query', () => {
  it('rejects with the connection error, and the pool recovers', async () => {
    const err = await cutDuringQuery((fn) => transaction(wh.sql, fn));
    expect(isConnectionLoss(err)).toBe(true);
    // Give a stray setImmediate the chance to fire (it would throw outside any promise).
    await new Promise((r) => setTimeout(r, 200));
    const rows = await wh.sql<{ n: number }[]>`select 1 as n`;
    expect(rows[0].n).toBe(1);
    expect(await transaction(wh.sql, async (tx) => (await tx<{ n: number }[]>`select 2 as n`)[0].n)).toBe(2);
  });

  it("createWarehouse()'s pool is guarded: code that calls sql.begin() itself gets the same protection", async () => {
    const guarded = wh.sql;
    expect(guardTransactions(guarded)).toBe(guarded);
    const err = await cutDuringQuery((fn) => guarded.begin(fn));
    expect(isConnectionLoss(err)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect((await guarded<{ n: number }[]>`select 3 as n`)[0].n).toBe(3);
    // Other errors still roll back and reject as usual.
    await expect(guarded.begin(async (tx) => tx`select 1/0`)).rejects.toMatchObject({ code: '22012' });
  });
});
