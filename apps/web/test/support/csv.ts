// What the CSV exports must make of a text value, stated here on its own (not taken from the route):
// text a spreadsheet would run as a formula — it starts with = + - @, a tab or a carriage return —
// comes back behind a leading quote mark; anything else as it is.
export const FORMULA_START = /^[=+\-@\t\r]/;

export function inertCsvText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
