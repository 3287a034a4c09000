// A set of (site, UTC day) pairs: what a run collects from its loads and hands to the model rebuild.

import type { SiteDay } from '@clickstream/warehouse';

export class SiteDaySet {
  private readonly pairs = new Map<string, SiteDay>();

  add(...days: SiteDay[]): this {
    for (const d of days) this.pairs.set(`${d.siteId}\n${d.day}`, { siteId: d.siteId, day: d.day });
    return this;
  }

  addAll(days: Iterable<SiteDay>): this {
    for (const d of days) this.add(d);
    return this;
  }

  get size(): number {
    return this.pairs.size;
  }

  /** The pairs, ordered by site then day. */
  toArray(): SiteDay[] {
    return [...this.pairs.values()].sort((a, b) => (a.siteId === b.siteId ? a.day.localeCompare(b.day) : a.siteId < b.siteId ? -1 : 1));
  }
}
