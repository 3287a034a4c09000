// Turns a Kafka message value into a canonical event, or says why it is poison (not UTF-8 JSON,
// or not a canonical event), so both pipelines sort messages the same way.

import { validateCanonicalEvent, type CanonicalEvent } from '@clickstream/event-schema';

export type DecodedEvent =
  | { ok: true; event: CanonicalEvent; /** the message value as text: the archive line */ line: string }
  | { ok: false; code: 'empty' | 'not_json' | 'invalid_event'; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeEvent(value: Buffer | null): DecodedEvent {
  if (value === null || value.length === 0) return { ok: false, code: 'empty', message: 'the message has no value' };
  let line: string;
  let parsed: unknown;
  try {
    line = decoder.decode(value);
    parsed = JSON.parse(line);
  } catch (err) {
    return { ok: false, code: 'not_json', message: `the value is not UTF-8 JSON: ${(err as Error).message}` };
  }
  const result = validateCanonicalEvent(parsed);
  if (!result.ok) {
    const first = result.errors.slice(0, 3).map((e) => `${e.path || '/'} ${e.message}`);
    return { ok: false, code: 'invalid_event', message: `not a canonical event: ${first.join('; ')}` };
  }
  // An archive line is one line: JSON.parse accepted it, so a raw newline can only be whitespace
  // between tokens; re-serialise such a value rather than split it across lines.
  if (line.includes('\n') || line.includes('\r')) line = JSON.stringify(result.event);
  return { ok: true, event: result.event, line };
}
