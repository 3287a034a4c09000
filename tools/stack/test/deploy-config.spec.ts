// The deployment files of the stack issue — docker/*.Dockerfile, .dockerignore, docker-compose.yml,
// docker/prometheus.yml, docker/grafana/**, deploy/** (kustomize) — checked against the apps' own
// sources, since no Docker engine or cluster is at hand to run them: every env variable set is one an
// app reads, every probe and health check hits a route an app serves, every metric a dashboard
// queries is one an app exports, every table its SQL reads is one the migrations create. Where a
// real validator is installed (docker-compose, promtool, kubectl kustomize) it runs as well; where
// one is missing the test says so on the console and keeps to the structural checks. The dashboard
// SQL and the migration Job's scripts also run against a real PostgreSQL (TEST_DATABASE_URL or an
// embedded one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import { createWarehouse } from '@clickstream/warehouse';
import { createTestWarehouse, startTestPostgres, type TestPostgres, type TestWarehouse } from '@clickstream/warehouse/testing';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(__dirname, '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const exists = (path: string): boolean => existsSync(join(root, path));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, what: string): Obj => {
  if (!isObj(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v;
};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A validator on PATH, or null (said on the console, so a green run without it is not mistaken for one with it). */
function tool(command: string, why: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : null;
  if (!path) console.warn(`deploy-config: ${command} is not installed, so ${why} is checked structurally only`);
  return path;
}

/** `docker` when its compose plugin answers (a docker CLI without it cannot validate), else null. */
function dockerWithCompose(): string | null {
  const docker = tool('docker', 'docker-compose.yml');
  if (docker && spawnSync(docker, ['compose', 'version'], { encoding: 'utf8' }).status !== 0) {
    console.warn('deploy-config: docker has no compose plugin, so docker-compose.yml is checked structurally only');
    return null;
  }
  return docker;
}

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

describe('validators', () => {
  it('says on the console when one is missing (the structural checks then stand alone)', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(tool('clickstream-no-such-validator', 'nothing')).toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('clickstream-no-such-validator is not installed'));
      expect(tool('node', 'nothing')).toMatch(/node$/);
    } finally {
      warn.mockRestore();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// What the apps really are, read from their sources

const APPS = ['ingest', 'stream-consumer', 'etl', 'web'] as const;
type App = (typeof APPS)[number];

/** Source files (not specs) under a directory. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(root, d))) {
      const p = posix.join(d, name);
      if (statSync(join(root, p)).isDirectory()) {
        if (name !== 'node_modules' && name !== 'dist') walk(p);
      } else if (/\.tsx?$/.test(name) && !/\.spec\.tsx?$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The text of the object literal that starts at `open` (a `{`), braces balanced. */
function objectLiteral(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{' || text[i] === '(' || text[i] === '[') depth++;
    else if (text[i] === '}' || text[i] === ')' || text[i] === ']') {
      depth--;
      if (depth === 0) return text.slice(open, i + 1);
    }
  }
  throw new Error('unbalanced object literal');
}

/** Top-level keys of an object literal's text, spreads (`...name`) resolved through the libs' exports. */
function literalKeys(literal: string): string[] {
  const inner = literal.slice(1, -1);
  const keys: string[] = [];
  let depth = 0;
  let start = 0;
  const entries: string[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if ('{(['.includes(c)) depth++;
    else if ('})]'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      entries.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(inner.slice(start));
  for (const raw of entries) {
    const entry = raw.replace(/\/\/.*$/gm, '').trim();
    if (!entry) continue;
    const spread = /^\.\.\.([A-Za-z_$][\w$]*)$/.exec(entry);
    if (spread) keys.push(...exportedObjectKeys(spread[1]));
    else {
      const key = /^['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?\s*:/.exec(entry);
      if (key) keys.push(key[1]);
    }
  }
  return keys;
}

const LIB_SOURCES = readdirSync(join(root, 'libs')).flatMap((lib) => (exists(`libs/${lib}/src`) ? sources(`libs/${lib}/src`) : []));

/** Keys of `export const <name> = { … }` in one of the libs. */
function exportedObjectKeys(name: string): string[] {
  for (const file of LIB_SOURCES) {
    const text = read(file);
    const m = new RegExp(`export const ${name}\\s*=\\s*\\{`).exec(text);
    if (m) return literalKeys(objectLiteral(text, m.index + m[0].length - 1));
  }
  throw new Error(`no lib exports an object named ${name}`);
}

/** The environment variables an app reads: the keys of its config schema (src/config.ts). */
function appEnvNames(app: App): Set<string> {
  const text = read(`apps/${app}/src/config.ts`);
  const m = /export const \w+ConfigSchema\s*=\s*Type\.Object\(\s*\{/.exec(text);
  if (!m) throw new Error(`apps/${app}/src/config.ts: no ...ConfigSchema = Type.Object({`);
  return new Set(literalKeys(objectLiteral(text, m.index + m[0].length - 1)));
}

const ENV: Record<App, Set<string>> = Object.fromEntries(APPS.map((app) => [app, appEnvNames(app)])) as Record<App, Set<string>>;
const ALL_ENV = new Set(APPS.flatMap((app) => [...ENV[app]]));

/** The app's default port (env.port(N, …) of its *_PORT variable) and that variable's name. */
function appPort(app: App): { variable: string; port: number } {
  const m = /([A-Z]+_PORT):\s*env\.port\((\d+)/.exec(read(`apps/${app}/src/config.ts`));
  if (!m) throw new Error(`apps/${app}: no *_PORT: env.port(N) in config.ts`);
  return { variable: m[1], port: Number(m[2]) };
}

/** HTTP GET routes an app serves: its own `app.get('/…')` and, for the ops server apps, libs/runtime's. */
function appRoutes(app: App): Set<string> {
  const routes = new Set<string>();
  for (const file of sources(`apps/${app}/src`)) {
    for (const m of read(file).matchAll(/\.get\(\s*'(\/[^']*)'/g)) routes.add(m[1]);
  }
  if (sources(`apps/${app}/src`).some((f) => /startOpsServer\(/.test(read(f)))) {
    for (const m of read('libs/runtime/src/ops-server.ts').matchAll(/'(\/[a-z]+)':\s*async/g)) routes.add(m[1]);
  }
  return routes;
}

/** Internal libs an app loads at run time: its source imports, then the libs' own dependencies. */
function runtimeLibs(project: string): Set<string> {
  const libs = new Set<string>();
  const queue: string[] = [];
  for (const file of sources(`${project}/src`)) {
    for (const m of read(file).matchAll(/^import (?!type )[^;]*?from '@clickstream\/([a-z-]+)/gms)) queue.push(m[1]);
  }
  while (queue.length > 0) {
    const lib = queue.shift() as string;
    if (libs.has(lib) || !exists(`libs/${lib}/package.json`)) continue;
    libs.add(lib);
    const deps = Object.keys((JSON.parse(read(`libs/${lib}/package.json`)) as { dependencies?: Obj }).dependencies ?? {});
    queue.push(...deps.filter((d) => d.startsWith('@clickstream/')).map((d) => d.slice('@clickstream/'.length)));
  }
  return libs;
}

/** Metric names the apps export: prom-client metrics in apps/*\/src, plus the default metrics of libs/runtime's registry. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  const add = (name: string, type: string) => {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  };
  for (const app of APPS) {
    for (const file of sources(`apps/${app}/src`)) {
      for (const m of read(file).matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) add(m[2], m[1].toLowerCase());
    }
  }
  // libs/runtime's createMetricsRegistry collects prom-client's default metrics under a prefix.
  const metricsTs = read('libs/runtime/src/metrics.ts');
  const prefix = /prefix = '([^']*)'/.exec(metricsTs)?.[1];
  if (prefix === undefined || !/defaultMetrics = true/.test(metricsTs)) throw new Error('libs/runtime/src/metrics.ts: default metrics prefix not found');
  const requireFromRuntime = createRequire(join(root, 'libs/runtime/package.json'));
  const promClient = requireFromRuntime('prom-client') as typeof import('prom-client');
  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry, prefix });
  for (const metric of registry.getMetricsAsArray()) {
    const type = str((metric as unknown as { type?: unknown }).type);
    add(metric.name, type);
  }
  // Series Prometheus itself adds to every target.
  for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped']) names.add(name);
  return names;
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

const compose = obj(parse(read('docker-compose.yml'), { merge: true }), 'docker-compose.yml');
const services = obj(compose['services'], 'services');
const service = (name: string): Obj => obj(services[name], `service ${name}`);
const composeVolumes = obj(compose['volumes'] ?? {}, 'volumes');

function environmentOf(svc: Obj): Record<string, string> {
  const env = svc['environment'];
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => str(e).split(/=(.*)/s).slice(0, 2) as [string, string]));
  }
  return Object.fromEntries(Object.entries(obj(env ?? {}, 'environment')).map(([k, v]) => [k, str(v)]));
}

/** Long-running unless it never restarts and is a job: under a profile, or waited for until it completes. */
function isOneShot(name: string): boolean {
  const svc = service(name);
  if (svc['restart'] !== 'no') return false;
  const waitedFor = Object.values(services).some((other) => {
    const dep = isObj(other) && isObj(other['depends_on']) ? other['depends_on'][name] : undefined;
    return isObj(dep) && dep['condition'] === 'service_completed_successfully';
  });
  return waitedFor || arr(svc['profiles']).length > 0;
}

const COMPOSE_APP: Record<App, string> = { ingest: 'ingest', 'stream-consumer': 'stream-consumer', etl: 'etl', web: 'web' };

describe('docker-compose.yml', () => {
  it('parses (and passes docker-compose config where installed), and runs real Kafka (KRaft), PostgreSQL, MinIO, Prometheus, Grafana, the four apps and the simulator', () => {
    for (const name of ['kafka', 'postgres', 'minio', 'createbuckets', 'prometheus', 'grafana', ...APPS, 'simulator']) {
      expect(Object.keys(services)).toContain(name);
    }
    expect(str(service('kafka')['image'])).toMatch(/^apache\/kafka:/);
    const kafkaEnv = environmentOf(service('kafka'));
    expect(kafkaEnv['KAFKA_PROCESS_ROLES']).toMatch(/controller/);
    expect(kafkaEnv['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBeTruthy();
    expect(JSON.stringify(compose)).not.toMatch(/zookeeper/i);
    expect(str(service('postgres')['image'])).toMatch(/^postgres:/);
    expect(str(service('minio')['image'])).toMatch(/^minio\/minio/);
    expect(str(service('createbuckets')['image'])).toMatch(/^minio\/mc/);

    // and the Compose schema, where docker-compose (or docker compose) is installed
    const validator = tool('docker-compose', 'docker-compose.yml') ?? dockerWithCompose();
    if (validator) {
      const args = validator.endsWith('docker-compose') ? [] : ['compose'];
      for (const extra of [[], ['--profile', 'simulator']]) {
        const result = run(validator, [...args, '-f', 'docker-compose.yml', ...extra, 'config', '-q']);
        expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: '' });
      }
    }
  });

  it('gives every long-running service a health check, and every other one is a one-shot job', () => {
    for (const [name, raw] of Object.entries(services)) {
      const svc = obj(raw, name);
      const hc = svc['healthcheck'];
      if (isObj(hc) && hc['disable'] !== true) {
        const test = hc['test'];
        expect(Array.isArray(test) ? test.length : str(test).length).toBeGreaterThan(0);
        if (Array.isArray(test)) expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
      } else {
        expect({ service: name, oneShot: isOneShot(name) }).toEqual({ service: name, oneShot: true });
      }
    }
    expect(isOneShot('createbuckets')).toBe(true);
    expect(arr(service('simulator')['profiles'])).toEqual(['simulator']);
  });

  it('has every depends_on name an existing service with a condition that fits it', () => {
    let edges = 0;
    for (const [name, raw] of Object.entries(services)) {
      const deps = obj(raw, name)['depends_on'];
      if (deps === undefined) continue;
      expect({ service: name, dependsOnIsMapping: isObj(deps) }).toEqual({ service: name, dependsOnIsMapping: true });
      for (const [dep, spec] of Object.entries(obj(deps, `${name}.depends_on`))) {
        edges++;
        expect(Object.keys(services)).toContain(dep);
        const condition = obj(spec, `${name}.depends_on.${dep}`)['condition'];
        expect({ edge: `${name} → ${dep}`, condition }).toEqual({
          edge: `${name} → ${dep}`,
          condition: isOneShot(dep) ? 'service_completed_successfully' : 'service_healthy',
        });
        // waiting for health needs a health check to wait for
        if (condition === 'service_healthy') expect(isObj(service(dep)['healthcheck'])).toBe(true);
      }
    }
    expect(edges).toBeGreaterThanOrEqual(10);
    // no cycles
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      for (const dep of Object.keys(obj(service(name)['depends_on'] ?? {}, name))) visit(dep, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('declares every named volume it mounts (and mounts every one it declares); bind mounts exist in the repository', () => {
    const used = new Set<string>();
    for (const [name, raw] of Object.entries(services)) {
      for (const v of arr(obj(raw, name)['volumes'])) {
        const source = isObj(v) ? str(v['source']) : str(v).split(':')[0];
        if (source.startsWith('.') || source.startsWith('/')) {
          expect({ service: name, bind: source, exists: exists(source) }).toEqual({ service: name, bind: source, exists: true });
        } else {
          used.add(source);
          expect(Object.keys(composeVolumes)).toContain(source);
        }
      }
    }
    expect([...used].sort()).toEqual(Object.keys(composeVolumes).sort());
    for (const stateful of ['kafka', 'postgres', 'minio', 'prometheus', 'grafana']) {
      expect(arr(service(stateful)['volumes']).some((v) => !str(v).startsWith('.'))).toBe(true);
    }
  });

  it('builds the apps from docker/<app>.Dockerfile at the repository root and publishes the README ports', () => {
    for (const app of [...APPS, 'simulator']) {
      const build = obj(service(app)['build'], `${app}.build`);
      expect(build['context']).toBe('.');
      expect(build['dockerfile']).toBe(`docker/${app}.Dockerfile`);
      expect(exists(str(build['dockerfile']))).toBe(true);
    }
    for (const app of APPS) {
      const { port } = appPort(app);
      expect(arr(service(COMPOSE_APP[app])['ports']).map(str)).toContain(`${port}:${port}`);
    }
    expect(arr(service('kafka')['ports']).map(str)).toContain('9092:9092');
  });

  it('sets only environment variables the apps read, wired to the compose services', () => {
    const kafkaEnv = environmentOf(service('kafka'));
    // the listener advertised to the other containers
    const internal = str(kafkaEnv['KAFKA_ADVERTISED_LISTENERS'])
      .split(',')
      .map((l) => /^\w+:\/\/([^:]+):(\d+)$/.exec(l.trim()))
      .find((m) => m && m[1] === 'kafka');
    expect(internal).toBeTruthy();
    const kafkaAddress = `kafka:${internal?.[2]}`;
    for (const app of APPS) {
      const env = environmentOf(service(COMPOSE_APP[app]));
      for (const name of Object.keys(env)) {
        expect({ app, variable: name, read: ENV[app].has(name) }).toEqual({ app, variable: name, read: true });
      }
      const { variable, port } = appPort(app);
      expect(Number(env[variable] ?? port)).toBe(port);
      if (ENV[app].has('KAFKA_BROKERS')) expect(env['KAFKA_BROKERS']).toBe(kafkaAddress);
      if (ENV[app].has('DATABASE_URL')) {
        const url = new URL(env['DATABASE_URL'].replace(/\$\{[^}]*\}/g, 'x'));
        expect(url.protocol).toBe('postgres:');
        expect(url.host).toBe('postgres:5432');
      }
      if (ENV[app].has('S3_ENDPOINT')) expect(env['S3_ENDPOINT']).toBe('http://minio:9000');
      if (ENV[app].has('S3_BUCKET')) {
        expect(str(service('createbuckets')['entrypoint'])).toContain(`local/${env['S3_BUCKET']}`);
      }
    }
    // the apps' own health checks hit routes they serve, on their ports
    for (const app of APPS) {
      const test = arr(obj(service(COMPOSE_APP[app])['healthcheck'], app)['test']).map(str).join(' ');
      const m = /http:\/\/127\.0\.0\.1:(\d+)(\/[^'"]*)/.exec(test);
      expect(m).toBeTruthy();
      expect(Number(m?.[1])).toBe(appPort(app).port);
      expect(appRoutes(app)).toContain(m?.[2]);
    }
  });

  it('runs the simulator against ingest, only under its profile', () => {
    const sim = service('simulator');
    expect(arr(sim['command']).map(str).join(' ')).toBe('node tools/simulator/dist/main.js --ingest-url http://ingest:8000');
    expect(obj(sim['depends_on'], 'simulator.depends_on')['ingest']).toEqual({ condition: 'service_healthy' });
  });

});

// ---------------------------------------------------------------------------------------------
// Dockerfiles

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

function stages(dockerfile: string): Stage[] {
  // join continuation lines, drop comments
  const lines = read(dockerfile)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1], name: from[2], lines: [] });
    else out[out.length - 1]?.lines.push(line);
  }
  return out;
}

const instruction = (stage: Stage, name: string): string[] =>
  stage.lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length).trim());

describe('docker/*.Dockerfile', () => {
  const projects: Array<{ name: string; dir: string; app?: App }> = [
    ...APPS.map((app) => ({ name: app, dir: `apps/${app}`, app })),
    { name: 'simulator', dir: 'tools/simulator' },
  ];

  it.each(projects)('$name: multi-stage, npm ci and the Nx build, production dependencies only, non-root, health check, CMD', ({ name, dir, app }) => {
    const file = `docker/${name}.Dockerfile`;
    const all = stages(file);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const build = all.find((s) => s.name === 'build');
    expect(build).toBeDefined();
    const runtime = all[all.length - 1];
    expect(runtime.from).toMatch(/^node:20(\.\d+)*-(slim|alpine)/);
    expect(runtime.name).toBeDefined();

    const buildRuns = instruction(build as Stage, 'RUN').join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).toMatch(new RegExp(`nx run ${name}:build`));
    expect(instruction(build as Stage, 'COPY')).toContain('. .');
    // production node_modules, for this project's workspace
    expect(buildRuns).toMatch(/npm ci --omit=dev/);
    expect(buildRuns).toContain(`--workspace @clickstream/${name}`);

    // every internal lib the project loads at run time: its dist copied, its package installed —
    // also when the project lists it only among its devDependencies (npm ci --omit=dev skips those)
    const pkg = JSON.parse(read(`${dir}/package.json`)) as { dependencies?: Obj };
    const prodDeps = new Set(Object.keys(pkg.dependencies ?? {}));
    const copies = instruction(runtime, 'COPY');
    for (const lib of runtimeLibs(dir)) {
      expect(copies).toContain(`--from=build /repo/libs/${lib}/dist libs/${lib}/dist`);
      if (!prodDeps.has(`@clickstream/${lib}`)) expect(buildRuns).toContain(`--workspace @clickstream/${lib}`);
    }
    if (runtimeLibs(dir).has('warehouse')) expect(copies).toContain('--from=build /repo/libs/warehouse/migrations libs/warehouse/migrations');
    expect(copies).toContain(`--from=build /repo/${dir}/dist ${dir}/dist`);
    expect(copies).toContain('--from=build /prod/ ./');

    const users = instruction(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    expect(instruction(runtime, 'CMD')).toEqual([`["node", "${dir}/dist/main.js"${app ? '' : ', "--ingest-url", "http://ingest:8000"'}]`]);

    const healthcheck = instruction(runtime, 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    if (app) {
      const { variable, port } = appPort(app);
      expect(instruction(runtime, 'EXPOSE')).toEqual([String(port)]);
      expect(healthcheck[0]).toMatch(/CMD \["node", "-e", "fetch\(/);
      const m = new RegExp(`process\\.env\\.${variable}\\|\\|${port}\\)\\+'(/[^']*)'`).exec(healthcheck[0]);
      expect(m).toBeTruthy();
      expect(appRoutes(app)).toContain(m?.[1]);
    } else {
      expect(healthcheck[0]).toBe('NONE'); // a job, not a server
    }
  });

  it('has a .dockerignore that keeps dependencies, builds, data and caches out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.data', '.nx', '**/coverage', '.git']) expect(ignored).toContain(entry);
    // ...but not what the build needs
    for (const needed of ['package-lock.json', 'libs', 'apps', 'tools', 'tsconfig.base.json', 'nx.json']) expect(ignored).not.toContain(needed);
  });
});

// ---------------------------------------------------------------------------------------------
// Prometheus and Grafana

const PROMETHEUS = obj(parse(read('docker/prometheus.yml')), 'prometheus.yml');

describe('docker/prometheus.yml', () => {
  it('scrapes /metrics of the four apps on their compose service names and ports (and passes promtool check config where installed)', () => {
    const targets = new Map<string, string>();
    for (const job of arr(PROMETHEUS['scrape_configs']).map((j) => obj(j, 'scrape config'))) {
      for (const sc of arr(job['static_configs'])) {
        for (const t of arr(obj(sc, 'static_config')['targets'])) targets.set(str(t), str(job['metrics_path'] ?? '/metrics'));
      }
    }
    for (const app of APPS) {
      const target = `${COMPOSE_APP[app]}:${appPort(app).port}`;
      expect(targets.get(target)).toBe('/metrics');
      expect(appRoutes(app)).toContain('/metrics');
    }
    expect(arr(service('prometheus')['volumes']).map(str)).toContain('./docker/prometheus.yml:/etc/prometheus/prometheus.yml:ro');

    // and promtool's own check, where it is installed
    const promtool = tool('promtool', 'docker/prometheus.yml');
    if (promtool) {
      const result = run(promtool, ['check', 'config', 'docker/prometheus.yml']);
      expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    }
  });
});

const DATASOURCE_FILES = readdirSync(join(root, 'docker/grafana/provisioning/datasources')).filter((f) => /\.ya?ml$/.test(f));
const DATASOURCES = DATASOURCE_FILES.flatMap((f) => arr(obj(parse(read(`docker/grafana/provisioning/datasources/${f}`)), f)['datasources']).map((d) => obj(d, f)));
const DASHBOARD_FILES = readdirSync(join(root, 'docker/grafana/dashboards')).filter((f) => f.endsWith('.json'));
const dashboard = (file: string): Obj => obj(JSON.parse(read(`docker/grafana/dashboards/${file}`)), file);

interface Target {
  dashboard: string;
  panel: string;
  datasource: Obj;
  expr?: string;
  rawSql?: string;
}

function panelsOf(d: Obj): Obj[] {
  return arr(d['panels']).flatMap((p) => [obj(p, 'panel'), ...arr(obj(p, 'panel')['panels']).map((q) => obj(q, 'panel'))]);
}

function targetsOf(file: string): Target[] {
  return panelsOf(dashboard(file))
    .filter((p) => p['type'] !== 'row')
    .flatMap((p) =>
      arr(p['targets']).map((t) => {
        const target = obj(t, 'target');
        return {
          dashboard: file,
          panel: str(p['title']),
          datasource: obj(target['datasource'] ?? p['datasource'], `${file} ${str(p['title'])} datasource`),
          expr: typeof target['expr'] === 'string' ? target['expr'] : undefined,
          rawSql: typeof target['rawSql'] === 'string' ? target['rawSql'] : undefined,
        };
      }),
    );
}

/** Metric names in a PromQL expression: identifiers outside label matchers, ranges, strings and grouping clauses, not called as functions. */
function promqlMetrics(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);
  return [...stripped.matchAll(/(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]).filter((n) => !keywords.has(n.toLowerCase()));
}

/** Tables after FROM / JOIN (not functions, not subqueries), with their schema if qualified. */
function sqlTables(sql: string): Array<{ schema?: string; table: string }> {
  return [...sql.matchAll(/\b(?:from|join)\s+(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)\b(?!\s*\()/gi)].map((m) => ({ schema: m[1], table: m[2] }));
}

/** The tables the warehouse migrations leave in place, in journal order. */
function migratedTables(): Set<string> {
  const journal = JSON.parse(read('libs/warehouse/migrations/meta/_journal.json')) as { entries: Array<{ idx: number; tag: string }> };
  const tables = new Set<string>();
  for (const { tag } of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
    const text = read(`libs/warehouse/migrations/${tag}.sql`);
    for (const m of text.matchAll(/\b(CREATE|DROP) TABLE (?:IF (?:NOT )?EXISTS )?"?([a-z_][a-z0-9_]*)"?/gi)) {
      if (m[1].toUpperCase() === 'CREATE') tables.add(m[2]);
      else tables.delete(m[2]);
    }
  }
  return tables;
}

const WAREHOUSE_SCHEMA = /DEFAULT_WAREHOUSE_SCHEMA = '([a-z_]+)'/.exec(read('libs/warehouse/src/schema-name.ts'))?.[1] as string;

describe('docker/grafana provisioning', () => {
  it('provisions the Prometheus and PostgreSQL datasources with fixed uids, pointing at the compose services', () => {
    const prom = DATASOURCES.find((d) => d['type'] === 'prometheus');
    const pg = DATASOURCES.find((d) => /postgres/.test(str(d['type'])));
    expect(prom?.['uid']).toBeTruthy();
    expect(pg?.['uid']).toBeTruthy();
    expect(prom?.['url']).toBe('http://prometheus:9090');
    expect(pg?.['url']).toBe('postgres:5432');
    // the ${VARS} it reads are set on the grafana service
    const grafanaEnv = environmentOf(service('grafana'));
    const text = DATASOURCE_FILES.map((f) => read(`docker/grafana/provisioning/datasources/${f}`)).join('\n');
    for (const m of text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)) expect(Object.keys(grafanaEnv)).toContain(m[1]);
    expect(environmentOf(service('postgres'))['POSTGRES_DB']).toBe(grafanaEnv['POSTGRES_DB']);
  });

  it('loads the dashboards directory that compose mounts', () => {
    const volumes = arr(service('grafana')['volumes']).map(str);
    expect(volumes).toContain('./docker/grafana/provisioning:/etc/grafana/provisioning:ro');
    const mount = volumes.find((v) => v.startsWith('./docker/grafana/dashboards:'));
    expect(mount).toBeDefined();
    const files = readdirSync(join(root, 'docker/grafana/provisioning/dashboards')).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const paths = files.flatMap((f) => arr(obj(parse(read(`docker/grafana/provisioning/dashboards/${f}`)), f)['providers']).map((p) => str(obj(obj(p, f)['options'], f)['path'])));
    expect(paths).toContain(str(mount).split(':')[1]);
    const home = environmentOf(service('grafana'))['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
    if (home) expect(DASHBOARD_FILES.map((f) => `${str(mount).split(':')[1]}/${f}`)).toContain(home);
  });

  it.each(DASHBOARD_FILES)('%s works with no manual edit: own uid, provisioned datasource uids, no ${DS_…} inputs', (file) => {
    const text = read(`docker/grafana/dashboards/${file}`);
    const d = dashboard(file);
    expect(d['uid']).toBeTruthy();
    expect(d['__inputs']).toBeUndefined();
    expect(text).not.toMatch(/\$\{DS_/);
    const uids = new Map(DATASOURCES.map((ds) => [str(ds['uid']), str(ds['type'])]));
    const targets = targetsOf(file);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      expect({ panel: t.panel, uid: t.datasource['uid'], known: uids.has(str(t.datasource['uid'])) }).toEqual({ panel: t.panel, uid: t.datasource['uid'], known: true });
      expect(t.datasource['type']).toBe(uids.get(str(t.datasource['uid'])));
      expect(t.expr ?? t.rawSql).toBeTruthy();
    }
    for (const v of arr(obj(d['templating'] ?? {}, 'templating')['list'])) {
      const ds = obj(v, 'variable')['datasource'];
      if (ds !== undefined) expect(uids.has(str(obj(ds, 'variable datasource')['uid']))).toBe(true);
    }
    const ids = panelsOf(d).map((p) => p['id']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only metrics the apps export (their prom-client metrics and the prefixed default metrics)', () => {
    const exported = exportedMetricNames();
    const used = new Set<string>();
    for (const file of DASHBOARD_FILES) {
      for (const t of targetsOf(file)) {
        if (t.expr === undefined) continue;
        for (const name of promqlMetrics(t.expr)) {
          used.add(name);
          expect({ panel: `${file}: ${t.panel}`, metric: name, exported: exported.has(name) }).toEqual({ panel: `${file}: ${t.panel}`, metric: name, exported: true });
        }
      }
    }
    // the pipeline-health dashboard covers ingest rate, consumer lag, ETL runs and duration, DLQ writes, archive objects
    for (const needed of [
      'clickstream_ingest_events_total',
      'clickstream_consumer_lag',
      'clickstream_etl_runs_total',
      'clickstream_etl_run_duration_seconds_bucket',
      'clickstream_ingest_dlq_writes_total',
      'clickstream_consumer_dlq_messages_total',
      'clickstream_archive_objects_total',
    ]) {
      expect(used).toContain(needed);
    }
    // the extractor itself: label names, ranges and functions are not metrics
    expect(promqlMetrics('histogram_quantile(0.95, sum by (le, route) (rate(x_bucket{a="b"}[$__rate_interval])))')).toEqual(['x_bucket']);
    expect(promqlMetrics('time() - max(y_seconds) + sum(increase(z_total[$__range]))')).toEqual(['y_seconds', 'z_total']);
  });

  it('reads only warehouse tables the migrations create, in the default schema, for seed 003\'s five panels', () => {
    const tables = migratedTables();
    expect(tables).toContain('user_minute_counts');
    let sqlTargets = 0;
    for (const file of DASHBOARD_FILES) {
      const d = dashboard(file);
      const queries = [
        ...targetsOf(file).flatMap((t) => (t.rawSql ? [{ panel: t.panel, sql: t.rawSql }] : [])),
        ...arr(obj(d['templating'] ?? {}, 'templating')['list']).flatMap((v) => (obj(v, 'variable')['type'] === 'query' ? [{ panel: `$${str(obj(v, 'variable')['name'])}`, sql: str(obj(v, 'variable')['query']) }] : [])),
      ];
      for (const q of queries) {
        sqlTargets++;
        const used = sqlTables(q.sql);
        expect(used.length).toBeGreaterThan(0);
        for (const { schema, table } of used) {
          expect({ panel: q.panel, table: `${schema}.${table}`, migrated: tables.has(table) }).toEqual({ panel: q.panel, table: `${WAREHOUSE_SCHEMA}.${table}`, migrated: true });
        }
      }
    }
    expect(sqlTargets).toBeGreaterThanOrEqual(6);
    const titles = DASHBOARD_FILES.flatMap((f) => panelsOf(dashboard(f)).filter((p) => targetsOf(f).some((t) => t.rawSql && t.panel === p['title'])).map((p) => str(p['title'])));
    for (const seed003 of [/total events today/i, /events per minute/i, /distribution by type/i, /top 5 .*users.*last hour/i, /volume growth/i]) {
      expect(titles.some((t) => seed003.test(t))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// deploy/ (kustomize)

interface K8s {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Obj;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  file: string;
}

function kustomization(dir: string): Obj {
  return obj(parse(read(`${dir}/kustomization.yaml`)), `${dir}/kustomization.yaml`);
}

/** The objects of a kustomization's resources (directories followed), before patches. */
function resourcesOf(dir: string): K8s[] {
  const k = kustomization(dir);
  return arr(k['resources']).flatMap((r) => {
    const path = posix.normalize(posix.join(dir, str(r)));
    if (exists(`${path}/kustomization.yaml`)) return resourcesOf(path);
    return parseAllDocuments(read(path)).map((doc) => {
      expect(doc.errors).toEqual([]);
      return { ...(doc.toJS() as Omit<K8s, 'file'>), file: path };
    });
  });
}

const BASE = resourcesOf('deploy/base');
const ofKind = (kind: string): K8s[] => BASE.filter((o) => o.kind === kind);
const podSpec = (o: K8s): Obj => obj(obj(obj(o.spec, o.metadata.name)['template'], 'template')['spec'], 'pod spec');
const podLabels = (o: K8s): Obj => obj(obj(obj(obj(o.spec, o.metadata.name)['template'], 'template')['metadata'], 'template metadata')['labels'], 'pod labels');
const containersOf = (o: K8s): Obj[] => arr(podSpec(o)['containers']).map((c) => obj(c, 'container'));
const initContainersOf = (o: K8s): Obj[] => arr(podSpec(o)['initContainers']).map((c) => obj(c, 'init container'));

describe('deploy/ (kustomize)', () => {
  it('lists only files that exist and parse, in the base and the overlay', () => {
    for (const dir of ['deploy/base', 'deploy/overlays/example']) {
      const k = kustomization(dir);
      expect(k['kind']).toBe('Kustomization');
      for (const r of arr(k['resources'])) {
        const path = posix.normalize(posix.join(dir, str(r)));
        expect({ resource: path, exists: exists(path) && (statSync(join(root, path)).isFile() || exists(`${path}/kustomization.yaml`)) }).toEqual({ resource: path, exists: true });
      }
      for (const p of arr(k['patches'])) {
        const path = posix.join(dir, str(obj(p, 'patch')['path']));
        expect({ patch: path, exists: exists(path) }).toEqual({ patch: path, exists: true });
        for (const doc of parseAllDocuments(read(path))) expect(doc.errors).toEqual([]);
      }
    }
    expect(BASE.length).toBeGreaterThanOrEqual(12);
    for (const o of BASE) {
      expect(o.apiVersion).toBeTruthy();
      expect(o.metadata?.name).toBeTruthy();
    }
  });

  it('has a Deployment per app, each container with readiness and liveness probes on routes the app serves, and resource requests and limits', () => {
    const deployments = ofKind('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
    for (const d of deployments) {
      const app = d.metadata.name as App;
      const [container] = containersOf(d);
      expect(container['name']).toBe(app);
      const ports = arr(container['ports']).map((p) => obj(p, 'port'));
      expect(ports.map((p) => p['containerPort'])).toContain(appPort(app).port);
      for (const kind of ['readinessProbe', 'livenessProbe']) {
        const probe = obj(obj(container[kind], `${app} ${kind}`)['httpGet'], `${app} ${kind}.httpGet`);
        expect(appRoutes(app)).toContain(probe['path']);
        const port = probe['port'];
        expect(typeof port === 'number' ? port === appPort(app).port : ports.some((p) => p['name'] === port)).toBe(true);
      }
      for (const c of [...containersOf(d), ...initContainersOf(d)]) {
        const resources = obj(c['resources'], `${app}/${str(c['name'])} resources`);
        for (const bound of ['requests', 'limits']) {
          const r = obj(resources[bound], `${app}/${str(c['name'])} ${bound}`);
          expect(r['cpu']).toBeTruthy();
          expect(r['memory']).toBeTruthy();
        }
      }
      const security = obj(podSpec(d)['securityContext'], `${app} securityContext`);
      expect(security['runAsNonRoot']).toBe(true);
      expect(d.spec?.['selector']).toEqual({ matchLabels: expect.any(Object) });
      for (const [k, v] of Object.entries(obj(obj(d.spec?.['selector'], 'selector')['matchLabels'], 'matchLabels'))) expect(podLabels(d)[k]).toBe(v);
    }
  });

  it('sets only variables the apps read, from a ConfigMap and a Secret that exist with those keys', () => {
    const configMap = ofKind('ConfigMap').find((c) => c.metadata.name === 'clickstream-config') as K8s;
    const secret = ofKind('Secret').find((s) => s.metadata.name === 'clickstream-secrets') as K8s;
    expect(configMap).toBeDefined();
    expect(secret).toBeDefined();
    for (const key of Object.keys(configMap.data ?? {})) expect({ key, read: ALL_ENV.has(key) }).toEqual({ key, read: true });
    const secretKeys = Object.keys(secret.stringData ?? secret.data ?? {});
    for (const key of secretKeys) expect({ key, read: ALL_ENV.has(key) }).toEqual({ key, read: true });
    // the Secret is a template: placeholders only
    for (const value of Object.values(secret.stringData ?? {})) expect(value).toMatch(/CHANGE-ME/);
    expect(read(secret.file)).toMatch(/TEMPLATE/);

    const configMapNames = new Set(ofKind('ConfigMap').map((c) => c.metadata.name));
    const workloads = [...ofKind('Deployment'), ...ofKind('Job')];
    for (const w of workloads) {
      for (const c of [...containersOf(w), ...initContainersOf(w)]) {
        const app = (APPS as readonly string[]).includes(str(c['name'])) ? (c['name'] as App) : undefined;
        for (const e of arr(c['env']).map((x) => obj(x, 'env'))) {
          const name = str(e['name']);
          // NODE_PATH: the migration scripts' require path, not an app variable
          if (name !== 'NODE_PATH') expect({ container: `${w.metadata.name}/${str(c['name'])}`, name, read: (app ? ENV[app] : ALL_ENV).has(name) }).toEqual({ container: `${w.metadata.name}/${str(c['name'])}`, name, read: true });
          const ref = isObj(e['valueFrom']) ? e['valueFrom'] : undefined;
          if (ref && isObj(ref['secretKeyRef'])) {
            expect(ref['secretKeyRef']['name']).toBe('clickstream-secrets');
            expect(secretKeys).toContain(ref['secretKeyRef']['key']);
          }
        }
        for (const from of arr(c['envFrom']).map((x) => obj(x, 'envFrom'))) {
          if (isObj(from['configMapRef'])) expect(configMapNames).toContain(from['configMapRef']['name']);
          if (isObj(from['secretRef'])) expect(from['secretRef']['name']).toBe('clickstream-secrets');
        }
      }
      for (const v of arr(podSpec(w)['volumes']).map((x) => obj(x, 'volume'))) {
        if (isObj(v['configMap'])) expect(configMapNames).toContain(v['configMap']['name']);
      }
    }
    // what each app needs is set: required variables (no default) come from the Secret or env
    for (const app of ['stream-consumer', 'etl', 'web'] as const) {
      const d = ofKind('Deployment').find((x) => x.metadata.name === app) as K8s;
      expect(arr(containersOf(d)[0]['env']).map((e) => obj(e, 'env')['name'])).toContain('DATABASE_URL');
    }
  });

  it('has Services that select existing pods and name their container ports', () => {
    const servicesK8s = ofKind('Service');
    expect(servicesK8s.map((s) => s.metadata.name).sort()).toEqual([...APPS].sort());
    for (const s of servicesK8s) {
      const selector = obj(s.spec?.['selector'], `${s.metadata.name} selector`);
      const matches = ofKind('Deployment').filter((d) => Object.entries(selector).every(([k, v]) => podLabels(d)[k] === v));
      expect(matches.map((d) => d.metadata.name)).toEqual([s.metadata.name]);
      const containerPorts = arr(containersOf(matches[0])[0]['ports']).map((p) => obj(p, 'port'));
      for (const p of arr(s.spec?.['ports']).map((x) => obj(x, 'service port'))) {
        const target = p['targetPort'];
        expect(containerPorts.some((c) => c['name'] === target || c['containerPort'] === target)).toBe(true);
      }
    }
  });

  it('scales ingest with an autoscaling/v2 HPA (which owns its replica count)', () => {
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec?.['scaleTargetRef']).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingest' });
    expect(ofKind('Deployment').map((d) => d.metadata.name)).toContain('ingest');
    expect(Number(hpa.spec?.['maxReplicas'])).toBeGreaterThan(Number(hpa.spec?.['minReplicas']));
    expect(ofKind('Deployment').find((d) => d.metadata.name === 'ingest')?.spec?.['replicas']).toBeUndefined();
  });

  it('migrates with a Job (the apps have no migrate command: node scripts on the warehouse library), the apps with MIGRATE=false waiting for it', () => {
    const [job] = ofKind('Job');
    expect(job.apiVersion).toBe('batch/v1');
    const scripts = ofKind('ConfigMap').find((c) => c.metadata.name === 'clickstream-migrate-scripts') as K8s;
    const [container] = containersOf(job);
    const command = arr(container['command']).map(str);
    expect(command[0]).toBe('node');
    expect(Object.keys(scripts.data ?? {})).toContain(posix.basename(command[1]));
    // the scripts use only what @clickstream/warehouse exports
    const index = read('libs/warehouse/src/index.ts');
    for (const text of Object.values(scripts.data ?? {})) {
      for (const m of text.matchAll(/const \{([^}]*)\} = require\('@clickstream\/warehouse'\)/g)) {
        for (const name of m[1].split(',').map((s) => s.trim())) expect(index).toMatch(new RegExp(`\\b${name}\\b`));
      }
    }
    const configMap = ofKind('ConfigMap').find((c) => c.metadata.name === 'clickstream-config') as K8s;
    expect(configMap.data?.['MIGRATE']).toBe('false');
    for (const app of ['stream-consumer', 'etl', 'web']) {
      const d = ofKind('Deployment').find((x) => x.metadata.name === app) as K8s;
      expect(arr(initContainersOf(d)[0]?.['command']).map(str)).toEqual(['node', '/scripts/wait-for-migrations.js']);
    }
  });

  it('uses images built from docker/ and named in the kustomization', () => {
    const images = arr(kustomization('deploy/base')['images']).map((i) => str(obj(i, 'image')['name']));
    for (const w of [...ofKind('Deployment'), ...ofKind('Job')]) {
      for (const c of [...containersOf(w), ...initContainersOf(w)]) {
        const image = str(c['image']);
        expect(images).toContain(image);
        expect(exists(`docker/${image.replace('clickstream/', '')}.Dockerfile`)).toBe(true);
      }
    }
    // the etl container runs `serve` through node (the image's CMD replaced by args)
    const etl = containersOf(ofKind('Deployment').find((d) => d.metadata.name === 'etl') as K8s)[0];
    expect(arr(etl['args'] ?? etl['command'])).toEqual(['node', 'apps/etl/dist/main.js', 'serve']);
  });

  it('has an example overlay on the base with a namespace, image tags and replica/resource patches — rendered by kustomize where installed', () => {
    const overlay = kustomization('deploy/overlays/example');
    expect(arr(overlay['resources']).map((r) => posix.normalize(posix.join('deploy/overlays/example', str(r))))).toContain('deploy/base');
    expect(overlay['namespace']).toBeTruthy();
    const baseImages = arr(kustomization('deploy/base')['images']).map((i) => str(obj(i, 'image')['name']));
    const images = arr(overlay['images']).map((i) => obj(i, 'image'));
    expect(images.map((i) => i['name']).sort()).toEqual([...baseImages].sort());
    for (const i of images) expect(i['newTag']).toBeTruthy();
    const deploymentNames = ofKind('Deployment').map((d) => d.metadata.name);
    for (const r of arr(overlay['replicas'])) expect(deploymentNames).toContain(obj(r, 'replicas')['name']);
    // every patch changes an object of the base
    const patched: string[] = [];
    for (const p of arr(overlay['patches'])) {
      for (const doc of parseAllDocuments(read(posix.join('deploy/overlays/example', str(obj(p, 'patch')['path']))))) {
        const o = doc.toJS() as K8s;
        expect(BASE.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name)).toBe(true);
        patched.push(`${o.kind}/${o.metadata.name}`);
      }
    }
    expect(patched.some((p) => p.startsWith('Deployment/'))).toBe(true);

    // and the real build, where kubectl (with its kustomize) is installed
    const kubectl = tool('kubectl', 'the kustomize build');
    if (!kubectl) return;
    for (const dir of ['deploy/base', 'deploy/overlays/example']) {
      const result = run(kubectl, ['kustomize', dir]);
      expect({ dir, status: result.status, error: result.status === 0 ? '' : result.output }).toEqual({ dir, status: 0, error: '' });
      if (dir === 'deploy/base') continue;
      const rendered = parseAllDocuments(result.output).map((d) => d.toJS() as K8s & { metadata: { namespace?: string } });
      for (const o of rendered) {
        if (o.kind !== 'Namespace') expect({ object: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace }).toEqual({ object: `${o.kind}/${o.metadata.name}`, namespace: overlay['namespace'] });
      }
      const renderedImages = rendered.flatMap((o) => (['Deployment', 'Job'].includes(o.kind) ? [...containersOf(o), ...initContainersOf(o)].map((c) => str(c['image'])) : []));
      for (const image of renderedImages) expect(image).toMatch(/:[\w.-]+$/);
      const consumer = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'stream-consumer');
      expect(consumer?.spec?.['replicas']).toBe(Number(obj(arr(overlay['replicas']).find((r) => obj(r, 'r')['name'] === 'stream-consumer'), 'replicas')['count']));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Against a real PostgreSQL: the dashboards' SQL and the migration Job's scripts

describe('on PostgreSQL', () => {
  let pg: TestPostgres;
  let warehouse: TestWarehouse;

  beforeAll(async () => {
    pg = await startTestPostgres();
    warehouse = await createTestWarehouse(pg.url);
  }, 180_000);

  afterAll(async () => {
    await warehouse?.drop();
    await pg?.stop();
  });

  /** Grafana's macros and variables as Grafana would expand them for a 6-hour range and site "default". */
  const expand = (sql: string, schema: string): string =>
    sql
      .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 BETWEEN now() - interval '6 hours' AND now()")
      .replace(/'\$site'/g, "'default'")
      .replace(new RegExp(`\\b${WAREHOUSE_SCHEMA}\\.`, 'g'), `"${schema}".`);

  it('runs every dashboard query (and variable query) on the migrated warehouse', async () => {
    const now = new Date();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    await warehouse.sql`insert into user_minute_counts (site_id, minute, user_id, event_type, event_count) values ('default', ${minute}, 'user_001', 'page_view', 3), ('default', ${minute}, 'user_002', 'click', 2)`;
    await warehouse.sql`insert into live_hour_counts (site_id, hour, event_type, slot, event_count) values ('default', ${hour}, 'page_view', 0, 3), ('default', ${hour}, 'click', 0, 2)`;
    await warehouse.sql`insert into etl_objects (key, etag, rows, bytes) values ('raw/dt=2026-01-01/hour=00/clickstream.events-p0-0-4.ndjson.gz', 'e', 5, 1234)`;
    let ran = 0;
    const results = new Map<string, unknown[]>();
    for (const file of DASHBOARD_FILES) {
      const d = dashboard(file);
      const queries = [
        ...targetsOf(file).flatMap((t) => (t.rawSql ? [{ panel: t.panel, sql: t.rawSql }] : [])),
        ...arr(obj(d['templating'] ?? {}, 'templating')['list']).flatMap((v) => (obj(v, 'v')['type'] === 'query' ? [{ panel: 'variable', sql: str(obj(v, 'v')['query']) }] : [])),
      ];
      for (const q of queries) {
        const rows = await warehouse.sql.unsafe(expand(q.sql, warehouse.schema)).catch((err: Error) => {
          throw new Error(`${file} "${q.panel}": ${err.message}`);
        });
        results.set(q.panel, [...(results.get(q.panel) ?? []), ...rows]);
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(6);
    expect(results.get('Total events today (UTC)')).toEqual([{ events_today: '5' }]);
    expect(results.get('Top 5 active users (last hour)')).toEqual([
      { user_id: 'user_001', events: '3' },
      { user_id: 'user_002', events: '2' },
    ]);
  }, 60_000);

  it('migrates with the Job\'s script, and the apps\' init container waits until it has', async () => {
    const rendered = BASE.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'clickstream-migrate-scripts') as K8s;
    const scripts = rendered.data ?? {};
    const schema = `${warehouse.schema}_job`;
    const env = { ...process.env, DATABASE_URL: pg.url, DATABASE_SCHEMA: schema, NODE_PATH: join(root, 'node_modules') };
    const node = (script: string) =>
      new Promise<{ status: number | null; output: string }>((resolveRun) => {
        const child = spawn(process.execPath, ['-e', script], { cwd: dirname(root), env });
        let output = '';
        child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
        child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
        child.on('close', (status) => resolveRun({ status, output }));
      });
    const cleanup = createWarehouse({ url: pg.url, schema, max: 1 });
    try {
      const waiting = node(scripts['wait-for-migrations.js']);
      const migrated = await node(scripts['migrate.js']);
      expect(migrated.status).toBe(0);
      const report = JSON.parse(migrated.output.trim().split('\n').pop() as string) as { schema: string; applied: string[] };
      expect(report.schema).toBe(schema);
      const journal = JSON.parse(read('libs/warehouse/migrations/meta/_journal.json')) as { entries: unknown[] };
      expect(report.applied).toHaveLength(journal.entries.length);
      expect((await waiting).status).toBe(0);
      // a second run has nothing left to do
      const again = await node(scripts['migrate.js']);
      expect(JSON.parse(again.output.trim()).applied).toEqual([]);
    } finally {
      await cleanup.sql.unsafe(`drop schema if exists "${schema}" cascade`);
      await cleanup.close();
    }
  }, 120_000);
});
