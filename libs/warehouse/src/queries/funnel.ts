// Funnels: how many sessions starting in a range did steps 1, 2, … n in that order, and where they dropped off.
import { EVENT_TYPES, type EventType } from '@clickstream/event-schema';
import { SESSION_KIND_LETTERS } from '../schema/models';
import { InvalidQueryError } from './errors';
import type { PendingQuery, Row } from 'postgres';
import { botFilter, resolveRange, sessionsFilter, withRangeErrors, type MetricRange, type Queryable, type ResolvedRange } from './range';

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
 * for the step before — at any time in the session, not only within the range. That is whether
 * steps 1 … k are a subsequence of the session's events, which is what taking the earliest match
 * for every step finds (an earlier match never leaves fewer events for the steps after it) and what
 * a regular expression `[1].*[2].*…[k]` over the session's events, one letter each, matches.
 */
export async function funnel(sql: Queryable, range: MetricRange, steps: FunnelStep[]): Promise<FunnelStepRow[]> {
  const r = resolveRange(range);
  const checked = checkSteps(steps);
  const rows = checked.every((step) => step.value === undefined) ? await typeFunnel(sql, r, checked) : await eventFunnel(sql, r, checked);
  return rows.map((row) => ({ step: row.step, label: checked[row.step - 1].label, sessions: row.sessions, conversion_rate: row.conversion_rate, drop_off_rate: row.drop_off_rate }));
}

type StepCounts = Array<Omit<FunnelStepRow, 'label'>>;

/** The rates of each step from the sessions that reached it (a query over `reached`, one array of counts). */
function stepRates(sql: Queryable, reached: PendingQuery<Row[]>): PendingQuery<Row[]> {
  return sql`
      steps as (
        select u.step::int as step, u.sessions
        from (${reached}) reached, unnest(reached.sessions) with ordinality as u(sessions, step)
      )
      select step,
             sessions::float8 as sessions,
             coalesce(round(100.0 * sessions / nullif(first_value(sessions) over w, 0), 2), 0)::float8 as conversion_rate,
             coalesce(round(100.0 * (lag(sessions) over w - sessions) / nullif(lag(sessions) over w, 0), 2), 0)::float8 as drop_off_rate
      from steps
      window w as (order by step)
      order by step`;
}

/**
 * Steps of event types alone: matched against `sessions.kinds`, the session's events as letters in
 * session order (written by the model rebuild), without reading the events. Step k is reached when
 * the letters of steps 1 … k appear in that order: LIKE '%v%c%p%', which PostgreSQL matches about
 * twice as fast as the regular expression 'v.*c.*p' (the letters are never LIKE's wildcards).
 */
async function typeFunnel(sql: Queryable, r: ResolvedRange, checked: FunnelStep[]): Promise<StepCounts> {
  const pattern = (k: number) => `%${checked.slice(0, k + 1).map((step) => SESSION_KIND_LETTERS[step.event_type]).join('%')}%`;
  const reached = sql`
    select array[${checked.map((_, k) => sql`${k === 0 ? sql`` : sql`,`} count(*) filter (where s.kinds like ${pattern(k)})`)}] as sessions
    from sessions s
    where s.site_id = ${r.site} and s.started_at >= ${r.from} and s.started_at < ${r.to} ${botFilter(sql, r, 's')} ${sessionsFilter(sql, r, 's')}`;
  return withRangeErrors(r, () => sql<StepCounts>`with ${stepRates(sql, reached)}`);
}

/** Steps with values (a page path, a button): each session's matching events read as a string of kinds. */
async function eventFunnel(sql: Queryable, r: ResolvedRange, checked: FunnelStep[]): Promise<StepCounts> {
  const kinds = eventKinds(checked);
  const letter = (i: number) => String.fromCharCode(97 + i);
  // the event's kind as a letter; null when it matches no step
  const kindOf = sql`case ${kinds.map((kind, i) => {
    const column = VALUE_COLUMN[kind.event_type];
    const matches =
      kind.value === undefined || column === null ? sql`e.event_type = ${kind.event_type}` : sql`e.event_type = ${kind.event_type} and e.${sql(column)} = ${kind.value}`;
    return sql`when ${matches} then ${letter(i)}`;
  })} end`;
  // step k reached: a letter of a kind matching step 1, then later one matching step 2, … step k
  const classes = checked.map((_, k) => `[${kinds.map((kind, i) => (kind.steps & (1 << k) ? letter(i) : '')).join('')}]`);
  const reached = classes.map((_, k) => sql`${k === 0 ? sql`` : sql`,`} count(*) filter (where q.path ~ ${classes.slice(0, k + 1).join('.*')})`);

  return withRangeErrors(
    r,
    () => sql<StepCounts>`
      with candidates as (
        select s.session_id, s.is_bot
        from sessions s
        where s.site_id = ${r.site} and s.started_at >= ${r.from} and s.started_at < ${r.to} ${botFilter(sql, r, 's')} ${sessionsFilter(sql, r, 's')}
      ),
      -- their events that match some step (by events_site_session_time_idx for few sessions; no event
      -- of a session is before its start, so event_time >= from changes nothing but lets a scan of
      -- many be narrowed), as one string per session: a letter per event, in session order (one
      -- ordered aggregate, so one small sort per session)
      paths as (
        select string_agg(x.kind, '' order by x.event_time, x.received_at, x.event_id) as path
        from (
          select e.session_id, e.is_bot, e.event_time, e.received_at, e.event_id, ${kindOf} as kind
          from candidates c
          join events e on e.site_id = ${r.site} and e.session_id = c.session_id and e.is_bot = c.is_bot
          where e.event_type in ${sql([...new Set(checked.map((s) => s.event_type))])} and e.event_time >= ${r.from}
        ) x
        where x.kind is not null
        group by x.session_id, x.is_bot
      ),
      ${stepRates(sql, sql`select array[${reached}] as sessions from paths q`)}`,
  );
}

/** One way an event can match steps: of `event_type` (and with `value`, when set); `steps` has bit k − 1 for each step k it matches. */
interface EventKind {
  event_type: EventType;
  value?: string;
  steps: number;
}

/**
 * The distinct sets of steps an event can match. An event of a type matches that type's steps
 * without a value, plus those whose value is the event's own (it has one value), so per type there
 * is a kind for each value the steps name and one for any other value: at most 2 × 8 kinds, each a
 * letter in the paths. A kind matching no step is left out. Listed so that a valued kind comes
 * before its type's kind without a value: the first that matches is the event's kind.
 */
function eventKinds(steps: FunnelStep[]): EventKind[] {
  const bits = (match: (step: FunnelStep) => boolean) => steps.reduce((m, step, k) => (match(step) ? m | (1 << k) : m), 0);
  const kinds: EventKind[] = [];
  for (const type of new Set(steps.map((s) => s.event_type))) {
    const anyValue = bits((s) => s.event_type === type && s.value === undefined);
    for (const value of new Set(steps.flatMap((s) => (s.event_type === type && s.value !== undefined ? [s.value] : [])))) {
      kinds.push({ event_type: type, value, steps: anyValue | bits((s) => s.event_type === type && s.value === value) });
    }
    if (anyValue !== 0) kinds.push({ event_type: type, steps: anyValue });
  }
  return kinds;
}
