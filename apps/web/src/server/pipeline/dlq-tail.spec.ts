// The dead-letter tail's offset arithmetic and ordering, without Kafka (the reading itself is in
// pipeline-status.spec.ts, on the dev broker).

import { deadLetterHeaders } from '@clickstream/kafka';
import type { KafkaMessage } from 'kafkajs';
import { messagesIn, newestFirst, tailRanges, toDlqItem, type DlqItem } from './dlq-tail';

describe('dead-letter tail', () => {
  const ranges = [
    { partition: 0, low: '0', high: '3' },
    { partition: 1, low: '95', high: '100' },
    { partition: 2, low: '7', high: '7' },
    { partition: 3, low: '0', high: '25' },
  ];

  it('counts the messages in the log and reads at most the last N of each partition', () => {
    expect(messagesIn(ranges)).toBe(3 + 5 + 0 + 25);
    expect(messagesIn([])).toBe(0);
    expect(tailRanges(ranges, 10)).toEqual([
      { partition: 0, from: 0n, high: 3n },
      { partition: 1, from: 95n, high: 100n },
      { partition: 3, from: 15n, high: 25n },
    ]);
    expect(tailRanges(ranges, 0)).toEqual([]);
  });

  it('decodes headers and truncates the value', () => {
    const headers = deadLetterHeaders({ stage: 'live', code: 'not_json', message: 'bad', failedAt: new Date('2026-03-01T10:00:00Z') });
    const message = {
      offset: '42',
      timestamp: String(Date.parse('2026-03-01T10:00:01Z')),
      headers: { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])), repeated: [Buffer.from('a'), 'b'] },
      value: Buffer.from('é'.repeat(3000)),
      key: null,
      attributes: 0,
      size: 0,
    } as unknown as KafkaMessage;
    const item = toDlqItem(4, message);
    expect(item).toEqual({ partition: 4, offset: '42', timestamp: '2026-03-01T10:00:01.000Z', headers: { ...headers, repeated: 'b' }, value: 'é'.repeat(2048) });
    expect(toDlqItem(0, { ...message, value: null, headers: undefined } as unknown as KafkaMessage)).toMatchObject({ value: '', headers: {} });
  });

  it('orders newest first by timestamp, then by offset, and keeps the limit', () => {
    const item = (partition: number, offset: string, timestamp: string): DlqItem => ({ partition, offset, timestamp, headers: {}, value: '' });
    const items = [item(0, '1', '2026-03-01T10:00:00.000Z'), item(1, '9', '2026-03-01T10:00:02.000Z'), item(0, '2', '2026-03-01T10:00:02.000Z'), item(2, '10', '2026-03-01T10:00:02.000Z')];
    expect(newestFirst(items, 3).map((i) => `${i.partition}:${i.offset}`)).toEqual(['0:2', '1:9', '2:10']);
    expect(newestFirst(items, 10)).toHaveLength(4);
  });
});
