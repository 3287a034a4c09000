// The validators' `date-time` format: ajv-formats' own check (RFC 3339 with a zone, leap seconds
// included), with a fast path in front for the form every stored timestamp has. Each canonical event
// carries two timestamps, and ajv-formats' check (a split, two regular expressions, a closure) was
// about half of what validating a whole event cost the stream consumers.

import type { FormatDefinition } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const full = fullFormats['date-time'] as FormatDefinition<string> & { validate: (value: string) => boolean };

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The digit at `i` (0–9), or -1 for any other character. */
function digit(value: string, i: number): number {
  const d = value.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The two-digit number at `i`, or -1 unless both characters are digits. */
function twoDigits(value: string, i: number): number {
  const a = digit(value, i);
  const b = digit(value, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * True for `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what toISOString() and the collector write) with a
 * real calendar date and a time of day below 24:00:00. Read character by character: this runs
 * twice per event in every stage that validates events.
 */
function isPlainUtcInstant(value: string): boolean {
  const n = value.length;
  if (n < 20 || value.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return false;
  if (n > 20) {
    // a fraction: '.' and at least one digit, up to the Z
    if (value[19] !== '.' || n === 21) return false;
    for (let i = 20; i < n - 1; i++) if (digit(value, i) < 0) return false;
  }
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 && isLeapYear(century * 100 + yy) ? 29 : DAYS_IN_MONTH[month];
  return day <= days && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/**
 * True exactly when ajv-formats' `date-time` is. A plain UTC instant is answered here; anything else
 * (an offset, a leap second, a lower-case t or z, a space for the T) goes to ajv-formats.
 */
export function isDateTime(value: string): boolean {
  return isPlainUtcInstant(value) || full.validate(value);
}

/** The format as ajv takes it: the fast check, with ajv-formats' comparison for formatMinimum and the like. */
export const DATE_TIME_FORMAT: FormatDefinition<string> = { type: 'string', validate: isDateTime, compare: full.compare };
