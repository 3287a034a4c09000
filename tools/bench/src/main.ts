#!/usr/bin/env node
// tools/bench: runs the benchmarks, prints figures and ratios against same-run baselines, and
// with --write regenerates docs/benchmarks.md.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runE2eBench } from './benchmarks/e2e';
import { runEtlBench } from './benchmarks/etl';
import { runIngestBench } from './benchmarks/ingest';
import { runKafkaBrokerBench } from './benchmarks/kafka-broker';
import { runNormalizeBench } from './benchmarks/normalize';
import { runStreamConsumerBench } from './benchmarks/stream-consumer';
import { runWebBench } from './benchmarks/web';
import { type BenchRecord, machineFacts, recordRuns, renderReport } from './report';
import { type BenchResult, ratio } from './result';

export interface BenchOptions {
  quick: boolean;
  /** web: the warehouse schema to load into and keep, or to reuse when it already holds events. */
  webSchema?: string;
}

type BenchRun = (o: BenchOptions) => BenchResult | BenchResult[] | Promise<BenchResult | BenchResult[]>;

const BENCHMARKS: Record<string, { describe: string; run: BenchRun }> = {
  normalize: { describe: 'event-schema normalize() + validate on one core, vs a JSON round trip', run: runNormalizeBench },
  broker: { describe: 'dev broker produce/consume with kafkajs, vs raw protocol requests', run: runKafkaBrokerBench },
  ingest: { describe: 'ingest + dev broker under autocannon load, vs a bare Fastify endpoint', run: runIngestBench },
  consumer: { describe: 'stream-consumer archiver and live rollups from a pre-filled topic, vs a bare kafkajs consume', run: runStreamConsumerBench },
  etl: { describe: 'etl load of a day of sessions from the raw archive, vs a plain COPY; model rebuild time', run: runEtlBench },
  web: { describe: 'p95 of every dashboard endpoint over HTTP on 10M events (1M with --quick), vs a scan of events', run: runWebBench },
  e2e: {
    describe: 'whole embedded stack (npm start): sustained batches, lag/ETL catch-up, POST → /ws/live and → models, RSS per service',
    run: runE2eBench,
  },
};

const USAGE = `Usage: npm run bench -- [options] [benchmark ...]

Runs Clickstream's benchmarks; each prints its figure, the baseline measured in the same run,
the ratio and the target (pass/short).

Benchmarks:
${Object.entries(BENCHMARKS)
  .map(([name, b]) => `  ${name.padEnd(12)} ${b.describe}`)
  .join('\n')}

Options:
  --quick              short runs (a smoke test: well under 2 minutes each, web about 5; e2e loads
                       for 10 s instead of 60 s, about 1 minute instead of about 3)
  --write              record this run's figures in docs/benchmarks.json (each benchmark's last
                       run; the benchmarks not run keep theirs) and regenerate docs/benchmarks.md
  --web-schema NAME    web: load the warehouse into schema NAME of the test database and keep it,
                       or, when NAME already holds events, measure them without loading (the
                       warehouse build row is then left out)
  -h, --help           show this help
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        quick: { type: 'boolean', default: false },
        write: { type: 'boolean', default: false },
        'web-schema': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\nrun with --help for usage\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const names = parsed.positionals.length ? parsed.positionals : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(BENCHMARKS).join(', ')})\n`);
    return 2;
  }
  const webSchema = parsed.values['web-schema'];
  if (webSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(webSchema)) {
    process.stderr.write(`bench: --web-schema must be a lower-case SQL identifier, got ${JSON.stringify(webSchema)}\n`);
    return 2;
  }
  // measured before any benchmark, on an idle process (the yardstick in it is remembered for the report)
  process.stdout.write(`machine: ${machineFacts()}\n`);
  const results = new Map<string, BenchResult[]>();
  for (const name of names) {
    process.stdout.write(`▶ ${name} …\n`);
    const out = await BENCHMARKS[name].run({ quick: parsed.values.quick ?? false, webSchema });
    const list: BenchResult[] = [];
    results.set(name, list);
    for (const r of Array.isArray(out) ? out : [out]) {
      list.push(r);
      const target = r.target ? `   target ${r.target.text}: ${r.target.met ? 'pass' : 'SHORT'}` : '';
      const baseline = r.baseline ? `   baseline ${r.baseline.name}: ${r.baseline.value.toFixed(0)} ${r.unit}   ratio ${ratio(r)}` : '';
      const note = r.note ? `   note: ${r.note}\n` : '';
      process.stdout.write(`  ${r.name}: ${r.figure}\n${baseline && baseline + '\n'}${target && target + '\n'}${note}`);
    }
  }
  if (parsed.values.write) {
    const docs = resolve(__dirname, '../../../docs');
    const recordFile = resolve(docs, 'benchmarks.json');
    const previous = existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, 'utf8')) as BenchRecord) : {};
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
    const record = recordRuns(previous, results, command, new Date());
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(resolve(docs, 'benchmarks.md'), renderReport(record, Object.keys(BENCHMARKS)));
    process.stdout.write(`wrote ${recordFile} and benchmarks.md\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
