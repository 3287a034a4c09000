// @clickstream/kafka — Kafka plumbing shared by the apps. The kafkajs client layer lands with the dev broker.
export { CONSUMER_GROUPS, DEFAULT_EVENTS_TOPIC, dlqTopicFor, eventMessageKey, parseBrokerList } from './topics';
export { deadLetterHeaders, readDeadLetterHeaders, type DeadLetterReason, type FailureStage } from './dlq-headers';
