// The testing helpers: they refuse databases not named as test ones, and clean up after themselves.
import { createTestWarehouse, startTestPostgres, type TestPostgres } from '../src/testing';

jest.setTimeout(60_000);

describe('testing helpers', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(() => pg?.stop());

  it('give each test its own migrated schema, and drop it', async () => {
    const [a, b] = await Promise.all([createTestWarehouse(pg.url), createTestWarehouse(pg.url)]);
    expect(a.schema).toMatch(/^test_[0-9a-f]{12}$/);
    expect(a.schema).not.toBe(b.schema);
    await a.sql`insert into etl_objects (key, etag) values ('raw/x', 'e1')`;
    expect(await b.sql`select * from etl_objects`).toHaveLength(0);
    const probe = b.sql;
    await a.drop();
    const [row] = await probe`select count(*)::int as n from pg_namespace where nspname = ${a.schema}`;
    expect(row.n).toBe(0);
    await b.drop();
  });

  it('refuse a database whose name does not say test', async () => {
    await expect(createTestWarehouse('postgres://postgres@127.0.0.1:5432/clickstream')).rejects.toThrow(
      'refusing to run destructive test helpers against database "clickstream"',
    );
    const saved = process.env['TEST_DATABASE_URL'];
    process.env['TEST_DATABASE_URL'] = 'postgres://postgres@127.0.0.1:5432/production';
    try {
      await expect(startTestPostgres()).rejects.toThrow('database "production"');
    } finally {
      if (saved === undefined) delete process.env['TEST_DATABASE_URL'];
      else process.env['TEST_DATABASE_URL'] = saved;
    }
  });
});
