// Errors the storage layer throws for the protocol layer to turn into Kafka error codes.

// Each carries the Kafka error code it stands for, so a handler can answer without a lookup table.

/** A record batch is short, malformed, not magic 2, or fails its CRC (CORRUPT_MESSAGE). */
export class CorruptBatchError extends Error {
  override readonly name = 'CorruptBatchError';
  readonly kafkaErrorCode = 2;
  /** @param position byte position of the bad batch in the buffer or segment file */
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at byte ${position})`);
  }
}

/** A read asked for an offset outside [logStartOffset, logEndOffset] (OFFSET_OUT_OF_RANGE). */
export class OffsetOutOfRangeError extends Error {
  override readonly name = 'OffsetOutOfRangeError';
  readonly kafkaErrorCode = 1;
  constructor(
    readonly offset: bigint,
    readonly logStartOffset: bigint,
    readonly logEndOffset: bigint,
  ) {
    super(`offset ${offset} is outside the log [${logStartOffset}, ${logEndOffset}]`);
  }
}

/** TOPIC_ALREADY_EXISTS. */
export class TopicExistsError extends Error {
  override readonly name = 'TopicExistsError';
  readonly kafkaErrorCode = 36;
  constructor(readonly topic: string) {
    super(`topic "${topic}" already exists`);
  }
}

/** A topic name Kafka would refuse (INVALID_TOPIC_EXCEPTION). */
export class InvalidTopicError extends Error {
  override readonly name = 'InvalidTopicError';
  readonly kafkaErrorCode = 17;
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`invalid topic name "${topic.length > 300 ? `${topic.slice(0, 300)}…` : topic}": ${reason}`);
  }
}

/** UNKNOWN_TOPIC_OR_PARTITION. */
export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
  readonly kafkaErrorCode = 3;
  constructor(readonly topic: string) {
    super(`topic "${topic}" does not exist`);
  }
}

/** A partition count that is not a positive integer (INVALID_PARTITIONS). */
export class InvalidPartitionsError extends Error {
  override readonly name = 'InvalidPartitionsError';
  readonly kafkaErrorCode = 37;
  constructor(readonly partitions: number) {
    super(`partitions must be an integer from 1 to 10000 (got ${partitions})`);
  }
}

/** A topic config value the storage layer cannot use (INVALID_CONFIG). */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
  readonly kafkaErrorCode = 40;
  constructor(
    readonly key: string,
    readonly value: string,
    reason: string,
  ) {
    super(`invalid topic config ${key}=${JSON.stringify(value)}: ${reason}`);
  }
}
