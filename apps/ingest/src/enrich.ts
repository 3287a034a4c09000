// Enrichment of a normalised event: browser, OS and device type from the user agent, the bot
// flag, and country/city from the full client address — which is used here and nowhere else.

import type { CanonicalEvent } from '@clickstream/event-schema';
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import type { GeoLookup } from './geo';

interface Agent {
  browser?: string;
  os?: string;
  device_type: string;
  is_bot: boolean;
}

export interface Enricher {
  enrich(event: CanonicalEvent, clientIp: string | undefined): void;
}

const CACHE_SIZE = 2000;

export function createEnricher(geo: GeoLookup | undefined): Enricher {
  // User agents repeat a lot; parsing one costs far more than a map lookup.
  const agents = new Map<string, Agent>();
  const parseAgent = (ua: string): Agent => {
    const hit = agents.get(ua);
    if (hit) return hit;
    const r = new UAParser(ua).getResult();
    const bot = isbot(ua);
    const agent: Agent = {
      browser: r.browser.name,
      os: r.os.name,
      device_type: bot ? 'bot' : (r.device.type ?? 'desktop'),
      is_bot: bot,
    };
    if (agents.size >= CACHE_SIZE) agents.delete(agents.keys().next().value as string);
    agents.set(ua, agent);
    return agent;
  };

  return {
    enrich(event, clientIp) {
      const ctx = event.context;
      if (ctx.user_agent) {
        const a = parseAgent(ctx.user_agent);
        if (a.browser) ctx.browser = a.browser;
        if (a.os) ctx.os = a.os;
        ctx.device_type = a.device_type;
        ctx.is_bot = a.is_bot;
      }
      if (geo && clientIp) {
        const place = geo.lookup(clientIp);
        if (place?.country) ctx.country = place.country;
        if (place?.city) ctx.city = place.city;
      }
    },
  };
}
