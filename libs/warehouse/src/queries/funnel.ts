// Funnels: how many sessions starting in a range did steps 1, 2, … n in that order, and where they dropped off.
import { EVENT_TYPES, type EventType } from '@clickstream/event-schema';
import type { PendingQuery, Row } from 'postgres';
import { InvalidQueryError } from './errors';
import { botFilter, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable } from './range';

export const MIN_FUNNEL_STEPS = 2;
export const MAX_FUNNEL_STEPS = 8;

export interface FunnelStep {
  event_type: EventType;
  /**
   * What the event must also match: its page path for page_view, page_close, scroll, session_start
   * and session_end, its button_id for click, its event_name for custom. purchase takes none.
   */
  value?: string;
  /** The step as the analyst wrote it, e.g. `page_view:/pricing`. */
  label: string;
}

export interface FunnelStepRow {
  /** 1-based. */
  step: number;
  label: string;
  /** Sessions that reached this step (and so every step before it). */
  sessions: number;
  /** sessions ÷ step 1 sessions × 100, 2 decimals; 0 when no session reached step 1. */
  conversion_rate: number;
  /** (previous step − this step) ÷ previous step × 100, 2 decimals; 0 for step 1 and after a step no session reached. */
  drop_off_rate: number;
}

/** The event column a step's value is compared with, per event type; null: the type takes no value. */
const VALUE_COLUMN: Record<EventType, 'page_path' | 'button_id' | 'event_name' | null> = {
  page_view: 'page_path',
  page_close: 'page_path',
  scroll: 'page_path',
  session_start: 'page_path',
  session_end: 'page_path',
  click: 'button_id',
  custom: 'event_name',
  purchase: null,
};

/**
 * Reads the API's `steps`: 2 to 8 comma-separated steps, each `event_type` or `event_type:value`
 * (the value is everything after the first ':', so it may hold more). Throws InvalidQueryError
 * (field `steps`) for a wrong count, an empty step or value, an event type that is not canonical, or
 * a value on a purchase step.
 */
export function parseFunnelSteps(text: string): FunnelStep[] {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidQueryError('steps', 'steps must be comma-separated steps such as page_view:/pricing,click:signup,purchase');
  return checkSteps(
    text.split(',').map((part) => {
      const label = part.trim();
      const colon = label.indexOf(':');
      const type = colon === -1 ? label : label.slice(0, colon);
      return { event_type: type as EventType, ...(colon === -1 ? {} : { value: label.slice(colon + 1) }), label };
    }),
  );
}

function checkSteps(steps: unknown): FunnelStep[] {
  if (!Array.isArray(steps) || steps.length < MIN_FUNNEL_STEPS || steps.length > MAX_FUNNEL_STEPS) {
    throw new InvalidQueryError('steps', `a funnel has ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS} steps, got ${Array.isArray(steps) ? steps.length : JSON.stringify(steps)}`);
  }
  return steps.map((step: Partial<FunnelStep> | null, i) => {
    const n = i + 1;
    const { event_type: type, value, label } = step ?? {};
    if (typeof label !== 'string' || label === '') throw new InvalidQueryError('steps', `step ${n} is empty`);
    if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
      throw new InvalidQueryError('steps', `step ${n} (${JSON.stringify(label)}): ${JSON.stringify(type)} is not an event type; use one of ${EVENT_TYPES.join(', ')}`);
    }
    if (value !== undefined) {
      if (VALUE_COLUMN[type as EventType] === null) throw new InvalidQueryError('steps', `step ${n} (${JSON.stringify(label)}): a ${type} step takes no value`);
      if (typeof value !== 'string' || value === '') throw new InvalidQueryError('steps', `step ${n} (${JSON.stringify(label)}): the value after ':' is empty`);
    }
    return { event_type: type as EventType, ...(value === undefined ? {} : { value }), label };
  });
}

/**
 * Sessions starting in the range (by their first event; each bot side of a session apart, as in the
 * sessions model) that reached each step. A session reaches step k when it has events matching steps
 * 1 … k in session order (event_time, received_at, event_id), each strictly after the one matched
 * for the step before — at any time in the session, not only within the range. Taking the earliest
 * match for every step is enough: an earlier match never leaves fewer events for the steps after it.
 */
export async function funnel(sql: Queryable, range: MetricRange, steps: FunnelStep[]): Promise<FunnelStepRow[]> {
  const r = resolveRange(range);
  const checked = checkSteps(steps);
  const matches = (step: FunnelStep): PendingQuery<Row[]> => {
    const column = VALUE_COLUMN[step.event_type];
    return step.value === undefined || column === null
      ? sql`e.event_type = ${step.event_type}`
      : sql`e.event_type = ${step.event_type} and e.${sql(column)} = ${step.value}`;
  };
  // bit k − 1 of an event's mask: it matches step k
  const mask = checked.map((step, i) => sql`${i === 0 ? sql`` : sql`|`} (case when ${matches(step)} then ${1 << i}::int else 0 end)`);
  // a_k: for each of the session's matching events in session order, whether it matches step k
  const sequences = checked.map(
    (_, i) => sql`${i === 0 ? sql`` : sql`,`} array_agg(x.mask & ${1 << i}::int <> 0 order by x.event_time, x.received_at, x.event_id) as ${sql(`a_${i + 1}`)}`,
  );
  // p_k: the position of step k's match, the first true of a_k after p_(k−1)
  const walk = checked.map((_, i) =>
    i === 0
      ? sql`cross join lateral (select array_position(q.a_1, true) as p) p_1`
      : sql`cross join lateral (
          select case when ${sql(`p_${i}`)}.p is not null then array_position(q.${sql(`a_${i + 1}`)}, true, ${sql(`p_${i}`)}.p + 1) end as p
        ) ${sql(`p_${i + 1}`)}`,
  );
  const reached = checked.map((_, i) => sql`${i === 0 ? sql`` : sql`,`} count(${sql(`p_${i + 1}`)}.p)`);

  const rows = await withRangeErrors(
    r,
    () => sql<Array<Omit<FunnelStepRow, 'label'>>>`
      with candidates as (
        select s.session_id, s.is_bot
        from sessions s
        where s.site_id = ${r.site} and s.started_at >= ${r.from} and s.started_at < ${r.to} ${botFilter(sql, r, 's')} ${sessionsFilter(sql, r, 's')}
      ),
      -- their events that match some step (by events_site_session_time_idx for few sessions; no event
      -- of a session is before its start, so event_time >= from changes nothing but lets a scan of
      -- many be narrowed), as one array per step and session
      sequences as (
        select ${sequences}
        from (
          select e.session_id, e.is_bot, e.event_time, e.received_at, e.event_id, ${mask} as mask
          from candidates c
          join events e on e.site_id = ${r.site} and e.session_id = c.session_id and e.is_bot = c.is_bot
          where e.event_type in ${sql([...new Set(checked.map((s) => s.event_type))])} and e.event_time >= ${r.from}
        ) x
        where x.mask <> 0
        group by x.session_id, x.is_bot
      ),
      -- one walk along each session's arrays, a step at a time
      reached as (
        select array[${reached}] as sessions
        from sequences q
        ${walk}
      ),
      steps as (
        select u.step::int as step, u.sessions
        from reached, unnest(reached.sessions) with ordinality as u(sessions, step)
      )
      select step,
             sessions::float8 as sessions,
             coalesce(round(100.0 * sessions / nullif(first_value(sessions) over w, 0), 2), 0)::float8 as conversion_rate,
             coalesce(round(100.0 * (lag(sessions) over w - sessions) / nullif(lag(sessions) over w, 0), 2), 0)::float8 as drop_off_rate
      from steps
      window w as (order by step)
      order by step`,
  );
  return rows.map((row) => ({ step: row.step, label: checked[row.step - 1].label, sessions: row.sessions, conversion_rate: row.conversion_rate, drop_off_rate: row.drop_off_rate }));
}
