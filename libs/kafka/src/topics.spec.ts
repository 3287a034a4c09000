import { Type } from '@sinclair/typebox';
import { loadConfig } from '@clickstream/runtime';
import { deadLetterHeaders, dlqTopicFor, eventMessageKey, kafkaEnv, parseBrokerList, readDeadLetterHeaders } from './index';

describe('topics and keys', () => {
  it('keys events by site and session', () => {
    expect(eventMessageKey({ site_id: 'shop', session_id: 's-1' })).toBe('shop:s-1');
    expect(dlqTopicFor('clickstream.events')).toBe('clickstream.events.dlq');
  });

  it('parses a broker list and names a bad entry', () => {
    expect(parseBrokerList('localhost:9092, kafka-2:19092,[::1]:9093')).toEqual(['localhost:9092', 'kafka-2:19092', '[::1]:9093']);
    expect(() => parseBrokerList('localhost')).toThrow('KAFKA_BROKERS entry "localhost" is not host:port');
    expect(() => parseBrokerList('a:99999')).toThrow('"a:99999"');
    expect(() => parseBrokerList(' , ')).toThrow('at least one');
  });
});

describe('dead-letter headers', () => {
  it('say why and where, and read back from Buffers', () => {
    const headers = deadLetterHeaders({
      stage: 'live',
      code: 'schema',
      message: 'x'.repeat(2000),
      source: { topic: 'clickstream.events', partition: 3, offset: '9007199254740993' },
      failedAt: new Date('2026-03-01T00:00:00Z'),
    });
    expect(headers['error-message']).toHaveLength(1000);
    const back = readDeadLetterHeaders(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])));
    expect(back).toMatchObject({
      'error-stage': 'live',
      'error-code': 'schema',
      'source-topic': 'clickstream.events',
      'source-partition': '3',
      'source-offset': '9007199254740993',
      'failed-at': '2026-03-01T00:00:00.000Z',
    });
  });

  it('leave out the source of a message that never came from Kafka', () => {
    const headers = deadLetterHeaders({ stage: 'ingest', code: 'invalid', message: 'bad', failedAt: new Date(0) });
    expect(Object.keys(headers).sort()).toEqual(['error-code', 'error-message', 'error-stage', 'failed-at']);
  });
});

describe('kafkaEnv', () => {
  it('gives the defaults of DESIGN.md and refuses an empty client id', () => {
    const schema = Type.Object(kafkaEnv);
    expect(loadConfig(schema, {})).toEqual({ KAFKA_BROKERS: 'localhost:9092', KAFKA_TOPIC: 'clickstream.events' });
    expect(() => loadConfig(schema, { KAFKA_CLIENT_ID: 'x'.repeat(200) })).toThrow('KAFKA_CLIENT_ID');
  });
});
