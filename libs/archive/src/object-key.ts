// The raw archive's object keys: a function of the partition and offsets, so a replay after a
// crash rewrites the same object instead of adding a duplicate (shared/DESIGN.md "Raw archive").

export interface RawObjectRef {
  topic: string;
  partition: number;
  /** 64-bit offsets, as decimal strings. */
  firstOffset: string;
  lastOffset: string;
  /** `received_at` of the first record: picks the dt=/hour= folder (UTC). */
  receivedAt: Date;
}

const KEY = /^raw\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/(.+)-p(\d+)-(\d+)-(\d+)\.ndjson\.gz$/;
const OFFSET = /^\d{1,19}$/;

export function rawObjectKey(ref: RawObjectRef): string {
  if (!Number.isInteger(ref.partition) || ref.partition < 0) throw new RangeError(`partition ${ref.partition} is not a partition number`);
  for (const o of [ref.firstOffset, ref.lastOffset]) if (!OFFSET.test(o)) throw new RangeError(`offset "${o}" is not a 64-bit offset`);
  if (BigInt(ref.firstOffset) > BigInt(ref.lastOffset)) throw new RangeError(`first offset ${ref.firstOffset} is after last ${ref.lastOffset}`);
  const iso = ref.receivedAt.toISOString();
  return `raw/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/${ref.topic}-p${ref.partition}-${ref.firstOffset}-${ref.lastOffset}.ndjson.gz`;
}

/** The parts of a raw object key, or undefined for a key that is not one. */
export function parseRawObjectKey(key: string): { date: string; hour: number; topic: string; partition: number; firstOffset: string; lastOffset: string } | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  return { date: m[1], hour: Number(m[2]), topic: m[3], partition: Number(m[4]), firstOffset: m[5], lastOffset: m[6] };
}

/** The listing prefix of one UTC day (and optionally hour). */
export function rawPrefix(date: string, hour?: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`date "${date}" is not YYYY-MM-DD`);
  return hour === undefined ? `raw/dt=${date}/` : `raw/dt=${date}/hour=${String(hour).padStart(2, '0')}/`;
}
