// The embedded local stack, in start order; each waits for the previous to be healthy.

export interface StackComponent {
  name: string;
  what: string;
  /** The issue that delivers it. */
  issue: number;
  /** Built and tested, and started by the launcher. */
  built: boolean;
}

export const STACK_COMPONENTS: readonly StackComponent[] = [
  { name: 'kafka-dev-broker', what: 'Kafka-protocol broker on 9092, data in .data/kafka', issue: 4, built: true },
  { name: 'postgres', what: 'embedded PostgreSQL 17 on 5433, data in .data/pg (unless DATABASE_URL)', issue: 9, built: true },
  { name: 's3', what: 's3rver on 9000, data in .data/s3 (unless S3_ENDPOINT)', issue: 9, built: true },
  { name: 'migrations', what: 'warehouse migrations (libs/warehouse migrate)', issue: 7, built: true },
  { name: 'ingest', what: 'HTTP collector on 8000', issue: 5, built: true },
  { name: 'stream-consumer', what: 'archiver and live rollups, /metrics on 9101', issue: 6, built: true },
  { name: 'etl', what: 'warehouse loader every 15 s, /metrics on 9102', issue: 7, built: true },
  { name: 'web', what: 'dashboard and API on 3000', issue: 8, built: true },
  { name: 'simulator', what: 'realistic traffic through ingest (skipped, with a note, until tools/simulator is built)', issue: 9, built: true },
];
