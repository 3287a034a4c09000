// The funnel builder's steps and their `steps=` form (api-types FunnelStepRow): comma-separated
// `event_type` or `event_type:value`, 2 to 8 of them, split at the first colon.

/** The canonical event types (libs/event-schema EVENT_TYPES; repeated here so the bundle does not pull the validators). */
export const EVENT_TYPES = ['page_view', 'page_close', 'click', 'scroll', 'purchase', 'session_start', 'session_end', 'custom'] as const;

export const MIN_STEPS = 2;
export const MAX_STEPS = 8;
const MAX_VALUE_LENGTH = 200;

export interface FunnelStep {
  eventType: string;
  /** Path for page_view, button id for click, event name for custom, else path; '' = any. */
  value: string;
}

export const DEFAULT_STEPS: FunnelStep[] = [
  { eventType: 'page_view', value: '/' },
  { eventType: 'click', value: '' },
  { eventType: 'purchase', value: '' },
];

/** What the value of a step of this type matches, for the input's label. */
export function valueLabel(eventType: string): string {
  switch (eventType) {
    case 'click':
      return 'button id';
    case 'custom':
      return 'event name';
    default:
      return 'path';
  }
}

export function serializeSteps(steps: readonly FunnelStep[]): string {
  return steps.map((s) => (s.value.trim() ? `${s.eventType}:${s.value.trim()}` : s.eventType)).join(',');
}

/** The steps of a `steps=` value; undefined when it is absent or not a valid list. */
export function parseSteps(param: string | null | undefined): FunnelStep[] | undefined {
  if (!param) return undefined;
  const steps = param.split(',').map((part) => {
    const colon = part.indexOf(':');
    return colon < 0 ? { eventType: part.trim(), value: '' } : { eventType: part.slice(0, colon).trim(), value: part.slice(colon + 1).trim() };
  });
  return validateSteps(steps) === null ? steps : undefined;
}

/** Why the steps cannot be sent, or null when they can. */
export function validateSteps(steps: readonly FunnelStep[]): string | null {
  if (steps.length < MIN_STEPS) return `A funnel needs at least ${MIN_STEPS} steps.`;
  if (steps.length > MAX_STEPS) return `A funnel has at most ${MAX_STEPS} steps.`;
  for (const [i, s] of steps.entries()) {
    if (!(EVENT_TYPES as readonly string[]).includes(s.eventType)) return `Step ${i + 1}: choose an event type.`;
    if (s.value.includes(',')) return `Step ${i + 1}: the value cannot contain a comma.`;
    if (s.value.length > MAX_VALUE_LENGTH) return `Step ${i + 1}: the value is longer than ${MAX_VALUE_LENGTH} characters.`;
  }
  return null;
}
