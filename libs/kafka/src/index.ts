// @clickstream/kafka — the Kafka layer every app uses, on kafkajs (and its own Produce encoder).
export { CONSUMER_GROUPS, DEFAULT_EVENTS_TOPIC, dlqTopicFor, eventMessageKey, parseBrokerList } from './topics';
export { deadLetterHeaders, readDeadLetterHeaders, type DeadLetterReason, type FailureStage } from './dlq-headers';
export { FatalError, KafkaUnavailableError, RetriableError, isRetriable } from './errors';
export { createKafka, type KafkaClientOptions } from './client';
export { ensureTopics, type EnsureTopicsOptions } from './admin';
export { CachedKeyPartitioner, createEventProducer, type EventProducer, type EventProducerOptions } from './producer';
export { createDeadLetterPublisher, type DeadLetterMessage, type DeadLetterPublisher } from './dead-letter';
export { createConsumerRunner, type ConsumedBatch, type ConsumerRunner, type ConsumerRunnerOptions } from './consumer-runner';
export { consumerLag, totalLag, type PartitionLag } from './lag';
export { createKafkaFromEnv, kafkaClientId, kafkaEnv, KafkaEnvSchema, type KafkaEnv } from './config';
