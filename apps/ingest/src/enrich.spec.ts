import { normalize } from '@clickstream/event-schema';
import { createEnricher } from './enrich';
import { openGeoLookup, type GeoLookup } from './geo';

describe('geo lookup (DB-IP Lite)', () => {
  let geo: GeoLookup;
  beforeAll(async () => {
    geo = await openGeoLookup();
  });

  it('finds country and city of public addresses and skips private ones', () => {
    expect(geo.lookup('81.2.69.160')).toEqual({ country: 'GB', city: 'London' });
    expect(geo.lookup('8.8.8.8')?.country).toBe('US');
    expect(geo.lookup('::ffff:81.2.69.160')).toEqual({ country: 'GB', city: 'London' });
    for (const ip of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '172.16.5.4', '::1', 'fe80::1', 'not-an-ip']) expect(geo.lookup(ip)).toBeUndefined();
  });
});

describe('enricher', () => {
  const event = (ua: string) => {
    const r = normalize({ event_type: 'page_view', user_id: 'u', session_id: 's', user_agent: ua }, { receivedAt: 0 });
    if (!r.ok) throw new Error('rejected');
    return r.event;
  };

  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', { browser: 'Chrome', os: 'Windows', device_type: 'desktop', is_bot: false }],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', { browser: 'Chrome', os: 'Android', device_type: 'mobile', is_bot: false }],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1', { os: 'iOS', device_type: 'tablet', is_bot: false }],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { device_type: 'bot', is_bot: true }],
    ['curl/8.5.0', { is_bot: true }],
  ])('%s', (ua, expected) => {
    const e = event(ua);
    createEnricher(undefined).enrich(e, undefined);
    expect(e.context).toMatchObject(expected);
  });

  it('adds country and city from the full address, which it does not keep', async () => {
    const e = event('Mozilla/5.0');
    createEnricher(await openGeoLookup()).enrich(e, '81.2.69.160');
    expect(e.context).toMatchObject({ country: 'GB', city: 'London' });
    expect(JSON.stringify(e)).not.toContain('81.2.69.160');
  });
});
