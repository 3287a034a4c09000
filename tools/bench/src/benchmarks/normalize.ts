// normalize() + validation throughput on one core, beside a JSON round trip of the same inputs
// (the least any collector does with a body).

import { fixtures, normalize, type NormalizeContext } from '@clickstream/event-schema';
import { formatRate, median, throughput } from '../measure';
import type { BenchResult } from '../result';

const TARGET_PER_SECOND = 200_000;

export function runNormalizeBench(options: { quick: boolean }): BenchResult {
  const inputs = fixtures.validInputs.filter((f) => JSON.stringify(f.input).length < 2048).map((f) => f.input);
  const ctx: NormalizeContext = {
    receivedAt: Date.now(),
    siteId: 'bench',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  };
  const bodies = inputs.map((i) => JSON.stringify(i));
  for (const input of inputs) {
    const r = normalize(input, ctx);
    if (!r.ok) throw new Error(`bench input rejected: ${JSON.stringify(r.errors)}`);
  }
  const runMs = options.quick ? 300 : 1500;
  const rounds = options.quick ? 3 : 5;
  let sink = 0;
  const normalizeAll = () => {
    for (const input of inputs) if (normalize(input, ctx).ok) sink++;
  };
  const roundTripAll = () => {
    for (const body of bodies) sink += JSON.stringify(JSON.parse(body)).length & 1;
  };
  throughput(normalizeAll, inputs.length, runMs); // warm-up
  throughput(roundTripAll, inputs.length, runMs);
  const measured: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    measured.push(throughput(normalizeAll, inputs.length, runMs));
    baseline.push(throughput(roundTripAll, inputs.length, runMs));
  }
  if (sink < 0) throw new Error('unreachable');
  const value = median(measured);
  return {
    name: 'event-schema normalize() + validate, 1 core',
    figure: `${formatRate(value)} events/s`,
    value,
    unit: 'events/s',
    baseline: { name: 'JSON.parse + JSON.stringify of the same bodies', value: median(baseline) },
    target: { text: `≥ ${formatRate(TARGET_PER_SECOND)} events/s`, met: value >= TARGET_PER_SECOND },
  };
}
