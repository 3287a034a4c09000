// Test support for projects that need a real Kafka-protocol broker: KAFKA_BROKERS, a container,
// or the dev broker. Not for production code.
export { startDevBroker, startKafkaBackend, type DevBroker, type KafkaBackend } from './kafka-backend';
// re-exported: the Kafka tests of every app poll with it
export { waitFor } from '@clickstream/runtime/testing';
