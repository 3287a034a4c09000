// The broker: a TCP server speaking the Kafka protocol over the storage layer. Requests on one
// connection are handled concurrently but answered strictly in request order, so a held Fetch or
// JoinGroup holds back the responses behind it, as clients expect.

import { createServer, type Server, type Socket } from 'node:net';
import { handleApiVersions } from './apis/api-versions';
import { handleFetch } from './apis/fetch';
import { handleFindCoordinator } from './apis/find-coordinator';
import {
  handleDescribeGroups,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleSyncGroup,
} from './apis/groups';
import { handleListOffsets } from './apis/list-offsets';
import { handleMetadata } from './apis/metadata';
import { handleOffsetCommit, handleOffsetFetch } from './apis/offsets';
import { handleProduce } from './apis/produce';
import { handleCreateTopics, handleDeleteTopics } from './apis/topic-admin';
import type { ApiHandler, BrokerContext, RequestHeader } from './context';
import { DataNotifier } from './data-notifier';
import { FrameDecoder } from './frame-decoder';
import { GroupCoordinator } from './group-coordinator';
import { silentLogger, type BrokerLogger } from './logger';
import { ApiKey, apiName, isSupported, SUPPORTED_VERSIONS } from './protocol/api-keys';
import { ErrorCode } from './protocol/error-codes';
import { ProtocolError, Reader } from './protocol/reader';
import { Writer } from './protocol/writer';
import { LogManager, type FsyncPolicy } from './storage';

const HANDLERS = new Map<number, ApiHandler>([
  [ApiKey.Produce, handleProduce],
  [ApiKey.Fetch, handleFetch],
  [ApiKey.ListOffsets, handleListOffsets],
  [ApiKey.Metadata, handleMetadata],
  [ApiKey.OffsetCommit, handleOffsetCommit],
  [ApiKey.OffsetFetch, handleOffsetFetch],
  [ApiKey.FindCoordinator, handleFindCoordinator],
  [ApiKey.JoinGroup, handleJoinGroup],
  [ApiKey.Heartbeat, handleHeartbeat],
  [ApiKey.LeaveGroup, handleLeaveGroup],
  [ApiKey.SyncGroup, handleSyncGroup],
  [ApiKey.DescribeGroups, handleDescribeGroups],
  [ApiKey.ListGroups, handleListGroups],
  [ApiKey.ApiVersions, handleApiVersions],
  [ApiKey.CreateTopics, handleCreateTopics],
  [ApiKey.DeleteTopics, handleDeleteTopics],
]);

/**
 * Error-only answers for APIs this broker does not implement but clients may try (SASL, the
 * idempotent producer), so they fail with UNSUPPORTED_VERSION instead of a dropped connection.
 */
const UNSUPPORTED_BODIES = new Map<number, () => Writer>([
  [ApiKey.SaslHandshake, () => new Writer().int16(ErrorCode.UNSUPPORTED_VERSION).array([], () => undefined)],
  [ApiKey.InitProducerId, () => new Writer().int32(0).int16(ErrorCode.UNSUPPORTED_VERSION).int64(-1n).int16(-1)],
]);

export interface BrokerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Host clients are told to connect to (default: host, or 127.0.0.1 when host is 0.0.0.0). */
  advertisedHost?: string;
  dataDir: string;
  defaultPartitions?: number;
  autoCreateTopics?: boolean;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  segmentBytes?: number;
  retentionBytes?: number;
  retentionMs?: number;
  initialRebalanceDelayMs?: number;
  logger?: BrokerLogger;
}

export interface RunningBroker {
  port: number;
  host: string;
  /** `host:port`, for KAFKA_BROKERS. */
  address: string;
  stop(): Promise<void>;
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const log = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const logs = LogManager.open({
    dataDir: options.dataDir,
    defaultPartitions: options.defaultPartitions ?? 6,
    fsync: options.fsync ?? 'interval',
    fsyncIntervalMs: options.fsyncIntervalMs,
    segmentBytes: options.segmentBytes,
    retentionBytes: options.retentionBytes,
    retentionMs: options.retentionMs,
    log: (msg, fields) => log.warn(msg, fields),
  });
  const notifier = new DataNotifier();
  const ctx: BrokerContext = {
    nodeId: 1,
    advertisedHost: options.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host),
    advertisedPort: 0,
    clusterId: 'clickstream-dev',
    logs,
    groups: new GroupCoordinator({
      offsets: logs.offsets,
      log,
      initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      onRebalance: () => notifier.interruptAll(),
    }),
    notifier,
    autoCreateTopics: options.autoCreateTopics ?? true,
    log,
    stopping: false,
  };
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;
  const server: Server = createServer((socket) => {
    const id = nextConnectionId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    log.debug('client connected', { connection: id, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.on('close', () => {
      sockets.delete(socket);
      log.debug('client disconnected', { connection: id });
    });
    serveConnection(ctx, socket, id);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9092, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 9092);
  ctx.advertisedPort = port;
  log.info('kafka-dev-broker listening', { host, port, dataDir: options.dataDir, topics: logs.topics().length });

  let stopped: Promise<void> | undefined;
  return {
    port,
    host,
    address: `${ctx.advertisedHost}:${port}`,
    stop() {
      stopped ??= (async () => {
        ctx.stopping = true;
        ctx.notifier.interruptAll();
        ctx.groups.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Let answered requests flush, then drop the connections.
        await new Promise((resolve) => setImmediate(resolve));
        for (const s of sockets) s.destroy();
        await closed;
        logs.close();
        log.info('kafka-dev-broker stopped', { port });
      })();
      return stopped;
    },
  };
}

function serveConnection(ctx: BrokerContext, socket: Socket, connectionId: number): void {
  const decoder = new FrameDecoder();
  // Responses in request order: each request appends its pending answer here.
  const queue: Array<{ done: boolean; chunks: Buffer[] | null }> = [];
  const flush = () => {
    while (queue.length && queue[0].done) {
      const { chunks } = queue.shift() as { chunks: Buffer[] | null };
      if (chunks && !socket.destroyed) {
        socket.cork();
        for (const c of chunks) socket.write(c);
        socket.uncork();
      }
    }
  };

  socket.on('data', (chunk) => {
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      ctx.log.warn('closing connection: bad framing', { connection: connectionId, error: (err as Error).message });
      socket.destroy();
      return;
    }
    for (const frame of frames) {
      const slot = { done: false, chunks: null as Buffer[] | null };
      queue.push(slot);
      handleFrame(ctx, frame, socket.remoteAddress ?? '')
        .then((chunks) => {
          slot.chunks = chunks;
        })
        .catch((err: unknown) => {
          ctx.log.warn('closing connection: request failed', { connection: connectionId, error: (err as Error).message });
          socket.destroy();
        })
        .finally(() => {
          slot.done = true;
          flush();
        });
    }
  });
  socket.on('error', (err) => ctx.log.debug('connection error', { connection: connectionId, error: err.message }));
}

/** Decodes one request frame and returns the encoded response (length prefix included), or null. */
async function handleFrame(ctx: BrokerContext, frame: Buffer, remoteAddress: string): Promise<Buffer[] | null> {
  const reader = new Reader(frame);
  const header: RequestHeader = {
    apiKey: reader.int16(),
    apiVersion: reader.int16(),
    correlationId: reader.int32(),
    clientId: reader.nullableString(),
  };
  let body: Writer | null;
  const handler = HANDLERS.get(header.apiKey);
  if (header.apiKey === ApiKey.ApiVersions || (handler && isSupported(header.apiKey, header.apiVersion))) {
    try {
      body = await (handler as ApiHandler)(ctx, { header, body: reader, remoteAddress });
    } catch (err) {
      if (err instanceof ProtocolError) throw new Error(`malformed ${apiName(header.apiKey)} v${header.apiVersion} request: ${err.message}`);
      throw err;
    }
  } else {
    const range = SUPPORTED_VERSIONS.get(header.apiKey);
    ctx.log.warn('unsupported request', {
      api: apiName(header.apiKey),
      version: header.apiVersion,
      supported: range ? `${range[0]}-${range[1]}` : 'none',
      client: header.clientId,
    });
    const unsupported = UNSUPPORTED_BODIES.get(header.apiKey);
    if (!unsupported) {
      throw new Error(`UNSUPPORTED_VERSION: ${apiName(header.apiKey)} v${header.apiVersion} is not supported by the dev broker`);
    }
    body = unsupported();
  }
  if (body === null) return null;
  const chunks = body.toChunks();
  const size = 4 + chunks.reduce((n, c) => n + c.length, 0);
  const head = Buffer.allocUnsafe(8);
  head.writeInt32BE(size, 0);
  head.writeInt32BE(header.correlationId, 4);
  return [head, ...chunks];
}

