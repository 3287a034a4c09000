// Test support for services (not for production code): a TCP proxy that simulates a server outage,
// and a logger whose lines the test can read.
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { capturedLogger } from './captured-logger';
