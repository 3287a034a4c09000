// PostgreSQL COPY text format: one line per row, tab-separated, `\N` for NULL, and backslash
// escapes for backslash, tab, newline and carriage return. NUL cannot be stored in text or jsonb,
// so it becomes U+FFFD, as unpaired surrogates do.

export type CopyValue = string | number | boolean | null | undefined;

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

/** One field of a COPY text line. (Unpaired surrogates are left to UTF-8 encoding, which writes U+FFFD.) */
export function copyTextField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

// JSON.stringify writes NUL and unpaired surrogates as \u escapes, which jsonb refuses.
const JSON_UNSTORABLE = /\\u0000|\\ud[89a-f]/i;

/** A JSON value as jsonb will accept it: JSON text with NUL and unpaired surrogates replaced by U+FFFD. */
export function jsonForPostgres(value: unknown): string {
  const json = JSON.stringify(value);
  return JSON_UNSTORABLE.test(json) ? JSON.stringify(storable(value)) : json;
}

function storableString(s: string): string {
  return s.replaceAll('\0', '\uFFFD').toWellFormed();
}

function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storableString(k)] = storable(v);
    return out;
  }
  return value;
}

/** A JSON value as one COPY text field: its JSON text has no raw tabs or newlines, only backslashes to double. */
export function copyJsonField(value: unknown): string {
  const json = jsonForPostgres(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/**
 * JSON text that parses to `value` (as read from the archive) as one COPY text field: kept as it is,
 * with COPY's escapes, unless it holds NUL or unpaired surrogates, which jsonb would refuse — then
 * `value` is written as copyJsonField writes it.
 */
export function copyJsonTextField(json: string, value: unknown): string {
  return JSON_UNSTORABLE.test(json) ? copyJsonField(value) : copyTextField(json);
}
