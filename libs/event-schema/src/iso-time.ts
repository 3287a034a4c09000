// A fast Date#toISOString for the hot path: the date part is cached per UTC day, the time of day
// is formatted by hand. Output is identical to toISOString() for years 0–9999.

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedPrefix = '';

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

export function isoString(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const date = new Date(day * DAY_MS).toISOString();
    if (date.length !== 24) return new Date(ms).toISOString(); // outside years 0–9999
    cachedDay = day;
    cachedPrefix = date.slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return (
    cachedPrefix +
    pad2(hours) + ':' + pad2(minutes) + ':' + pad2(seconds) + '.' +
    (millis < 10 ? '00' + millis : millis < 100 ? '0' + millis : '' + millis) + 'Z'
  );
}
