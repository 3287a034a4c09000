module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'web',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/e2e/**/*.spec.ts'],
  // ESM-only dependencies of fastify's plugins (static, swagger-ui, cookie) run through SWC under jest.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|set-cookie-parser|glob|minimatch|path-scurry|lru-cache|minipass|jackspeak|@isaacs|package-json-from-dist|foreground-child|signal-exit)/)'],
};
