// Test support for services (not for production code): a TCP proxy that simulates a server outage,
// a logger whose lines the test can read, polling with a deadline, seeded random numbers, a free port,
// raw HTTP for bad-input tests and injection strings.
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { capturedLogger } from './captured-logger';
export { waitFor } from './wait-for';
export { randomSource } from './random';
export { freePort } from './free-port';
export { sendRaw, sendRawRequest, rawRequestBytes, type RawReply, type RawRequest } from './raw-http';
export { HOSTILE_STRINGS } from './hostile-strings';
