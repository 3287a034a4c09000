import { describe, expect, it } from '@jest/globals';
import { apiUrl, defaultSite, exportUrl, parseFilters, reportQuery, withParam, writeFilters } from './filters';

describe('filters in the URL', () => {
  it('defaults to the last 7 days in the browser zone, bots excluded', () => {
    expect(parseFilters('', 'Europe/Paris')).toEqual({ range: 'last7', tz: 'Europe/Paris', bots: false });
  });

  it('round-trips every filter through the query string', () => {
    const filters = {
      range: 'custom' as const,
      from: '2024-01-01',
      to: '2024-01-31',
      site: 'shop',
      tz: 'Asia/Tokyo',
      bots: true,
      event_type: 'click',
      device: 'mobile',
      country: 'FR',
      limit: 100,
    };
    const search = writeFilters('', filters);
    expect(parseFilters(search, 'UTC')).toEqual(filters);
  });

  it('keeps keys it does not own and drops stale custom days', () => {
    const search = writeFilters('?steps=page_view%2Cclick&from=2024-01-01&to=2024-01-02&range=custom', { range: 'today', tz: 'UTC', bots: false });
    const params = new URLSearchParams(search);
    expect(params.get('steps')).toBe('page_view,click');
    expect(params.get('range')).toBe('today');
    expect(params.has('from')).toBe(false);
    expect(params.get('tz')).toBe('UTC');
  });

  it('ignores malformed values instead of sending them', () => {
    const f = parseFilters('?range=forever&tz=Not/AZone&bots=yes&event_type=%3Cscript%3E&country=fr&from=x&to=y&limit=0', 'UTC');
    expect(f).toEqual({ range: 'last7', tz: 'UTC', bots: false, country: 'FR' });
  });

  it('reads from/to without a range as a custom range, in order', () => {
    expect(parseFilters('?from=2024-02-10&to=2024-02-01', 'UTC')).toMatchObject({ range: 'custom', from: '2024-02-01', to: '2024-02-10' });
    expect(parseFilters('?range=custom&from=2024-02-10', 'UTC').range).toBe('last7');
  });

  it('falls back to the default site, else the first one with data', () => {
    expect(defaultSite([])).toBe('default');
    expect(defaultSite(['shop', 'default'])).toBe('default');
    expect(defaultSite(['shop', 'blog'])).toBe('shop');
  });

  it('replaces or removes a page parameter', () => {
    expect(withParam('?range=today&steps=a', 'steps', 'b,c')).toBe('?range=today&steps=b%2Cc');
    expect(withParam('?steps=a', 'steps', undefined)).toBe('');
  });
});

describe('API URLs', () => {
  const now = new Date('2024-03-01T12:00:00Z');

  it('builds the report query from the resolved preset', () => {
    const q = reportQuery(parseFilters('?range=yesterday&tz=UTC&device=mobile&limit=100', 'UTC'), 'default', now);
    expect(q).toEqual({ site: 'default', from: '2024-02-29', to: '2024-02-29', tz: 'UTC', device: 'mobile', limit: 100 });
  });

  it('encodes values and orders keys, so the same query is the same cache key and link', () => {
    const q = { site: 'a&b', from: '2024-01-01', to: '2024-01-02', tz: 'UTC' };
    expect(apiUrl('pages', q, { limit: 10 })).toBe('/api/pages?from=2024-01-01&limit=10&site=a%26b&to=2024-01-02&tz=UTC');
    expect(exportUrl('breakdown', q, { dimension: 'country', limit: undefined })).toBe(
      '/api/export/breakdown.csv?dimension=country&from=2024-01-01&site=a%26b&to=2024-01-02&tz=UTC',
    );
  });
});
