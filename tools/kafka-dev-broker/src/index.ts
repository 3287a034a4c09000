// tools/kafka-dev-broker — a single-node Kafka-protocol broker for development and tests.
export { startBroker, type BrokerOptions, type RunningBroker } from './broker';
export { createLogger, silentLogger, type BrokerLogger } from './logger';
export { encodeFrame, FrameDecoder, FrameTooLargeError } from './frame-decoder';
