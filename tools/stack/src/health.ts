// Health checks: each resolves true when the component answers as a healthy one would.
import { Socket } from 'node:net';
import postgres from 'postgres';

/** A Kafka ApiVersions v0 request on a fresh connection; true when the broker answers without error. */
export function kafkaApiVersions(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const clientId = Buffer.from('clickstream-stack');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0); // ApiVersions
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4); // correlation id
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      // size(4) correlation id(4) error code(2)
      if (received.length >= 10) done(received.readInt32BE(4) === 1 && received.readInt16BE(8) === 0);
    });
    socket.connect(port, host, () => socket.write(Buffer.concat([size, body])));
  });
}

/** An HTTP GET answered 2xx. */
export async function httpOk(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Any HTTP answer (s3rver answers `/` with an S3 listing or an error document). */
export async function httpAnswers(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/** `select 1` through postgres.js, as the apps connect. */
export async function postgresSelect1(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, idle_timeout: 1, onnotice: () => undefined });
  try {
    const [row] = await sql`select 1 as one`;
    return row?.['one'] === 1;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** True when something already listens on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Polls `check` until it is true, or throws after timeoutMs; `abort` ends the wait early. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, abort: () => string | undefined, intervalMs = 250): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = abort();
    if (why) throw new Error(why);
    if (await check()) return;
    if (Date.now() > until) throw new Error(`not healthy within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
