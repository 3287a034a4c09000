// The canonical event, version 1: the value of every Kafka message and every archive line.

import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType } from '../event-types';
import { LIMITS } from '../limits';

const Id = Type.String({ minLength: 1, maxLength: LIMITS.idLength });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601, UTC' });
const Uuid = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'lower-case UUID',
});

export const PageSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: LIMITS.urlLength })),
    path: Type.Optional(Type.String({ maxLength: LIMITS.pathLength })),
    title: Type.Optional(Type.String({ maxLength: LIMITS.titleLength })),
    referrer: Type.Optional(Type.String({ maxLength: LIMITS.urlLength })),
  },
  { additionalProperties: false },
);

export const OrderItemSchema = Type.Object(
  {
    product_id: Id,
    name: Type.Optional(Type.String({ maxLength: LIMITS.titleLength })),
    category: Type.Optional(Type.String({ maxLength: LIMITS.titleLength })),
    price: Type.Number({ minimum: 0 }),
    quantity: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    order_id: Id,
    amount: Type.Number({ minimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    payment_method: Type.Optional(Type.String({ maxLength: 64 })),
    items: Type.Optional(Type.Array(OrderItemSchema, { maxItems: LIMITS.orderItems })),
  },
  { additionalProperties: false },
);

const UtmField = Type.Optional(Type.String({ maxLength: 256 }));

export const ContextSchema = Type.Object(
  {
    user_agent: Type.Optional(Type.String({ maxLength: LIMITS.userAgentLength })),
    ip: Type.Optional(Type.String({ maxLength: LIMITS.ipLength, description: 'anonymised: IPv4 /24, IPv6 /48' })),
    browser: Type.Optional(Type.String()),
    os: Type.Optional(Type.String()),
    device_type: Type.Optional(Type.String()),
    is_bot: Type.Boolean(),
    country: Type.Optional(Type.String()),
    city: Type.Optional(Type.String()),
    referrer_domain: Type.Optional(Type.String()),
    utm: Type.Optional(
      Type.Object(
        { source: UtmField, medium: UtmField, campaign: UtmField, term: UtmField, content: UtmField },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CanonicalEventSchema = Type.Object(
  {
    schema_version: Type.Literal(1),
    event_id: Uuid,
    event_type: Type.Unsafe<EventType>({ type: 'string', enum: [...EVENT_TYPES] }),
    event_name: Type.Optional(Type.String({ maxLength: LIMITS.eventNameLength })),
    site_id: Id,
    user_id: Id,
    session_id: Id,
    event_time: Timestamp,
    received_at: Timestamp,
    client_time: Type.Optional(Timestamp),
    sent_at: Type.Optional(Timestamp),
    page: Type.Optional(PageSchema),
    button_id: Type.Optional(Type.String({ maxLength: LIMITS.buttonIdLength })),
    scroll_depth: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    order: Type.Optional(OrderSchema),
    context: ContextSchema,
    props: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  {
    $id: 'urn:clickstream:event:v1',
    title: 'Clickstream canonical event v1',
    additionalProperties: false,
  },
);

export type CanonicalEvent = Static<typeof CanonicalEventSchema>;
export type EventPage = Static<typeof PageSchema>;
export type EventOrder = Static<typeof OrderSchema>;
export type EventOrderItem = Static<typeof OrderItemSchema>;
export type EventContext = Static<typeof ContextSchema>;
