// The e2e benchmark's /ws/live client, in a process of its own: Node 20 has WebSocket only behind
// --experimental-websocket (no WebSocket package is a dependency of the bench), so the benchmark
// runs `node --experimental-websocket dist/live-watch.js` with LIVE_URL and LIVE_COOKIE set.
//
// It prints one line per tick as soon as the message arrives, stamped with this process's clock
// (the same wall clock the benchmark stamps its POSTs with):
//   open
//   tick <Date.now() at arrival> <event_id> <event_id> …   (the tick's `recent` events)
// and `error <message>` / `closed <code>` before it exits.

interface LiveMessage {
  type?: string;
  recent?: Array<{ event_id?: string }>;
}

// The global of Node 20's --experimental-websocket (undici's WebSocket, which takes `headers`).
type NodeWebSocket = {
  onopen: (() => void) | null;
  onmessage: ((m: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  onclose: ((e: { code: number }) => void) | null;
  close(): void;
};
type NodeWebSocketClass = new (url: string, init: { headers: Record<string, string> }) => NodeWebSocket;

const WS = (globalThis as { WebSocket?: NodeWebSocketClass }).WebSocket;
const url = process.env['LIVE_URL'];
const cookie = process.env['LIVE_COOKIE'] ?? '';
if (!WS || !url) {
  process.stdout.write(`error ${!WS ? 'no global WebSocket: run with --experimental-websocket' : 'LIVE_URL is not set'}\n`);
  process.exit(2);
}

const socket = new WS(url, { headers: { cookie } });
socket.onopen = () => process.stdout.write('open\n');
socket.onmessage = (m) => {
  const at = Date.now();
  let tick: LiveMessage;
  try {
    tick = JSON.parse(String(m.data)) as LiveMessage;
  } catch {
    return;
  }
  if (tick.type !== 'tick') return;
  const ids = (tick.recent ?? []).map((e) => e.event_id).filter((id): id is string => typeof id === 'string');
  process.stdout.write(`tick ${at}${ids.length ? ` ${ids.join(' ')}` : ''}\n`);
};
socket.onerror = (e) => process.stdout.write(`error ${e.message ?? 'websocket error'}\n`);
socket.onclose = (e) => {
  process.stdout.write(`closed ${e.code}\n`);
  process.exit(0);
};
const stop = () => socket.close();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
