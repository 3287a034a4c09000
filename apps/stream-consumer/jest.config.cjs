module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'stream-consumer',
  // kafkajs and the S3 SDK can keep a socket or retry timer alive for seconds after their clients
  // are closed (the outage test leaves them mid-retry); the run ends when the tests do.
  forceExit: true,
};
