// The published package must work for another team: pack it, unpack it somewhere else and use it
// through its public entry points only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..');
const workspaceRoot = resolve(packageDir, '../..');

describe('npm pack', () => {
  // Unpacked under the workspace so the package's dependencies resolve from the root node_modules.
  const scratch = join(workspaceRoot, '.reports');
  let dir: string;

  beforeAll(() => {
    mkdirSync(scratch, { recursive: true });
    dir = mkdtempSync(join(scratch, 'pack-'));
    execFileSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: packageDir, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    const target = join(dir, 'node_modules', '@clickstream', 'event-schema');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', target, '--strip-components=1']);
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships types, schemas and the README, and no sources or tests', () => {
    const root = join(dir, 'node_modules', '@clickstream', 'event-schema');
    for (const f of ['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/json/event-v1.json', 'dist/json/batch-input.json']) {
      expect(existsSync(join(root, f))).toBe(true);
    }
    expect(existsSync(join(root, 'src'))).toBe(false);
    expect(existsSync(join(root, 'dist/emit-schemas.js'))).toBe(false);
  });

  it('normalises an event and exposes the .json schemas through its exports', () => {
    const script = `
      const cs = require('@clickstream/event-schema');
      const schema = require('@clickstream/event-schema/json/event-v1.json');
      const r = cs.normalize({ type: 'page_view', user_id: 'u', session_id: 's', url: 'https://x.example/a' }, { receivedAt: 0 });
      process.stdout.write(JSON.stringify({ ok: r.ok, type: r.event.event_type, path: r.event.page.path, id: schema.$id, valid: cs.validateCanonicalEvent(r.event).ok }));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ ok: true, type: 'page_view', path: '/a', id: 'urn:clickstream:event:v1', valid: true });
  });
});
