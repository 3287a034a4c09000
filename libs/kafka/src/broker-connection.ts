// One TCP connection to one Kafka broker for the event producer: writes request frames, matches
// responses to requests by correlation id, and fails every request in flight — at once, never by
// hanging — when the socket errors, closes, or a response is late. A failed connection stays
// failed; the producer opens a new one for its next request.

import { connect, type Socket } from 'node:net';
import { KafkaUnavailableError } from './errors';
import { CORRELATION_ID_OFFSET } from './produce-protocol';

interface Waiting {
  resolve: (body: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface BrokerConnectionOptions {
  host: string;
  port: number;
  /** How long a request may wait for its response before the connection is given up (ms). */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

export class BrokerConnection {
  private readonly socket: Socket;
  private readonly waiting = new Map<number, Waiting>();
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | undefined;
  private readonly connectTimer: NodeJS.Timeout;

  constructor(private readonly options: BrokerConnectionOptions) {
    const where = `${options.host}:${options.port}`;
    this.socket = connect({ host: options.host, port: options.port, noDelay: true });
    this.connectTimer = setTimeout(
      () => this.fail(new KafkaUnavailableError(`could not connect to the Kafka broker at ${where} within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    this.socket.once('connect', () => clearTimeout(this.connectTimer));
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(new KafkaUnavailableError(`the connection to the Kafka broker at ${where} failed: ${err.message}`, { cause: err })));
    this.socket.on('close', () => this.fail(new KafkaUnavailableError(`the Kafka broker at ${where} closed the connection`)));
  }

  /** False once the socket failed or closed: open a new connection instead. */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /**
   * Sends a whole request frame (its size prefix included) and resolves with the response body
   * after the correlation id. The frame's correlation id field is overwritten.
   */
  request(frame: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === 0x7fffffff ? 1 : correlationId + 1;
    frame.writeInt32BE(correlationId, CORRELATION_ID_OFFSET);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.fail(
            new KafkaUnavailableError(`the Kafka broker at ${this.options.host}:${this.options.port} did not answer within ${this.options.requestTimeoutMs} ms`),
          ),
        this.options.requestTimeoutMs,
      );
      this.waiting.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new KafkaUnavailableError('the producer closed its Kafka connection'));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      // Joined into one buffer first, so the size prefix and the frame may span chunks.
      const all = this.chunks.length === 1 ? this.chunks[0] : this.join();
      const size = all.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      const correlationId = frame.readInt32BE(0);
      const waiter = this.waiting.get(correlationId);
      if (!waiter) {
        this.fail(new KafkaUnavailableError(`the Kafka broker answered an unknown request (correlation id ${correlationId})`));
        return;
      }
      this.waiting.delete(correlationId);
      clearTimeout(waiter.timer);
      waiter.resolve(frame.subarray(4));
    }
  }

  private join(): Buffer {
    const joined = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [joined];
    return joined;
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    clearTimeout(this.connectTimer);
    for (const waiter of this.waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
    this.waiting.clear();
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
