// What clients may send: one permissive input shape that covers every seed system's events
// (seed 001, seed 004, seed 000 and the canonical shape), a batch, and seed 004's documented shape.
// Unknown top-level fields are allowed here; normalize() moves them into `props`.

import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '../limits';

const Id = Type.String({ minLength: 1, maxLength: LIMITS.idLength });
const OptionalString = (maxLength: number, description?: string) =>
  Type.Optional(Type.String({ maxLength, ...(description ? { description } : {}) }));
const TimeInput = Type.Unsafe<string | number>({
  type: ['string', 'number'],
  maxLength: 64,
  description: 'ISO-8601 date-time with a zone, or epoch milliseconds (numbers below 1e11 are read as seconds)',
});
const Props = Type.Record(Type.String(), Type.Unknown(), {
  description: `custom properties, nested at most ${LIMITS.propsDepth} deep`,
});

const InputPage = Type.Object(
  {
    url: OptionalString(LIMITS.urlLength),
    path: OptionalString(LIMITS.pathLength),
    title: OptionalString(LIMITS.titleLength),
    referrer: OptionalString(LIMITS.urlLength),
  },
  { additionalProperties: false },
);

const InputOrderItem = Type.Object(
  {
    product_id: Type.Unsafe<string | number>({ type: ['string', 'number'], minLength: 1, maxLength: LIMITS.idLength }),
    name: OptionalString(LIMITS.titleLength),
    category: OptionalString(LIMITS.titleLength),
    price: Type.Number({ minimum: 0 }),
    quantity: Type.Optional(Type.Integer({ minimum: 1, description: 'default 1' })),
  },
  { additionalProperties: false },
);

const InputOrderFields = {
  order_id: Type.Unsafe<string | number>({ type: ['string', 'number'], minLength: 1, maxLength: LIMITS.idLength }),
  amount: Type.Number({ minimum: 0 }),
  currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217; default USD' })),
  payment_method: OptionalString(64),
  items: Type.Optional(Type.Array(InputOrderItem, { maxItems: LIMITS.orderItems })),
};

/**
 * An order. A `purchase` may also carry these fields at the top level (seed 000's shape);
 * normalize() gathers them into `order`.
 */
export const InputOrderSchema = Type.Object(InputOrderFields, { additionalProperties: false });
export const ORDER_FIELDS = Object.keys(InputOrderFields) as ReadonlyArray<keyof typeof InputOrderFields>;

/** One event as a client may send it. Either `event_type` or `type` is required. */
export const EventInputSchema = Type.Object(
  {
    schema_version: Type.Optional(Type.Literal(1)),
    event_id: Type.Optional(
      Type.String({
        pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
        description: 'client-made UUID: retries with the same id are counted once',
      }),
    ),
    event_type: OptionalString(LIMITS.eventNameLength, 'a canonical type, an alias, or a custom event name'),
    type: OptionalString(LIMITS.eventNameLength, 'seed 004 / seed 000 spelling of event_type'),
    event_name: OptionalString(LIMITS.eventNameLength, 'the name of a `custom` event'),
    user_id: Id,
    session_id: Id,
    event_time: Type.Optional(TimeInput),
    client_time: Type.Optional(TimeInput),
    timestamp: Type.Optional(TimeInput),
    sent_at: Type.Optional(TimeInput),
    page: Type.Optional(InputPage),
    url: OptionalString(LIMITS.urlLength),
    page_url: OptionalString(LIMITS.urlLength),
    path: OptionalString(LIMITS.pathLength),
    page_path: OptionalString(LIMITS.pathLength),
    title: OptionalString(LIMITS.titleLength),
    page_title: OptionalString(LIMITS.titleLength),
    referrer: OptionalString(LIMITS.urlLength),
    button_id: OptionalString(LIMITS.buttonIdLength),
    scroll_depth: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    order: Type.Optional(InputOrderSchema),
    user_agent: OptionalString(LIMITS.userAgentLength),
    ip_address: OptionalString(LIMITS.ipLength),
    ip: OptionalString(LIMITS.ipLength),
    context: Type.Optional(
      Type.Object({ user_agent: OptionalString(LIMITS.userAgentLength) }, { additionalProperties: true }),
    ),
    props: Type.Optional(Props),
    properties: Type.Optional(Props),
    metadata: Type.Optional(Props),
  },
  { $id: 'urn:clickstream:input:event', title: 'Clickstream event input', additionalProperties: true },
);

/** A batch: `{events, sent_at?}`. Each item is validated on its own; bad items do not sink the batch. */
export const BatchInputSchema = Type.Object(
  {
    events: Type.Array(Type.Ref('urn:clickstream:input:event'), { minItems: 1, maxItems: LIMITS.batchEvents }),
    sent_at: Type.Optional(TimeInput),
  },
  { $id: 'urn:clickstream:input:batch', title: 'Clickstream batch input', additionalProperties: false },
);

/** The envelope check normalizeBatch() runs before it looks at items one by one. */
export const BatchEnvelopeSchema = Type.Object(
  {
    events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: LIMITS.batchEvents }),
    sent_at: Type.Optional(TimeInput),
  },
  { additionalProperties: false },
);

/** Seed 004's `POST /event` body, accepted unchanged. */
export const Seed004InputSchema = Type.Object(
  {
    type: Type.String({ maxLength: LIMITS.eventNameLength, description: 'page_view, click, session or a custom name' }),
    user_id: Id,
    session_id: Id,
    url: OptionalString(LIMITS.urlLength),
    path: OptionalString(LIMITS.pathLength),
    referrer: OptionalString(LIMITS.urlLength),
    user_agent: OptionalString(LIMITS.userAgentLength),
    ip_address: OptionalString(LIMITS.ipLength),
    metadata: Type.Optional(Props),
  },
  { $id: 'urn:clickstream:input:seed004', title: 'Seed 004 event input', additionalProperties: true },
);

export type EventInput = Static<typeof EventInputSchema>;
export type BatchInput = { events: EventInput[]; sent_at?: string | number };
export type Seed004Input = Static<typeof Seed004InputSchema>;
