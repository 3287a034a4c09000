// Sums the per-project Jest results in .reports/jest into the one line CI reads. A failing
// `npm test` whose Jest runs all passed (lint or build broke) still counts as a failure.
const fs = require('node:fs');
const path = require('node:path');

const status = Number(process.argv[2] ?? 0);
const dir = path.join(__dirname, '..', '.reports', 'jest');
let passed = 0;
let failed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const file of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += r.passed;
  failed += r.failed + r.suitesThatDidNotRun;
  // A suite that failed outside any test (e.g. in beforeAll) counts once.
  if (r.failedSuites > 0 && r.failed === 0 && r.suitesThatDidNotRun === 0) failed += 1;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`ci: ${files.length} projects ran Jest; npm test exited ${status}`);
console.log(`${passed} passed, ${failed} failed`);
