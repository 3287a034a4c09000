// Write keys: which site an event belongs to. With none configured, ingest runs in dev mode and
// every event goes to site "default".

export interface WriteKeys {
  /** Dev mode: no keys configured, no key checked. */
  readonly open: boolean;
  /** The site of a key, or undefined for an unknown key. */
  siteFor(key: string | undefined): string | undefined;
}

export function parseWriteKeys(value: string | undefined): WriteKeys {
  if (!value) return { open: true, siteFor: () => 'default' };
  const sites = new Map<string, string>();
  for (const pair of value.split(',')) {
    const [site, key] = pair.split(':');
    if (!site || !key) throw new Error(`WRITE_KEYS entry "${pair}" is not site:key`);
    if (sites.has(key)) throw new Error(`WRITE_KEYS lists the key of site "${site}" twice`);
    sites.set(key, site);
  }
  return { open: false, siteFor: (key) => (key === undefined ? undefined : sites.get(key)) };
}
