// The error a query function throws for input it cannot answer (a bad time zone, date, range,
// limit or option): the API maps it to 400 with `code` and `field`; anything else is a 5xx.

export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  /** The API error code. */
  readonly code = 'invalid_query';

  constructor(
    /** The parameter at fault: `tz`, `from`, `to`, `site`, `limit`, `metric`, `interval`, `dimension`… */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
