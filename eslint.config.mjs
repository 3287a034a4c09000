// Lint for the whole workspace. The module-boundary rule is the dependency matrix of
// shared/DESIGN.md ("Layout"): a project may import only what its column allows.
import nx from '@nx/eslint-plugin';

const onlyInternal = (...scopes) => scopes.map((s) => `scope:${s}`);

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '.data', '.reports', '**/coverage', '**/*.d.ts'],
  },
  {
    // Source and tests; root-relative config files (jest.config.cjs → jest.preset.cjs) are not imports between projects.
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // Libraries never import apps or tools.
            { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app', 'type:tool'] },
            { sourceTag: 'scope:event-schema', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: onlyInternal('event-schema') },
            { sourceTag: 'scope:kafka', onlyDependOnLibsWithTags: onlyInternal('runtime', 'event-schema') },
            { sourceTag: 'scope:archive', onlyDependOnLibsWithTags: onlyInternal('runtime', 'event-schema') },
            { sourceTag: 'scope:warehouse', onlyDependOnLibsWithTags: onlyInternal('runtime', 'event-schema') },
            // Apps are built on libs only.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:kafka-dev-broker', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:simulator', onlyDependOnLibsWithTags: onlyInternal('event-schema') },
            { sourceTag: 'scope:stack', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:faults', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The SPA runs in the browser: it may use the event contract's types, nothing else internal.
    files: ['apps/web/src/client/**/*.ts', 'apps/web/src/client/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@clickstream/(?!event-schema$)',
              message: 'The web client may import only @clickstream/event-schema (types).',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser tracker is served as written: function-scoped ES5 style keeps it small and old-browser safe.
    files: ['apps/ingest/src/tracker.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', location: 'readonly', history: 'readonly', fetch: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-empty-function': 'off', 'no-empty': 'off', 'no-var': 'off', 'prefer-rest-params': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
