// What every API handler gets: the broker's identity and state, and the request it answers.

import type { DataNotifier } from './data-notifier';
import type { GroupCoordinator } from './group-coordinator';
import type { BrokerLogger } from './logger';
import type { Reader } from './protocol/reader';
import type { Writer } from './protocol/writer';
import type { LogManager } from './storage';

export interface BrokerContext {
  nodeId: number;
  /** Host and port clients are told to connect to. */
  advertisedHost: string;
  advertisedPort: number;
  clusterId: string;
  logs: LogManager;
  groups: GroupCoordinator;
  notifier: DataNotifier;
  autoCreateTopics: boolean;
  log: BrokerLogger;
  /** Set once the broker is stopping: held requests answer at once. */
  stopping: boolean;
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface Request {
  header: RequestHeader;
  body: Reader;
  remoteAddress: string;
}

/** A response body, or null when the request gets no response (Produce with acks=0). */
export type ApiHandler = (ctx: BrokerContext, request: Request) => Promise<Writer | null> | Writer | null;
