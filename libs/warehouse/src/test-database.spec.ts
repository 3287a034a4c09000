import { assertTestDatabase } from './index';

describe('assertTestDatabase', () => {
  it('accepts test databases', () => {
    expect(assertTestDatabase('postgres://postgres@127.0.0.1:5432/test')).toBe('test');
    expect(assertTestDatabase('postgresql://u:p@db/clickstream_test?sslmode=disable')).toBe('clickstream_test');
  });

  it('refuses anything else, naming it', () => {
    expect(() => assertTestDatabase('postgres://postgres@127.0.0.1:5432/clickstream')).toThrow('database "clickstream"');
    expect(() => assertTestDatabase('postgres://postgres@127.0.0.1:5432/')).toThrow('"(none)"');
    expect(() => assertTestDatabase('not a url')).toThrow('cannot be parsed');
  });
});
