import { copyJsonField, copyTextField, jsonForPostgres } from './copy-text';

describe('COPY text encoding', () => {
  it('writes NULL as \\N and booleans and numbers as PostgreSQL reads them', () => {
    expect([null, undefined, true, false, 0, 12.5, -3].map(copyTextField)).toEqual(['\\N', '\\N', 't', 'f', '0', '12.5', '-3']);
  });

  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(copyTextField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyTextField('\\N')).toBe('\\\\N');
    expect(copyTextField('\\.')).toBe('\\\\.');
    expect(copyTextField('"quoted", \'single\' ; 日本語 🎉')).toBe('"quoted", \'single\' ; 日本語 🎉');
    expect(copyTextField('')).toBe('');
  });

  it('replaces NUL, which PostgreSQL text cannot hold', () => {
    expect(copyTextField('a\0b')).toBe('a\uFFFDb');
  });

  it('makes JSON that jsonb accepts: no \\u0000, no unpaired surrogates, in values or keys', () => {
    const value = { ['k\0']: 'v\0', lone: 'x\uD800y', pair: '🎉', list: ['\uDC00'] };
    const json = jsonForPostgres(value);
    expect(json).not.toMatch(/\\u0000|\\ud[89a-f]/i);
    expect(JSON.parse(json)).toEqual({ ['k\uFFFD']: 'v\uFFFD', lone: 'x\uFFFDy', pair: '🎉', list: ['\uFFFD'] });
    expect(jsonForPostgres({ a: 'plain \\u0000 text' })).toBe(JSON.stringify({ a: 'plain \\u0000 text' }));
  });

  it('writes JSON as one field: its backslashes doubled, no raw tabs or newlines', () => {
    const field = copyJsonField({ s: 'tab\tnl\n"q"\\' });
    expect(field).toBe('{"s":"tab\\\\tnl\\\\n\\\\"q\\\\"\\\\\\\\"}');
    expect(field).not.toMatch(/[\t\n\r]/);
  });
});
