// tools/kafka-dev-broker — a single-node Kafka-protocol broker for development and tests.
export { startBroker, type BrokerOptions, type RunningBroker } from './broker';
export { createLogger, silentLogger, type BrokerLogger } from './logger';
// A small protocol toolkit for tests and benchmarks that speak to the broker without a client library.
export { encodeFrame, FrameDecoder, FrameTooLargeError } from './frame-decoder';
export { ApiKey } from './protocol/api-keys';
export { ErrorCode } from './protocol/error-codes';
export { Reader } from './protocol/reader';
export { Writer } from './protocol/writer';
export { buildRecordBatch } from './storage';
export { BROKER_MAIN, spawnBrokerProcess, type BrokerProcess } from './broker-process';
