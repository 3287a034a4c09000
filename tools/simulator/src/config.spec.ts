import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCli, runCli, type CliSettings } from './cli';
import { applyConfigDocument, ConfigError, defaultConfig, loadConfigFile, parseDuration } from './config';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['2d', 172_800_000],
    ['45', 45_000],
    [' 10 m ', 600_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '-5s', '0s', '1w', '5m30s'])('refuses %j, naming the field', (text) => {
    expect(() => parseDuration(text, '--duration')).toThrow(/^--duration: must be a/);
  });
});

describe('config files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'simulator-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads YAML and JSON the same way, over the defaults', () => {
    const doc = {
      users: 42,
      duration: '90s',
      rate: 7.5,
      seed: 'shop',
      batch_size: 250,
      malformed_rate: 0.02,
      probabilities: { bot: 0.2, purchase: 0.1 },
      devices: { desktop: 1, mobile: 1, tablet: 0 },
      pages: [{ path: '/', title: 'Home', weight: 2, buttons: [{ id: 'cta', probability: 0.5 }] }, { path: '/about', weight: 1 }],
      products: [{ id: 'sku-1', name: 'Mug', category: 'kitchen', price: 9.5 }],
      payment_methods: { card: 3, cash: 1 },
    };
    const fromJson = loadConfigFile(write('sim.json', JSON.stringify(doc)));
    const yaml = [
      'users: 42', 'duration: 90s', 'rate: 7.5', 'seed: shop', 'batch_size: 250', 'malformed_rate: 0.02',
      'probabilities: {bot: 0.2, purchase: 0.1}', 'devices: {desktop: 1, mobile: 1, tablet: 0}',
      'pages:', '  - path: /', '    title: Home', '    weight: 2', '    buttons: [{id: cta, probability: 0.5}]', '  - {path: /about, weight: 1}',
      'products:', '  - {id: sku-1, name: Mug, category: kitchen, price: 9.5}', 'payment_methods: {card: 3, cash: 1}',
    ].join('\n');
    const fromYaml = loadConfigFile(write('sim.yaml', yaml));
    expect(fromYaml).toEqual(fromJson);
    expect(fromJson).toMatchObject({
      users: 42,
      durationMs: 90_000,
      rate: 7.5,
      seed: 'shop',
      batchSize: 250,
      malformedRate: 0.02,
      probabilities: { bot: 0.2, purchase: 0.1, scroll: defaultConfig().probabilities.scroll },
      pages: [{ path: '/', title: 'Home', weight: 2, buttons: [{ id: 'cta', probability: 0.5 }] }, { path: '/about', title: '/about', weight: 1, buttons: [] }],
      paymentMethods: [{ name: 'card', weight: 3 }, { name: 'cash', weight: 1 }],
    });
    expect(fromJson.referrers).toEqual(defaultConfig().referrers);
  });

  it('the committed example config loads and matches the documented defaults', () => {
    const example = join(__dirname, '../simulator.example.yaml');
    const loaded = loadConfigFile(example);
    const d = defaultConfig();
    expect({ ...loaded, durationMs: null, maxEvents: null }).toEqual({ ...d, durationMs: null, maxEvents: null });
    expect(parseYaml(readFileSync(example, 'utf8'))).toEqual(expect.objectContaining({ users: d.users }));
  });

  it.each([
    [{ users: 0 }, /^users: must be at least 1/],
    [{ users: 'many' }, /^users: must be a number/],
    [{ users: 2.5 }, /^users: must be a whole number/],
    [{ rate: 0 }, /^rate: must be greater than 0/],
    [{ duration: 'forever' }, /^duration: must be a duration/],
    [{ batch_size: 501 }, /^batch_size: must be at most 500/],
    [{ malformed_rate: 1.5 }, /^malformed_rate: must be at most 1/],
    [{ probabilities: { bot: -0.1 } }, /^probabilities\.bot: must be at least 0/],
    [{ probabilities: { bots: 0.1 } }, /^probabilities\.bots: is not a known setting/],
    [{ probabilities: { exit: 0 } }, /^probabilities\.exit: must be above 0/],
    [{ pages: [] }, /^pages: must hold at least 1 item/],
    [{ pages: [{ path: 'home' }] }, /^pages\[0\]\.path: must be a path/],
    [{ pages: [{ path: '/', buttons: [{ id: 'x', probability: 2 }] }] }, /^pages\[0\]\.buttons\[0\]\.probability: must be at most 1/],
    [{ pages: [{ path: '/', weight: 0 }] }, /^pages: weights must add up/],
    [{ products: [{ id: 'a', name: 'A', category: 'c', price: -1 }] }, /^products\[0\]\.price: must be at least 0/],
    [{ products: [{ id: 'a', name: 'A', category: 'c' }] }, /^products\[0\]\.price: must be a number/],
    [{ referrers: [{ url: 'google', weight: 1 }] }, /^referrers\[0\]\.url: must be an http\(s\) URL/],
    [{ devices: { desktop: 0, mobile: 0, tablet: 0 } }, /^devices: weights must add up/],
    [{ start: '2026-03-01' }, /^start: must be an ISO-8601 time/],
    [{ site: 'not a host' }, /^site: must be a host name/],
    [{ colour: 'blue' }, /^colour: is not a known setting/],
    [[1, 2], /must be a mapping/],
  ])('refuses %j, naming the field', (doc, message) => {
    let error: unknown;
    try {
      applyConfigDocument(doc);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('names the file and the field, and reports unparsable files', () => {
    const bad = write('bad.yaml', 'users: 10\nprobabilities:\n  purchase: lots\n');
    expect(() => loadConfigFile(bad)).toThrow(`${bad}: probabilities.purchase: must be a number (got "lots")`);
    const broken = write('broken.json', '{"users": 10,');
    expect(() => loadConfigFile(broken)).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(/^--config: cannot read .*ENOENT/);
  });
});

describe('command line', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false });
    return { code, out, err };
  };

  it('flags override the config file and the defaults', () => {
    const s = parseCli(['--users', '12', '--duration', '5m', '--rate', '3', '--seed', 's1', '--max-events', '99', '--batch-size', '50', '--malformed-rate', '0.1', '--start', '2026-03-01T00:00:00Z', '--site', 'https://blog.example.org/', '--write-key', 'k', '--quiet']) as CliSettings;
    expect(s.config).toMatchObject({ users: 12, durationMs: 300_000, rate: 3, seed: 's1', maxEvents: 99, batchSize: 50, malformedRate: 0.1, startMs: Date.parse('2026-03-01T00:00:00Z'), site: 'blog.example.org' });
    expect(s).toMatchObject({ ingestUrl: 'http://localhost:8000', writeKey: 'k', quiet: true, pace: true });
    const d = parseCli([]) as CliSettings;
    expect(d.config.durationMs).toBeNull();
    expect(d.config.maxEvents).toBeNull();
  });

  it('--help prints every flag and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--config', '--users', '--duration', '--rate', '--seed', '--ingest-url', '--write-key', '--site', '--batch-size', '--malformed-rate', '--max-events', '--quiet', '--start', '--no-pace']) {
      expect(out).toContain(flag);
    }
  });

  it.each([
    [['--users', 'ten'], /--users: must be a number/],
    [['--users', '0'], /--users: must be at least 1/],
    [['--duration', '5 minutes'], /--duration: must be a duration like 30s, 5m, 1h/],
    [['--rate=-1'], /--rate: must be greater than 0/],
    [['--batch-size', '1000'], /--batch-size: must be at most 500/],
    [['--malformed-rate', '2'], /--malformed-rate: must be at most 1/],
    [['--max-events', '1.5'], /--max-events: must be a whole number/],
    [['--start', 'yesterday'], /--start: must be an ISO-8601 time/],
    [['--ingest-url', 'localhost:8000'], /--ingest-url: must be an http\(s\) URL/],
    [['--config', '/nonexistent/sim.yaml'], /--config: cannot read/],
    [['--colour', 'blue'], /arguments: Unknown option '--colour'/],
    [['extra'], /arguments: Unexpected argument 'extra'/],
  ])('%j exits 2 with a message naming it', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('--help');
    expect(out).toBe('');
  });
});
