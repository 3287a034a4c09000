import { normalize } from '@clickstream/event-schema';
import { ETL_REJECT_LINE_MAX_CHARS } from '@clickstream/warehouse';
import { decodeArchiveLine, storableText } from './decode-line';

const event = (() => {
  const result = normalize({ event_type: 'click', user_id: 'u1', session_id: 's1', button_id: 'buy' }, { receivedAt: '2026-01-10T10:00:00Z', siteId: 'site_a' });
  if (!result.ok) throw new Error('bad fixture');
  return result.event;
})();

describe('decodeArchiveLine', () => {
  it('accepts a canonical event', () => {
    expect(decodeArchiveLine(JSON.stringify(event))).toEqual({ ok: true, event });
  });

  it('rejects a line that is not JSON, saying so', () => {
    expect(decodeArchiveLine('{"event_type": ')).toEqual({ ok: false, reason: expect.stringMatching(/^not JSON: /) });
  });

  it('rejects JSON that is not a canonical event, naming the fields', () => {
    const decoded = decodeArchiveLine(JSON.stringify({ ...event, user_id: 7, event_type: 'teleport' }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.reason).toMatch(/^not a canonical event: /);
      expect(decoded.reason).toContain('/user_id');
    }
    expect(decodeArchiveLine('[1,2]')).toMatchObject({ ok: false });
  });
});

describe('storableText', () => {
  it('truncates to the reject limit and replaces NUL', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x'.repeat(ETL_REJECT_LINE_MAX_CHARS + 10))).toHaveLength(ETL_REJECT_LINE_MAX_CHARS);
  });

  it('never leaves half a surrogate pair', () => {
    const text = 'ab🎉cd';
    expect(storableText(text, 3)).toBe('ab');
    expect(storableText(text, 4)).toBe('ab🎉');
    expect(storableText('lone \uD800 high')).toBe('lone \uFFFD high');
  });
});
