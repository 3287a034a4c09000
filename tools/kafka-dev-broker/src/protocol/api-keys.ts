// The APIs the dev broker speaks and the (non-flexible) versions it advertises: the ranges that
// unmodified kafkajs 2.2.x and librdkafka (kcat) were checked against (shared/KAFKA-NOTES.md).

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

export const SUPPORTED_VERSIONS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [ApiKey.Produce, [3, 3]],
  [ApiKey.Fetch, [4, 4]],
  [ApiKey.ListOffsets, [1, 2]],
  [ApiKey.Metadata, [1, 5]],
  [ApiKey.OffsetCommit, [2, 3]],
  [ApiKey.OffsetFetch, [1, 3]],
  [ApiKey.FindCoordinator, [0, 1]],
  [ApiKey.JoinGroup, [0, 2]],
  [ApiKey.Heartbeat, [0, 1]],
  [ApiKey.LeaveGroup, [0, 1]],
  [ApiKey.SyncGroup, [0, 1]],
  [ApiKey.DescribeGroups, [0, 1]],
  [ApiKey.ListGroups, [0, 1]],
  [ApiKey.ApiVersions, [0, 2]],
  [ApiKey.CreateTopics, [0, 2]],
  [ApiKey.DeleteTopics, [0, 1]],
] as const);

const NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));

export function apiName(key: number): string {
  return NAMES.get(key) ?? `api ${key}`;
}

export function isSupported(key: number, version: number): boolean {
  const range = SUPPORTED_VERSIONS.get(key);
  return range !== undefined && version >= range[0] && version <= range[1];
}
