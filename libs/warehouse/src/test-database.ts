// Guard for destructive test helpers: they only ever touch a database that is named as a test one.

/** Throws unless the URL's database name contains "test" (e.g. `test`, `clickstream_test`). */
export function assertTestDatabase(databaseUrl: string): string {
  let name: string;
  try {
    name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  } catch {
    throw new Error('refusing: the database URL cannot be parsed');
  }
  if (!/test/i.test(name)) {
    throw new Error(`refusing to run destructive test helpers against database "${name || '(none)'}": its name does not contain "test"`);
  }
  return name;
}
