module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ingest',
  // ESM-only dependencies of Fastify's inject() and @fastify/swagger-ui, compiled to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|set-cookie-parser|glob|minimatch|path-scurry|lru-cache|minipass|jackspeak|@isaacs|package-json-from-dist|foreground-child|signal-exit)/)'],
};
