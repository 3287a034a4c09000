// Size limits of the event contract, shared by the schemas, normalize() and ingest's body limits.

export const LIMITS = Object.freeze({
  /** Largest canonical event, serialised as JSON, in bytes. */
  eventBytes: 32 * 1024,
  /** Largest batch request body, in bytes. */
  batchBytes: 512 * 1024,
  /** Most events in one batch. */
  batchEvents: 500,
  /** Deepest nesting inside `props` (an object of scalars is depth 1). */
  propsDepth: 5,
  idLength: 128,
  eventNameLength: 64,
  urlLength: 2048,
  pathLength: 1024,
  titleLength: 512,
  buttonIdLength: 256,
  userAgentLength: 1024,
  ipLength: 64,
  orderItems: 200,
  /** How far in the past a client clock may place an event before it is not believed. */
  maxPastMs: 30 * 24 * 60 * 60 * 1000,
  /** How far in the future a client clock may place an event before it is not believed. */
  maxFutureMs: 10 * 60 * 1000,
});
