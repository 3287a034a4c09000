// Fixed-window request counters per client address and per write key (429 when over). In memory
// per instance: behind a load balancer each replica enforces its share.

export interface RateLimiter {
  /** Counts one request; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, nowMs?: number): number;
}

export function createRateLimiter(perMinute: number, windowMs = 60_000): RateLimiter {
  if (perMinute <= 0) return { hit: () => 0 };
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    hit(key, nowMs = Date.now()) {
      if (nowMs - windowStart >= windowMs) {
        // A new window: dropping the old map also forgets idle clients.
        windowStart = nowMs - (nowMs % windowMs);
        counts = new Map();
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n > perMinute ? Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000)) : 0;
    },
  };
}
