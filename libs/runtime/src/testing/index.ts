// Test support for services (not for production code): a TCP proxy that simulates a server outage,
// a logger whose lines the test can read, polling with a deadline, seeded random numbers and a free port.
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { capturedLogger } from './captured-logger';
export { waitFor } from './wait-for';
export { randomSource } from './random';
export { freePort } from './free-port';
