// The live feed's counting, as plain data in and out (no Kafka, no timers): events are recorded as
// they arrive, and each tick closes one slot — "the last second" is the time between two ticks of
// the feed's 1 s timer, so every event lands in exactly one slot however late a tick fires.

import type { CanonicalEvent } from '@clickstream/event-schema';
import type { LiveEvent, LiveTick } from '../../shared/api-types';

export interface LiveFilter {
  /** Only this site's events; all sites when absent. */
  site?: string;
}

/** The canonical event cut down to what the live feed shows. */
export function toLiveEvent(event: CanonicalEvent): LiveEvent {
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    event_name: event.event_name ?? null,
    site_id: event.site_id,
    user_id: event.user_id,
    session_id: event.session_id,
    event_time: event.event_time,
    received_at: event.received_at,
    path: event.page?.path ?? null,
    button_id: event.button_id ?? null,
    country: event.context?.country ?? null,
    device_type: event.context?.device_type ?? null,
  };
}

interface Counts {
  total: number;
  byType: Map<string, number>;
}

interface Slot extends Counts {
  bySite: Map<string, Counts>;
}

interface Recent {
  seq: number;
  event: LiveEvent;
}

/** One tick's results; view() gives what a subscriber with that filter is sent. */
export interface LiveFrame {
  readonly at: string;
  view(filter?: LiveFilter): LiveTick;
}

export interface LiveCounterOptions {
  /** Most recent events per tick (and per site); default 50. */
  recentLimit?: number;
  /** Slots kept for `per_second`; default 60. */
  windowSlots?: number;
}

const newCounts = (): Counts => ({ total: 0, byType: new Map() });
const newSlot = (): Slot => ({ ...newCounts(), bySite: new Map() });

function add(counts: Counts, type: string): void {
  counts.total++;
  counts.byType.set(type, (counts.byType.get(type) ?? 0) + 1);
}

export class LiveCounter {
  private readonly recentLimit: number;
  private readonly windowSlots: number;
  private current: Slot = newSlot();
  /** Closed slots, oldest first, at most windowSlots. */
  private readonly history: Slot[] = [];
  private total = 0;
  private readonly totalBySite = new Map<string, number>();
  /** Events since the last tick, per site, each list capped at recentLimit (oldest dropped). */
  private pending = new Map<string, Recent[]>();
  private seq = 0;

  constructor(options: LiveCounterOptions = {}) {
    this.recentLimit = options.recentLimit ?? 50;
    this.windowSlots = options.windowSlots ?? 60;
    if (!Number.isInteger(this.recentLimit) || this.recentLimit < 0) throw new RangeError(`recentLimit must be a non-negative integer, got ${this.recentLimit}`);
    if (!Number.isInteger(this.windowSlots) || this.windowSlots < 1) throw new RangeError(`windowSlots must be a positive integer, got ${this.windowSlots}`);
  }

  /** Events recorded since the counter was made. */
  get eventsSinceStart(): number {
    return this.total;
  }

  record(event: LiveEvent): void {
    const site = event.site_id;
    add(this.current, event.event_type);
    let siteCounts = this.current.bySite.get(site);
    if (!siteCounts) this.current.bySite.set(site, (siteCounts = newCounts()));
    add(siteCounts, event.event_type);
    this.total++;
    this.totalBySite.set(site, (this.totalBySite.get(site) ?? 0) + 1);
    if (this.recentLimit === 0) return;
    let recent = this.pending.get(site);
    if (!recent) this.pending.set(site, (recent = []));
    recent.push({ seq: this.seq++, event });
    // Trimmed in bulk, so a burst costs O(1) per event rather than a shift() each.
    if (recent.length >= 2 * this.recentLimit) recent.splice(0, recent.length - this.recentLimit);
  }

  /** Closes the current slot and the recent-events window; `atMs` only stamps the frame. */
  tick(atMs: number): LiveFrame {
    this.history.push(this.current);
    if (this.history.length > this.windowSlots) this.history.splice(0, this.history.length - this.windowSlots);
    this.current = newSlot();
    const pending = this.pending;
    this.pending = new Map();
    // Snapshots, so a frame's views do not change when more events are recorded after the tick.
    const slots = [...this.history];
    const total = this.total;
    const totalBySite = new Map(this.totalBySite);
    const at = new Date(atMs).toISOString();
    const { windowSlots, recentLimit } = this;

    return {
      at,
      view(filter: LiveFilter = {}): LiveTick {
        const site = filter.site;
        const countsOf = (slot: Slot): Counts | undefined => (site === undefined ? slot : slot.bySite.get(site));
        const perSecond = new Array<number>(windowSlots - slots.length).fill(0);
        for (const slot of slots) perSecond.push(countsOf(slot)?.total ?? 0);
        const last = countsOf(slots[slots.length - 1]);
        let recent: Recent[];
        if (site === undefined) recent = [...pending.values()].flat().sort((a, b) => b.seq - a.seq);
        else recent = [...(pending.get(site) ?? [])].reverse();
        return {
          type: 'tick',
          at,
          events_last_second: last?.total ?? 0,
          by_type_last_second: Object.fromEntries(last?.byType ?? []),
          events_since_start: site === undefined ? total : (totalBySite.get(site) ?? 0),
          per_second: perSecond,
          recent: recent.slice(0, recentLimit).map((r) => r.event),
        };
      },
    };
  }
}
