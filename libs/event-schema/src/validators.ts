// Compiled ajv validators for the contract's schemas, and the mapping of ajv's errors to the
// contract's `{path, message}` shape. Compiled once, at first use.

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DATE_TIME_FORMAT } from './date-time-format';
import { CanonicalEventSchema, type CanonicalEvent } from './schemas/canonical-event';
import { BatchEnvelopeSchema, EventInputSchema, InputOrderSchema } from './schemas/inputs';

export interface FieldError {
  /** JSON Pointer to the offending value, e.g. `/user_id` or `/events/3/page/url`. */
  path: string;
  message: string;
}

const MAX_ERRORS = 10;

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, strictRequired: false });
  addFormats(ajv, ['uri', 'email', 'uuid']);
  ajv.addFormat('date-time', DATE_TIME_FORMAT);
  return ajv;
}

let compiled:
  | {
      input: ValidateFunction;
      order: ValidateFunction;
      envelope: ValidateFunction;
      canonical: ValidateFunction<CanonicalEvent>;
    }
  | undefined;

export function validators() {
  if (compiled === undefined) {
    const ajv = createAjv();
    compiled = {
      input: ajv.compile(EventInputSchema),
      order: ajv.compile(InputOrderSchema),
      envelope: ajv.compile(BatchEnvelopeSchema),
      canonical: ajv.compile<CanonicalEvent>(CanonicalEventSchema),
    };
  }
  return compiled;
}

/** Turns ajv's errors into the contract's field errors, rooted at `prefix`. */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    if (out.length >= MAX_ERRORS) break;
    if (e.keyword === 'required') {
      out.push({ path: `${prefix}${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' });
    } else if (e.keyword === 'additionalProperties') {
      out.push({
        path: `${prefix}${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`,
        message: 'is not an allowed field',
      });
    } else if (e.keyword === 'maxLength' || e.keyword === 'minLength') {
      const limit = (e.params as { limit: number }).limit;
      out.push({
        path: `${prefix}${e.instancePath}`,
        message: e.keyword === 'maxLength' ? `must be at most ${limit} characters` : `must be at least ${limit} character${limit === 1 ? '' : 's'}`,
      });
    } else {
      out.push({ path: `${prefix}${e.instancePath}`, message: e.message ?? 'is invalid' });
    }
  }
  return out;
}

/** Checks a canonical event (archive lines, Kafka values) against the v1 schema. */
export function validateCanonicalEvent(value: unknown): { ok: true; event: CanonicalEvent } | { ok: false; errors: FieldError[] } {
  const v = validators().canonical;
  return v(value) ? { ok: true, event: value } : { ok: false, errors: toFieldErrors(v.errors) };
}
