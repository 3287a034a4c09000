import { InvalidQueryError } from '@clickstream/warehouse';
import { toMetricRange } from './report-query';

const NOW = new Date('2026-04-08T12:30:00Z');

describe('toMetricRange', () => {
  it('defaults from to the 7 days that end with to', () => {
    expect(toMetricRange({ to: '2026-04-08' }, NOW)).toMatchObject({ site: 'default', from: new Date('2026-04-02T00:00:00Z'), to: new Date('2026-04-09T00:00:00Z') });
  });

  // A `to` that is no date used to reach Date#toISOString while making the default `from`: a 500.
  it.each(['<script>alert(1)</script>', "'; drop table events; --", '2026-13-45', 'T12:00'])('refuses to=%s without from as a bad query, naming to', (to) => {
    let error: unknown;
    try {
      toMetricRange({ to }, NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as InvalidQueryError).field).toBe('to');
  });
});
