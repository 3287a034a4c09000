// Turns one archive line into a canonical event, or into the reason it is rejected (not JSON, or not
// a canonical event) with the line as it can be stored in etl_rejects.

import { validateCanonicalEvent, type CanonicalEvent } from '@clickstream/event-schema';
import { ETL_REJECT_LINE_MAX_CHARS } from '@clickstream/warehouse';

export type DecodedLine = { ok: true; event: CanonicalEvent } | { ok: false; reason: string };

export function decodeArchiveLine(line: string): DecodedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const result = validateCanonicalEvent(parsed);
  if (!result.ok) {
    const first = result.errors.slice(0, 3).map((e) => `${e.path || '/'} ${e.message}`);
    return { ok: false, reason: `not a canonical event: ${first.join('; ')}` };
  }
  return { ok: true, event: result.event };
}

/**
 * Text as PostgreSQL can store it, at most `max` characters: NUL and unpaired surrogates (which a
 * text column refuses) become U+FFFD, and the cut never splits a surrogate pair.
 */
export function storableText(text: string, max = ETL_REJECT_LINE_MAX_CHARS): string {
  let out = text.length > max ? text.slice(0, max) : text;
  // A cut between the two halves of a pair leaves a lone high surrogate at the end: drop it.
  if (out.length < text.length && /[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return out.replaceAll('\0', '\uFFFD').toWellFormed();
}
