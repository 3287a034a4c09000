// The contract's JSON Schemas as plain objects, keyed by the file name they are published under
// (`dist/json/<name>.json`), for Fastify, ajv, OpenAPI generators and other languages.

import { CanonicalEventSchema } from './schemas/canonical-event';
import { BatchInputSchema, EventInputSchema, Seed004InputSchema } from './schemas/inputs';

export const JSON_SCHEMAS = {
  'event-v1': CanonicalEventSchema,
  'event-input': EventInputSchema,
  'batch-input': BatchInputSchema,
  'seed004-input': Seed004InputSchema,
} as const;

/** A schema as plain JSON (TypeBox's symbol-keyed metadata removed). */
export function toJsonSchema(schema: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
