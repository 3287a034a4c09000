import { isRetriableDbError } from './db-errors';

describe('isRetriableDbError', () => {
  it('retries connection loss, refusal and transient SQLSTATEs', () => {
    for (const code of ['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', '08006', '08001', '40001', '40P01', '57P01', '57P03', '53300']) {
      expect([code, isRetriableDbError(Object.assign(new Error(code), { code }))]).toEqual([code, true]);
    }
    const aggregate = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {});
    expect(isRetriableDbError(aggregate)).toBe(true);
    expect(isRetriableDbError(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '57P01' }) }))).toBe(true);
  });

  it('does not retry what would fail again', () => {
    for (const code of ['23505', '22P02', '42P01', '22003', '57014', 'ERR_INVALID_ARG_TYPE']) {
      expect([code, isRetriableDbError(Object.assign(new Error(code), { code }))]).toEqual([code, false]);
    }
    expect(isRetriableDbError(new Error('plain'))).toBe(false);
    expect(isRetriableDbError('string')).toBe(false);
    expect(isRetriableDbError(undefined)).toBe(false);
  });
});
