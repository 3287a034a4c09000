// @clickstream/event-schema — the Clickstream event contract: schemas, types, normalize(), fixtures.

export { EVENT_TYPES, EVENT_TYPE_ALIASES, CUSTOM_EVENT_NAME, resolveEventType, type EventType } from './event-types';
export { LIMITS } from './limits';
export {
  CanonicalEventSchema,
  ContextSchema,
  OrderSchema,
  OrderItemSchema,
  PageSchema,
  type CanonicalEvent,
  type EventContext,
  type EventOrder,
  type EventOrderItem,
  type EventPage,
} from './schemas/canonical-event';
export {
  BatchInputSchema,
  EventInputSchema,
  InputOrderSchema,
  Seed004InputSchema,
  type BatchInput,
  type EventInput,
  type Seed004Input,
} from './schemas/inputs';
export { JSON_SCHEMAS, toJsonSchema } from './schema-files';
export { validateCanonicalEvent, type FieldError } from './validators';
export { normalize, normalizeBatch, clientIpOf, type NormalizeContext, type NormalizeResult, type BatchResult } from './normalize';
export { anonymizeIp, isIpAddress } from './ip-address';
export * as fixtures from './fixtures';
