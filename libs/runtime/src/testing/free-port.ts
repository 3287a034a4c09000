import { createServer } from 'node:net';

// Ports are drawn below Linux's ephemeral range (32768–60999 by default), where the kernel never
// puts the source port of an outgoing connection: a port found free here stays free until the
// process it is meant for binds it, even on a machine busy with connections (with port 0, a client
// connection could take it in between).
const LOW = 20_000;
const HIGH = 32_767;
const ATTEMPTS = 50;

/** A TCP port free on 127.0.0.1 right now, for a process about to listen on it. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await canListen(port)) return port;
  }
  return listenOn(0);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}
