import { fixtures, normalize } from '@clickstream/event-schema';
import { decodeEvent } from './decode-event';

function canonical() {
  const r = normalize(fixtures.validInputs[0].input, { receivedAt: new Date(fixtures.FIXTURE_RECEIVED_AT), siteId: 'default' });
  if (!r.ok) throw new Error('fixture did not normalise');
  return r.event;
}

describe('decodeEvent', () => {
  it('accepts a canonical event and keeps its text as the archive line', () => {
    const text = JSON.stringify(canonical());
    const decoded = decodeEvent(Buffer.from(text));
    expect(decoded).toMatchObject({ ok: true, line: text });
  });

  it('re-serialises a value that spans lines, so an archive line is one line', () => {
    const text = JSON.stringify(canonical(), null, 2);
    const decoded = decodeEvent(Buffer.from(text));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(decoded.line)).toEqual(JSON.parse(text));
  });

  it.each([
    ['an empty value', null, 'empty'],
    ['not JSON', Buffer.from('{"event_type":'), 'not_json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not_json'],
    ['JSON that is not an event', Buffer.from('{"hello":"world"}'), 'invalid_event'],
    ['an array', Buffer.from('[]'), 'invalid_event'],
  ])('calls %s poison', (_name, value, code) => {
    const decoded = decodeEvent(value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.code).toBe(code);
      expect(decoded.message.length).toBeGreaterThan(5);
    }
  });
});
