import { fullFormats } from 'ajv-formats/dist/formats';
import { isDateTime } from './date-time-format';
import { fixtures, normalize, validateCanonicalEvent } from './index';

const reference = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

// Each string's answer is ajv-formats' own: the fast path may only ever agree with it.
const CASES = [
  '2026-11-20T00:00:31.157Z',
  '2026-11-20T23:59:59Z',
  '2026-11-20T23:59:59.999999999Z',
  '2024-02-29T12:00:00Z',
  '2000-02-29T12:00:00Z',
  '1900-02-29T12:00:00Z',
  '2026-02-29T12:00:00Z',
  '2026-02-28T12:00:00.5Z',
  '2026-04-31T12:00:00Z',
  '2026-12-31T12:00:00Z',
  '2026-13-01T12:00:00Z',
  '2026-00-10T12:00:00Z',
  '2026-01-00T12:00:00Z',
  '2026-01-32T12:00:00Z',
  '2026-11-20T24:00:00Z',
  '2026-11-20T23:60:00Z',
  '2026-11-20T23:59:60Z',
  '2026-11-20T23:59:60.5Z',
  '2026-11-20T22:59:60Z',
  '2026-11-20T23:59:61Z',
  '2026-11-20T12:00:00+01:00',
  '2026-11-20T00:59:60+01:00',
  '2026-11-20T12:00:00-05:30',
  '2026-11-20T12:00:00+0100',
  '2026-11-20T12:00:00+24:00',
  '2026-11-20t12:00:00z',
  '2026-11-20 12:00:00Z',
  '2026-11-20X12:00:00Z',
  '2026-11-20T12-00-00Z',
  '2026-11-20T12:00:00.123x',
  '2026-11-20T12:00:00',
  '2026-11-20T12:00Z',
  '2026-11-20T12:00:00.Z',
  '2026-11-20',
  '20261120T120000Z',
  '2026-11-20T12:00:00ZZ',
  ' 2026-11-20T12:00:00Z',
  '2026-11-20T12:00:00Z\n',
  '+2026-11-20T12:00:00Z',
  '٢٠٢٦-11-20T12:00:00Z',
  '',
  'yesterday',
];

describe('isDateTime', () => {
  it.each(CASES)('answers %j as ajv-formats does', (value) => {
    expect(isDateTime(value)).toBe(reference(value));
  });

  it('agrees with ajv-formats on every instant of a stepped walk through four years, in both forms', () => {
    let disagreements = 0;
    let checked = 0;
    for (let ms = Date.UTC(2023, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7_777_777) {
      const iso = new Date(ms).toISOString();
      for (const value of [iso, iso.replace('.', ':').slice(0, 19) + 'Z']) {
        checked++;
        if (isDateTime(value) !== reference(value)) disagreements++;
      }
    }
    expect(checked).toBeGreaterThan(30_000);
    expect(disagreements).toBe(0);
  });

  it('keeps refusing what the canonical schema refused: a day that does not exist, a time with no zone', () => {
    const good = normalize({ event_type: 'click', user_id: 'u', session_id: 's' }, { receivedAt: fixtures.FIXTURE_RECEIVED_AT });
    if (!good.ok) throw new Error('rejected');
    const event = good.event;
    expect(validateCanonicalEvent({ ...event, event_time: '2026-02-29T12:00:00Z' }).ok).toBe(false);
    expect(validateCanonicalEvent({ ...event, received_at: '2026-11-20T12:00:00' }).ok).toBe(false);
    expect(validateCanonicalEvent({ ...event, event_time: '2026-11-20T23:59:60Z' }).ok).toBe(true);
  });
});
