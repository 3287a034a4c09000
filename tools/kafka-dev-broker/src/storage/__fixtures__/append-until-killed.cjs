// Child process for the kill -9 test: appends batches to a PartitionLog as fast as it can and
// prints each acknowledged last offset, one per line, until it is killed.
// Usage: node append-until-killed.cjs <build dir (scratch)> <partition log dir>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

const [buildDir, logDir] = process.argv.slice(2);

// Compile the storage sources (TypeScript) to CommonJS next to each other, so their relative
// requires resolve: the child runs the same code the tests import, without a build step.
const srcDir = path.join(__dirname, '..');
for (const file of fs.readdirSync(srcDir)) {
  if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
  const { code } = transformFileSync(path.join(srcDir, file), {
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  fs.writeFileSync(path.join(buildDir, file.replace(/\.ts$/, '.js')), code);
}

const { PartitionLog } = require(path.join(buildDir, 'partition-log.js'));
const { buildRecordBatch } = require(path.join(buildDir, 'record-batch-builder.js'));

// Writes straight to fd 1 so a line is out the moment its append has returned. The pipe may be
// non-blocking: retry on EAGAIN rather than die while the parent catches up.
function print(line) {
  for (;;) {
    try {
      fs.writeSync(1, line);
      return;
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
}

const log = PartitionLog.open(logDir, { fsync: 'never', segmentBytes: 128 * 1024 });
const batches = [1, 7, 50].map((n) =>
  buildRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ key: `key-${i}`, value: Buffer.alloc(200, i) })) }),
);
print(`ready ${log.nextOffset}\n`);
for (let i = 0; ; i++) {
  // Every fourth append carries two batches, as a produce request may.
  const data = i % 4 === 3 ? Buffer.concat([batches[i % 3], batches[(i + 1) % 3]]) : Buffer.from(batches[i % 3]);
  const { lastOffset } = log.append(data);
  print(`${lastOffset}\n`);
}
