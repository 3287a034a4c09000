// Writes each Jest run's totals to .reports/jest/<project>.json; .ci/run sums them into the
// single "N passed, N failed" line CI reads.
const fs = require('node:fs');
const path = require('node:path');

class JsonSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '.reports', 'jest');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(__dirname, this.rootDir).replace(/[\\/]/g, '__') || 'root';
    // (results.success is only computed after reporters run, so it is not recorded.)
    const summary = {
      project: path.relative(__dirname, this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      failedSuites: results.numFailedTestSuites,
      suitesThatDidNotRun: results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary, null, 2) + '\n');
  }
}

module.exports = JsonSummaryReporter;
