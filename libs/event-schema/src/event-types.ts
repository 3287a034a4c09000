// The canonical event types, the aliases earlier systems used for them, and the rule that
// turns any other well-formed name into a `custom` event.

export const EVENT_TYPES = [
  'page_view',
  'page_close',
  'click',
  'scroll',
  'purchase',
  'session_start',
  'session_end',
  'custom',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Names used by the seed systems (and common SDKs) for the canonical types. */
export const EVENT_TYPE_ALIASES: Readonly<Record<string, EventType>> = Object.freeze({
  page_visited: 'page_view',
  view: 'page_view',
  pageview: 'page_view',
  button_clicked: 'click',
  session_created: 'session_start',
  session: 'session_start',
  session_ended: 'session_end',
  page_closed: 'page_close',
});

/** A custom event's name: what is not a type or an alias but matches this becomes `custom`. */
export const CUSTOM_EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

const canonical = new Set<string>(EVENT_TYPES);

export type ResolvedType = { event_type: EventType; event_name?: string } | undefined;

/**
 * Maps a name as sent by a client to the canonical type; `undefined` when the name is not
 * acceptable at all. `custom` itself needs an explicit `event_name`, which the caller passes.
 */
export function resolveEventType(name: string, explicitName?: string): ResolvedType {
  if (name === 'custom') {
    return explicitName !== undefined && CUSTOM_EVENT_NAME.test(explicitName)
      ? { event_type: 'custom', event_name: explicitName }
      : undefined;
  }
  if (canonical.has(name)) return { event_type: name as EventType };
  const alias = EVENT_TYPE_ALIASES[name];
  if (alias !== undefined) return { event_type: alias };
  if (CUSTOM_EVENT_NAME.test(name)) return { event_type: 'custom', event_name: name };
  return undefined;
}
