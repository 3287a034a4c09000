import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { CachedKeyPartitioner } from './producer';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));

describe('CachedKeyPartitioner', () => {
  it('puts every string key where the default (Java-compatible murmur2) partitioner does, on first sight and from its cache', () => {
    const cached = CachedKeyPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 3000 }, (_, i) => `site_${i % 7}:session-${(i * 7919).toString(36)}`);
    for (const n of [1, 3, 6, 12]) {
      const partitionMetadata = metadata(n);
      for (let round = 0; round < 2; round++) {
        const got = keys.map((key) => cached({ topic: 't', partitionMetadata, message: { key, value: 'v' } }));
        const want = keys.map((key) => reference({ topic: 't', partitionMetadata, message: { key, value: 'v' } }));
        expect(got).toEqual(want);
      }
    }
  });

  it("keeps a message's own partition, and spreads keyless messages over the partitions", () => {
    const cached = CachedKeyPartitioner();
    const partitionMetadata = metadata(6);
    expect(cached({ topic: 't', partitionMetadata, message: { key: 'k', value: 'v', partition: 4 } })).toBe(4);
    const keyless = new Set(Array.from({ length: 60 }, () => cached({ topic: 't', partitionMetadata, message: { value: 'v' } })));
    expect(keyless.size).toBe(6);
  });
});
