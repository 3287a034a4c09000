// The suite's result: one row per fault, counted by event_id from what ingest acknowledged and what
// the audit found, and the table it prints.
import type { Ack } from './steady-load';
import type { Audit } from './pipeline-audit';

export interface FaultRow {
  fault: string;
  /** Events ingest acknowledged (202) during the phase. */
  acknowledged: number;
  /** Acknowledged events of the phase missing from the archive or from `events`. */
  lost: number;
  /** Of those: missing from the archive. */
  lostFromArchive: number;
  /** Acknowledged events of the phase in `events` more than once. */
  duplicated: number;
  /** event_ids (acknowledged or not, any phase) in `events` more than once. */
  repeatedInEvents: number;
  /**
   * Acknowledged events of the phase archived more than once: the same event in two Kafka messages
   * (a retried request whose first produce had succeeded). `events` keeps one; the live rollups count both.
   */
  kafkaDuplicates: number;
  /** Live rollup cells that differ from the archived (human) events; 0 when the live path is exactly once per message. */
  rollupMismatches: number;
  /** What the models disagree with `events` on (empty: they agree). */
  modelProblems: string[];
  /** Components that exited by themselves during the phase (and were started again). */
  unplannedExits: string[];
  /** Longest time without any 202 while the load ran (s). */
  ackGapSeconds: number;
  /** From the restart of the faulted component until it is ready and, on the event path, an event acknowledged after the restart is in `events` (s); null when it did not recover. */
  recoverySeconds: number | null;
  /** Time the drain took after the load stopped (s). */
  drainSeconds: number;
  /** False when the pipeline had not drained within the limit (then the counts are what it had). */
  drained: boolean;
  /** Events the load gave up on (sent, never acknowledged). */
  abandoned: number;
}

export const RECOVERY_DEFINITION =
  'recovery = from the restart of the faulted component (after 30 s down for PostgreSQL and S3) until the component is ready again and, ' +
  'for a component on the event path, the first event ingest acknowledged after the restart is in the `events` table ' +
  '(web: until /api/health answers). ack gap = longest time the steady load went without any 202.';

/** Counts one phase's acknowledged events against the audit. */
export function countPhase(acked: ReadonlyMap<string, Ack>, phase: number, audit: Pick<Audit, 'archived' | 'inEvents'>) {
  let acknowledged = 0;
  let lost = 0;
  let lostFromArchive = 0;
  let duplicated = 0;
  let kafkaDuplicates = 0;
  const lostIds: string[] = [];
  for (const [id, ack] of acked) {
    if (ack.phase !== phase) continue;
    acknowledged++;
    const archived = audit.archived.get(id) ?? 0;
    const rows = audit.inEvents.get(id) ?? 0;
    if (archived === 0) lostFromArchive++;
    if (archived === 0 || rows === 0) {
      lost++;
      if (lostIds.length < 20) lostIds.push(id);
    }
    if (rows > 1) duplicated++;
    if (archived > 1) kafkaDuplicates++;
  }
  return { acknowledged, lost, lostFromArchive, duplicated, kafkaDuplicates, lostIds };
}

export function failed(row: FaultRow): boolean {
  return !row.drained || row.lost > 0 || row.duplicated > 0 || row.repeatedInEvents > 0 || row.rollupMismatches > 0 || row.modelProblems.length > 0 || row.recoverySeconds === null;
}

export function formatMatrix(rows: readonly FaultRow[]): string {
  const header = ['fault', 'acknowledged', 'lost', 'duplicated', 'kafka dups', 'rollups', 'models', 'ack gap (s)', 'recovery (s)', 'self-exits'];
  const body = rows.map((r) => [
    r.fault,
    String(r.acknowledged),
    String(r.lost),
    String(r.duplicated),
    String(r.kafkaDuplicates),
    r.rollupMismatches === 0 ? 'ok' : `${r.rollupMismatches} cells off`,
    r.modelProblems.length === 0 ? 'ok' : 'DIFFER',
    r.ackGapSeconds.toFixed(1),
    r.recoverySeconds === null ? 'none' : r.recoverySeconds.toFixed(1),
    r.unplannedExits.length === 0 ? '-' : r.unplannedExits.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
