// Topic metadata (names, partition counts, configs), persisted in <dataDir>/topics.json.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { InvalidPartitionsError, InvalidTopicError, TopicExistsError } from './errors';

/** Kafka's topic config entries, as strings (e.g. "retention.ms": "86400000"). */
export type TopicConfig = Record<string, string>;

export interface TopicInfo {
  name: string;
  partitions: number;
  /** ISO 8601. */
  createdAt: string;
  config: TopicConfig;
}

/* File format: { "<name>": { "partitions": n, "createdAt": "<iso>", "config": { ... } }, ... } */
type TopicsFile = Record<string, Omit<TopicInfo, 'name'>>;

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME_LENGTH = 249;
export const MAX_PARTITIONS = 10_000;

/** Throws InvalidTopicError unless Kafka would accept the name (it also names a directory). */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidTopicError(String(name), 'the name is empty');
  if (name === '.' || name === '..') throw new InvalidTopicError(name, 'the name cannot be "." or ".."');
  if (name.length > MAX_NAME_LENGTH) throw new InvalidTopicError(name, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  if (!LEGAL_NAME.test(name)) throw new InvalidTopicError(name, 'only ASCII letters, digits, ".", "_" and "-" are allowed');
}

export class TopicStore {
  private constructor(
    readonly file: string,
    private readonly topics: Map<string, TopicInfo>,
  ) {}

  /** Loads <dataDir>/topics.json (an empty store when there is none yet). */
  static open(dataDir: string): TopicStore {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'topics.json');
    fs.rmSync(`${file}.tmp`, { force: true }); // a write that never got renamed into place
    const topics = new Map<string, TopicInfo>();
    if (fs.existsSync(file)) {
      let parsed: TopicsFile;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as TopicsFile;
      } catch (err) {
        // Written atomically, so this is damage from outside: refuse to start rather than
        // silently forget every topic.
        throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`, { cause: err });
      }
      for (const [name, t] of Object.entries(parsed)) {
        validateTopicName(name);
        if (!Number.isInteger(t.partitions) || t.partitions < 1) throw new Error(`${file}: topic "${name}" has an invalid partition count`);
        topics.set(name, { name, partitions: t.partitions, createdAt: String(t.createdAt), config: { ...(t.config ?? {}) } });
      }
    }
    return new TopicStore(file, topics);
  }

  /** Every topic, by name. */
  list(): TopicInfo[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(copy);
  }

  get(name: string): TopicInfo | undefined {
    const t = this.topics.get(name);
    return t && copy(t);
  }

  /** Adds a topic durably; throws InvalidTopicError, InvalidPartitionsError or TopicExistsError. */
  create(name: string, partitions: number, config: TopicConfig = {}, now = new Date()): TopicInfo {
    validateTopicName(name);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) throw new InvalidPartitionsError(partitions);
    if (this.topics.has(name)) throw new TopicExistsError(name);
    const info: TopicInfo = { name, partitions, createdAt: now.toISOString(), config: { ...config } };
    this.topics.set(name, info);
    try {
      this.save();
    } catch (err) {
      this.topics.delete(name);
      throw err;
    }
    return copy(info);
  }

  /** Removes a topic durably; false when there was none. */
  delete(name: string): boolean {
    const info = this.topics.get(name);
    if (!info) return false;
    this.topics.delete(name);
    try {
      this.save();
    } catch (err) {
      this.topics.set(name, info);
      throw err;
    }
    return true;
  }

  private save(): void {
    const out: TopicsFile = {};
    for (const t of this.list()) out[t.name] = { partitions: t.partitions, createdAt: t.createdAt, config: t.config };
    writeFileAtomic(this.file, `${JSON.stringify(out, null, 2)}\n`);
  }
}

function copy(t: TopicInfo): TopicInfo {
  return { ...t, config: { ...t.config } };
}
