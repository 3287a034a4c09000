// The broker's durable storage: partition logs, committed offsets and topic metadata.

export { crc32c } from './crc32c';
export {
  CorruptBatchError,
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidTopicError,
  OffsetOutOfRangeError,
  TopicExistsError,
  UnknownTopicError,
} from './errors';
export { FSYNC_POLICIES, type FsyncPolicy } from './fsync-scheduler';
export { LogManager, type LogManagerOptions, type TopicSummary } from './log-manager';
export { OffsetStore, type CommittedOffset, type OffsetCommitEntry, type OffsetStoreOptions } from './offset-store';
export { PartitionLog, DEFAULT_SEGMENT_BYTES, type AppendResult, type PartitionLogConfig, type ReadResult } from './partition-log';
export {
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD,
  compressionCodec,
  readBatchHeader,
  recordTimestamps,
  setBaseOffset,
  splitBatches,
  verifyCrc,
  type BatchHeader,
  type BatchSpan,
} from './record-batch';
export { buildRecordBatch, type RecordBatchInput, type RecordHeaderInput, type RecordInput } from './record-batch-builder';
export type { StorageLogger } from './storage-logger';
export { MAX_PARTITIONS, TopicStore, validateTopicName, type TopicConfig, type TopicInfo } from './topic-store';
