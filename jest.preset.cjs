// Shared Jest settings for every project: SWC transpiles TypeScript, workspace libs resolve to
// their sources (the "@clickstream/source" export condition), and results are also written as
// JSON under .reports/jest so .ci/run can print one summary line for the whole workspace.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@clickstream/source', 'node', 'node-addons'],
  },
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          target: 'es2022',
          transform: { react: { runtime: 'automatic' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'cjs', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  reporters: ['default', path.join(__dirname, 'jest-json-reporter.cjs')],
};
