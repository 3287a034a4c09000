import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { fixtures, JSON_SCHEMAS, normalize, toJsonSchema, validateCanonicalEvent } from './index';

// The published .json schemas must work in a plain ajv, with nothing from this package.
function plainAjv() {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const schema of Object.values(JSON_SCHEMAS)) ajv.addSchema(toJsonSchema(schema));
  return ajv;
}

function compiled(ajv: Ajv, id: string) {
  const validate = ajv.getSchema(id);
  if (validate === undefined) throw new Error(`no schema ${id}`);
  return validate;
}

describe('published JSON Schemas', () => {
  it('are plain JSON with an $id each', () => {
    for (const [name, schema] of Object.entries(JSON_SCHEMAS)) {
      const json = toJsonSchema(schema);
      expect(typeof json['$id']).toBe('string');
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
      expect(name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('accept every valid fixture as input and every normalised event as canonical', () => {
    const ajv = plainAjv();
    const input = compiled(ajv, 'urn:clickstream:input:event');
    const canonical = compiled(ajv, 'urn:clickstream:event:v1');
    for (const fixture of fixtures.validInputs) {
      expect(input(fixture.input)).toBe(true);
      const result = normalize(fixture.input, { receivedAt: fixtures.FIXTURE_RECEIVED_AT });
      expect(result.ok && canonical(result.event)).toBe(true);
    }
  });

  it('validate a batch through its $ref to the event input', () => {
    const batch = compiled(plainAjv(), 'urn:clickstream:input:batch');
    expect(batch({ events: [{ event_type: 'click', user_id: 'u', session_id: 's' }] })).toBe(true);
    expect(batch({ events: [{ event_type: 'click', session_id: 's' }] })).toBe(false);
    expect(batch({ events: [] })).toBe(false);
  });

  it('describe seed 004 bodies', () => {
    const seed004 = compiled(plainAjv(), 'urn:clickstream:input:seed004');
    const seedFixtures = fixtures.validInputs.filter((f) => f.name.startsWith('seed 004'));
    expect(seedFixtures.length).toBeGreaterThanOrEqual(3);
    for (const f of seedFixtures) expect(seed004(f.input)).toBe(true);
    expect(seed004({ event_type: 'click', user_id: 'u', session_id: 's' })).toBe(false);
  });
});

describe('validateCanonicalEvent', () => {
  const good = normalize({ event_type: 'click', user_id: 'u', session_id: 's' }, { receivedAt: fixtures.FIXTURE_RECEIVED_AT });

  it.each([
    ['an unknown field', { extra: 1 }, '/extra'],
    ['a bad event type', { event_type: 'page_visited' }, '/event_type'],
    ['a time that is not a date-time', { event_time: 'yesterday' }, '/event_time'],
    ['a missing is_bot', { context: {} }, '/context/is_bot'],
    ['a lower-case currency', { order: { order_id: 'o', amount: 1, currency: 'usd' } }, '/order/currency'],
  ])('rejects %s', (_name, patch, path) => {
    if (!good.ok) throw new Error('rejected');
    const result = validateCanonicalEvent({ ...good.event, ...patch });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.path)).toContain(path);
  });
});
