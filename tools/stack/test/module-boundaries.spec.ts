// The dependency matrix of shared/DESIGN.md is enforced by lint, not just written down: lint
// sources that break it (without writing them to disk) and expect the rule to refuse them.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../..');

// ESLint loads eslint.config.mjs with a dynamic import, which Jest's VM does not allow; lint in a
// child Node process instead, exactly as the lint target does.
const LINT_SCRIPT = `
  const { ESLint } = require('eslint');
  const probes = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  (async () => {
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const p of probes) {
      const [result] = await eslint.lintText(p.code, { filePath: require('path').resolve(p.file) });
      out.push(result.messages
        .filter((m) => m.severity === 2 && (m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports'))
        .map((m) => m.ruleId + ': ' + m.message));
    }
    process.stdout.write(JSON.stringify(out));
  })().catch((e) => { console.error(e); process.exit(1); });
`;

function lintProbes(probes: Array<{ file: string; code: string }>): string[][] {
  const out = execFileSync(process.execPath, ['-e', LINT_SCRIPT], { cwd: root, input: JSON.stringify(probes), encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

describe('module boundaries (DESIGN.md "Layout")', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph; make sure it exists, as `nx run-many` does.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
  }, 120_000);

  const forbidden: Array<[string, string, string]> = [
    ['a lib importing an app', 'libs/kafka/src/probe.ts', "import { x } from '@clickstream/ingest';"],
    ['a lib importing a tool', 'libs/warehouse/src/probe.ts', "import { x } from '@clickstream/kafka-dev-broker';"],
    ['event-schema importing another lib', 'libs/event-schema/src/probe.ts', "import { x } from '@clickstream/runtime';"],
    ['runtime importing kafka', 'libs/runtime/src/probe.ts', "import { x } from '@clickstream/kafka';"],
    ['an app importing another app', 'apps/etl/src/probe.ts', "import { x } from '@clickstream/web/server';"],
    ['the dev broker importing a lib', 'tools/kafka-dev-broker/src/probe.ts', "import { x } from '@clickstream/runtime';"],
    ['the simulator importing kafka', 'tools/simulator/src/probe.ts', "import { x } from '@clickstream/kafka';"],
    ['the web client importing a server lib', 'apps/web/src/client/probe.ts', "import { x } from '@clickstream/warehouse';"],
    ['a lib reaching into an app by relative path', 'libs/archive/src/probe.ts', "import { x } from '../../../apps/ingest/src/config';"],
  ];
  const allowed: Array<[string, string, string]> = [
    ['kafka importing runtime and event-schema', 'libs/kafka/src/probe.ts', "import { a } from '@clickstream/runtime';\nimport { b } from '@clickstream/event-schema';"],
    ['an app importing libs', 'apps/ingest/src/probe.ts', "import { a } from '@clickstream/kafka';\nimport { b } from '@clickstream/warehouse';"],
    ['the web client importing event-schema types', 'apps/web/src/client/probe.ts', "import type { a } from '@clickstream/event-schema';\nimport type { b } from '@clickstream/event-schema';"],
    ['the stack importing anything', 'tools/stack/src/probe.ts', "import { a } from '@clickstream/ingest';\nimport { b } from '@clickstream/kafka-dev-broker';"],
  ];
  let forbiddenErrors: string[][];
  let allowedErrors: string[][];

  beforeAll(() => {
    const results = lintProbes([
      ...forbidden.map(([, file, code]) => ({ file, code: `${code}\nexport const y = x;\n` })),
      ...allowed.map(([, file, code]) => ({ file, code: `${code}\nexport const y = [a, b];\n` })),
    ]);
    forbiddenErrors = results.slice(0, forbidden.length);
    allowedErrors = results.slice(forbidden.length);
  }, 120_000);

  it.each(forbidden.map(([name], i) => [name, i] as const))('fails lint for %s', (_name, i) => {
    expect(forbiddenErrors[i].length).toBeGreaterThan(0);
  });

  it.each(allowed.map(([name], i) => [name, i] as const))('allows %s', (_name, i) => {
    expect(allowedErrors[i]).toEqual([]);
  });
});
