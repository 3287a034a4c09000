// Dead-letter publishing: the raw input goes to `<topic>.dlq` with headers saying why and where
// it came from. A failed DLQ write throws, so the caller does not commit past the message.

import type { EventProducer } from './producer';
import { deadLetterHeaders, type DeadLetterReason } from './dlq-headers';

export interface DeadLetterMessage {
  /** The raw input, exactly as received (not the parsed or normalised form). */
  value: Buffer | string;
  key?: Buffer | string | null;
  reason: DeadLetterReason;
}

export interface DeadLetterPublisher {
  publish(messages: DeadLetterMessage[]): Promise<void>;
}

export function createDeadLetterPublisher(producer: EventProducer, dlqTopic: string): DeadLetterPublisher {
  return {
    async publish(messages) {
      if (messages.length === 0) return;
      await producer.send(
        dlqTopic,
        messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: deadLetterHeaders(m.reason) })),
      );
    },
  };
}
