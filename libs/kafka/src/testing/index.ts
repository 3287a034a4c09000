// Test support for projects that need a real Kafka-protocol broker: KAFKA_BROKERS, a container,
// or the dev broker. Not for production code.
export { startDevBroker, startKafkaBackend, waitFor, type DevBroker, type KafkaBackend } from './kafka-backend';
