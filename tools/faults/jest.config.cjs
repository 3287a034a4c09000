// The project's tests: the unit specs of the suite's logic and the fault-injection suite itself
// (test/faults.spec.ts, about 5 minutes: it runs in `npm test`). `npm run test:faults` runs the
// suite alone (jest.faults.config.cjs).
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'faults',
};
