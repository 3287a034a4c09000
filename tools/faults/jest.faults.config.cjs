// `npm run test:faults`: the fault-injection suite against the embedded stack (several minutes).
// Its own rootDir (test/) gives its results their own file under .reports/jest, next to the unit
// specs' one, so .ci/summary.cjs counts both when both ran.
const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'faults',
  rootDir: path.join(__dirname, 'test'),
  testMatch: ['<rootDir>/faults.spec.ts'],
  // One suite, one stack: nothing else runs next to it on a small machine.
  maxWorkers: 1,
};
