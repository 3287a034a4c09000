// Build step: writes every contract schema to dist/json/<name>.json (run after tsc).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMAS, toJsonSchema } from './schema-files';

const outDir = join(__dirname, 'json');
mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(JSON_SCHEMAS)) {
  const doc = { $schema: 'http://json-schema.org/draft-07/schema#', ...toJsonSchema(schema) };
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(doc, null, 2) + '\n');
}
process.stdout.write(`event-schema: wrote ${Object.keys(JSON_SCHEMAS).length} schemas to ${outDir}\n`);
