// Topic administration: the events topic and its dead-letter topic exist before anything runs.

import type { Kafka } from 'kafkajs';
import { dlqTopicFor } from './topics';

export interface EnsureTopicsOptions {
  topic: string;
  partitions?: number;
  /** Also create `<topic>.dlq` (default true). */
  withDeadLetterTopic?: boolean;
}

/** Creates what is missing; returns the names it created. Safe to run from several processes. */
export async function ensureTopics(kafka: Kafka, options: EnsureTopicsOptions): Promise<string[]> {
  const wanted = [options.topic, ...(options.withDeadLetterTopic === false ? [] : [dlqTopicFor(options.topic)])];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    // createTopics answers false (not an error) when another process created them first.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: options.partitions ?? 6, replicationFactor: -1 })),
    });
    return missing;
  } finally {
    await admin.disconnect();
  }
}
