import { countPhase, failed, formatMatrix, type FaultRow } from './fault-matrix';
import { selectFaults, FAULTS } from './fault-phase';

const row = (over: Partial<FaultRow> = {}): FaultRow => ({
  fault: 'kill -9 ingest',
  acknowledged: 10,
  lost: 0,
  lostFromArchive: 0,
  duplicated: 0,
  repeatedInEvents: 0,
  kafkaDuplicates: 0,
  rollupMismatches: 0,
  modelProblems: [],
  unplannedExits: [],
  ackGapSeconds: 5.2,
  recoverySeconds: 3.4,
  drainSeconds: 4,
  drained: true,
  abandoned: 0,
  ...over,
});

describe('countPhase', () => {
  it('counts the phase’s acknowledged events as lost, duplicated or stored twice in Kafka', () => {
    const acked = new Map([
      ['a', { phase: 1, at: 0 }],
      ['b', { phase: 1, at: 0 }],
      ['c', { phase: 1, at: 0 }],
      ['d', { phase: 1, at: 0 }],
      ['e', { phase: 2, at: 0 }],
    ]);
    const archived = new Map([
      ['a', 1],
      ['b', 2],
      ['d', 1],
    ]);
    const inEvents = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['e', 2],
    ]);
    expect(countPhase(acked, 1, { archived, inEvents })).toEqual({
      acknowledged: 4,
      lost: 2, // c is not archived, d is not in events
      lostFromArchive: 1,
      duplicated: 0,
      kafkaDuplicates: 1,
      lostIds: ['c', 'd'],
    });
    expect(countPhase(acked, 2, { archived, inEvents })).toMatchObject({ acknowledged: 1, lost: 1, duplicated: 1 });
  });
});

describe('failed', () => {
  it('fails a row on loss, duplicates, rollup or model differences, no drain or no recovery', () => {
    expect(failed(row())).toBe(false);
    expect(failed(row({ kafkaDuplicates: 3 }))).toBe(false);
    for (const bad of [{ lost: 1 }, { duplicated: 1 }, { repeatedInEvents: 1 }, { rollupMismatches: 2 }, { modelProblems: ['x'] }, { drained: false }, { recoverySeconds: null }]) {
      expect(failed(row(bad))).toBe(true);
    }
  });
});

describe('formatMatrix', () => {
  it('prints one aligned line per fault under a header', () => {
    const text = formatMatrix([row(), row({ fault: 'stop PostgreSQL 30 s', acknowledged: 12345, recoverySeconds: null, unplannedExits: ['etl (code 1)'] })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| fault +\| acknowledged \| lost \| duplicated \|/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[3]).toContain('12345');
    expect(lines[3]).toContain('none');
    expect(lines[3]).toContain('etl (code 1)');
  });
});

describe('selectFaults', () => {
  it('runs every fault by default, or the components named in FAULTS', () => {
    expect(selectFaults(undefined)).toEqual(FAULTS);
    expect(selectFaults('postgres, ingest').map((f) => f.component)).toEqual(['ingest', 'postgres']);
    expect(() => selectFaults('kafka')).toThrow(/unknown component/);
  });
});
