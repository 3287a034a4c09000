import { fixtures, normalize, normalizeBatch, validateCanonicalEvent, LIMITS, type NormalizeContext } from './index';

const ctx: NormalizeContext = {
  receivedAt: fixtures.FIXTURE_RECEIVED_AT,
  ip: '203.0.113.77',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) HeaderAgent',
};

describe('normalize: valid inputs', () => {
  it.each(fixtures.validInputs.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const before = JSON.stringify(fixture.input);
    const result = normalize(fixture.input, ctx);
    if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.errors)}`);
    expect(result.event).toMatchObject(fixture.expect);
    // The output is a valid canonical event, and the input was not touched.
    expect(validateCanonicalEvent(result.event)).toEqual({ ok: true, event: result.event });
    expect(JSON.stringify(fixture.input)).toBe(before);
  });

  it('never writes the raw client address anywhere in the event', () => {
    for (const fixture of fixtures.validInputs) {
      const result = normalize(fixture.input, ctx);
      expect(result.ok).toBe(true);
      const json = JSON.stringify(result);
      expect(json).not.toContain('203.0.113.77');
      expect(json).not.toContain('192.168.1.1"');
    }
  });

  it('reads path, referrer domain and UTM the same from a remembered URL, and gives each event its own utm object', () => {
    const input = (n: number) => ({
      event_type: 'page_view',
      user_id: `u${n}`,
      session_id: 's',
      page: { url: 'https://shop.example/p/1?utm_source=news&utm_campaign=spring', referrer: 'https://www.search.example/q?x=1' },
    });
    const first = normalize(input(1), ctx);
    const second = normalize(input(2), ctx);
    if (!first.ok || !second.ok) throw new Error('rejected');
    for (const e of [first.event, second.event]) {
      expect(e.page?.path).toBe('/p/1');
      expect(e.context.referrer_domain).toBe('search.example');
      expect(e.context.utm).toEqual({ source: 'news', campaign: 'spring' });
    }
    (first.event.context.utm as Record<string, string>)['source'] = 'changed';
    expect(second.event.context.utm?.source).toBe('news');
    const third = normalize(input(3), ctx);
    expect(third.ok && third.event.context.utm?.source).toBe('news');
    // a URL too long to remember is read the same way
    const long = `https://shop.example/${'a'.repeat(600)}?utm_medium=email`;
    const fourth = normalize({ ...input(4), page: { url: long } }, ctx);
    expect(fourth.ok && [fourth.event.page?.path, fourth.event.context.utm]).toEqual([`/${'a'.repeat(600)}`, { medium: 'email' }]);
  });

  it('makes a UUIDv7 id when the client sends none, and keeps a client id (lower-cased)', () => {
    const a = normalize({ event_type: 'click', user_id: 'u', session_id: 's' }, ctx);
    const b = normalize({ event_type: 'click', user_id: 'u', session_id: 's' }, ctx);
    if (!a.ok || !b.ok) throw new Error('rejected');
    expect(a.event.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.event.event_id).not.toBe(b.event.event_id);
    const c = normalize({ event_type: 'click', user_id: 'u', session_id: 's', event_id: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' }, ctx);
    expect(c.ok && c.event.event_id).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
  });

  it('uses the id maker it is given, so output is deterministic', () => {
    const input = { event_type: 'page_view', user_id: 'u', session_id: 's', page_path: '/a' };
    const one = normalize(input, { ...ctx, newEventId: () => '00000000-0000-7000-8000-000000000001' });
    const two = normalize(input, { ...ctx, newEventId: () => '00000000-0000-7000-8000-000000000001' });
    expect(one).toEqual(two);
  });

  it("prefers the event's own user agent and address over the request's", () => {
    const own = normalize({ type: 'click', user_id: 'u', session_id: 's', user_agent: 'Forwarded/1.0', ip_address: '198.51.100.9' }, ctx);
    expect(own.ok && own.event.context).toEqual({ user_agent: 'Forwarded/1.0', ip: '198.51.100.0', is_bot: false });
    const header = normalize({ type: 'click', user_id: 'u', session_id: 's' }, ctx);
    expect(header.ok && header.event.context).toEqual({ user_agent: ctx.userAgent, ip: '203.0.113.0', is_bot: false });
  });

  it('takes site_id from the context, never from the client', () => {
    const result = normalize({ event_type: 'click', user_id: 'u', session_id: 's', site_id: 'other' }, { ...ctx, siteId: 'shop' });
    expect(result.ok && result.event.site_id).toBe('shop');
    expect(result.ok && result.event.props).toBeUndefined();
  });

  it('drops a write_key sent in the body instead of keeping it in props', () => {
    const result = normalize({ event_type: 'click', user_id: 'u', session_id: 's', write_key: 'secret' }, ctx);
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('keeps order fields of non-purchase events in props', () => {
    const result = normalize({ event_type: 'add_to_cart', user_id: 'u', session_id: 's', amount: 5, items: ['a'] }, ctx);
    expect(result.ok && result.event).toMatchObject({ event_type: 'custom', event_name: 'add_to_cart', props: { amount: 5, items: ['a'] } });
    expect(result.ok && result.event.order).toBeUndefined();
  });

  it('accepts an event just under 32 KB and rejects one just over', () => {
    const base = normalize({ event_type: 'click', user_id: 'u', session_id: 's', props: { pad: '' } }, { ...ctx, newEventId: () => '00000000-0000-7000-8000-000000000001' });
    if (!base.ok) throw new Error('rejected');
    const room = LIMITS.eventBytes - Buffer.byteLength(JSON.stringify(base.event));
    const fits = normalize({ event_type: 'click', user_id: 'u', session_id: 's', props: { pad: 'x'.repeat(room) } }, { ...ctx, newEventId: () => '00000000-0000-7000-8000-000000000001' });
    expect(fits.ok).toBe(true);
    const over = normalize({ event_type: 'click', user_id: 'u', session_id: 's', props: { pad: 'x'.repeat(room + 1) } }, { ...ctx, newEventId: () => '00000000-0000-7000-8000-000000000001' });
    expect(over.ok).toBe(false);
  });
});

describe('normalize: invalid inputs', () => {
  it.each(fixtures.invalidInputs.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const result = normalize(fixture.input, ctx);
    if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.event)}`);
    expect(result.errors[0].path).toBe(fixture.error.path);
    expect(result.errors[0].message).toContain(fixture.error.message);
  });

  it('reports every problem of an input, not just the first', () => {
    const result = normalize({ event_type: 'click', user_id: 1, session_id: 2, scroll_depth: 101 }, ctx);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.path).sort()).toEqual(['/scroll_depth', '/session_id', '/user_id']);
  });

  it('does not pollute Object.prototype whatever it is given', () => {
    for (const fixture of fixtures.invalidInputs) normalize(fixture.input, ctx);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses a context without a valid receive time (a programming error, not bad input)', () => {
    expect(() => normalize({ event_type: 'click', user_id: 'u', session_id: 's' }, { receivedAt: 'not a time' })).toThrow(TypeError);
  });
});

describe('normalizeBatch', () => {
  it('normalises each item on its own: bad items fail, good ones pass', () => {
    const result = normalizeBatch(
      { events: [{ event_type: 'click', user_id: 'u', session_id: 's' }, { event_type: 'click', session_id: 's' }] },
      ctx,
    );
    if (!result.ok) throw new Error('envelope rejected');
    expect(result.results.map((r) => r.ok)).toEqual([true, false]);
    expect(!result.results[1].ok && result.results[1].errors[0]).toEqual({ path: '/user_id', message: 'is required' });
  });

  it("applies the batch's sent_at to items for skew correction; an item's own wins", () => {
    const result = normalizeBatch(
      {
        sent_at: '2026-03-01T12:00:10Z',
        events: [
          { event_type: 'click', user_id: 'u', session_id: 's', client_time: '2026-03-01T12:00:00Z' },
          { event_type: 'click', user_id: 'u', session_id: 's', client_time: '2026-03-01T12:00:00Z', sent_at: '2026-03-01T12:00:01Z' },
        ],
      },
      ctx,
    );
    if (!result.ok) throw new Error('envelope rejected');
    const times = result.results.map((r) => r.ok && r.event.event_time);
    expect(times).toEqual(['2026-03-01T11:59:50.000Z', '2026-03-01T11:59:59.000Z']);
  });

  it('refuses a body over 512 KB when told its size, and accepts one at the limit', () => {
    const batch = { events: [{ event_type: 'click', user_id: 'u', session_id: 's' }] };
    const over = normalizeBatch(batch, ctx, { bodyBytes: LIMITS.batchBytes + 1 });
    expect(!over.ok && over.errors[0].message).toBe(`batch is ${LIMITS.batchBytes + 1} bytes; the limit is 524288`);
    expect(normalizeBatch(batch, ctx, { bodyBytes: LIMITS.batchBytes }).ok).toBe(true);
  });

  it('accepts a bare array (sendBeacon payloads)', () => {
    const result = normalizeBatch([{ event_type: 'click', user_id: 'u', session_id: 's' }], ctx);
    expect(result.ok && result.results.length).toBe(1);
  });

  it.each([
    ['an empty batch', { events: [] }, '/events', 'must NOT have fewer than 1 items'],
    ['a batch over 500 events', { events: Array.from({ length: 501 }, () => ({})) }, '/events', 'must NOT have more than 500 items'],
    ['events that is not an array', { events: {} }, '/events', 'must be array'],
    ['a batch without events', { sent_at: 1 }, '/events', 'is required'],
    ['an unknown envelope field', { events: [{}], extra: 1 }, '/extra', 'is not an allowed field'],
    ['a bad batch sent_at', { events: [{}], sent_at: 'soon' }, '/sent_at', 'ISO-8601'],
    ['a scalar', 42, '', 'must be a JSON object'],
  ])('rejects %s', (_name, input, path, message) => {
    const result = normalizeBatch(input, ctx);
    if (result.ok) throw new Error('accepted');
    expect(result.errors[0].path).toBe(path);
    expect(result.errors[0].message).toContain(message);
  });
});
