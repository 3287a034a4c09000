// Funnels: the analyst picks 2–8 steps (event type, optional value); the page shows how many
// sessions reach each one in order, with conversion from step 1 and drop-off from the step before.
// The applied steps live in the URL (`steps=`), like the filters.

import { useEffect, useId, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from 'recharts';
import type { FunnelStepRow, Rows } from '../../shared/api-types';
import { axisProps, chartStyle, ChartFigure, gridProps, seriesColor, tooltipProps } from '../components/charts';
import { DataTable, ShareBar, type Column } from '../components/DataTable';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { noRows, QueryView } from '../components/QueryView';
import { withParam } from '../lib/filters';
import { formatCompact, formatNumber, formatPercent } from '../lib/format';
import { DEFAULT_STEPS, EVENT_TYPES, MAX_STEPS, MIN_STEPS, parseSteps, serializeSteps, validateSteps, valueLabel, type FunnelStep } from '../lib/funnel-steps';
import { navigate, useLocation } from '../router';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

const columns: Column<FunnelStepRow>[] = [
  { key: 'step', label: 'Step', numeric: true, render: (r) => r.step },
  { key: 'label', label: 'Event', render: (r) => <span className="cell-text">{r.label}</span> },
  { key: 'sessions', label: 'Sessions', numeric: true, render: (r) => formatNumber(r.sessions) },
  { key: 'conversion_rate', label: 'Conversion', numeric: true, render: (r) => <ShareBar value={r.conversion_rate} max={100} label={formatPercent(r.conversion_rate)} /> },
  { key: 'drop_off_rate', label: 'Drop-off', numeric: true, render: (r) => formatPercent(r.drop_off_rate) },
];

export default function FunnelsPage() {
  const { query } = useFilters();
  const { pathname, search } = useLocation();
  const urlSteps = new URLSearchParams(search).get('steps');
  const applied = parseSteps(urlSteps) ?? DEFAULT_STEPS;
  const appliedParam = serializeSteps(applied);
  const [draft, setDraft] = useState<FunnelStep[]>(applied);
  const [problem, setProblem] = useState<string | null>(null);
  // Back/forward or a shared link changes the applied steps: show them in the builder.
  useEffect(() => {
    setDraft(parseSteps(appliedParam) ?? DEFAULT_STEPS);
  }, [appliedParam]);

  const funnel = useReport<Rows<FunnelStepRow>>(query, 'funnel', { steps: appliedParam });

  function update(i: number, patch: Partial<FunnelStep>) {
    setDraft((steps) => steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const why = validateSteps(draft);
    setProblem(why);
    if (!why) navigate(pathname + withParam(search, 'steps', serializeSteps(draft)));
  }

  return (
    <Page name="funnels" title="Funnels">
      <Panel title="Steps" wide>
        <form className="funnel-form" onSubmit={onSubmit} aria-describedby={problem ? 'funnel-problem' : undefined}>
          <ol className="funnel-steps">
            {draft.map((step, i) => (
              <StepEditor
                key={i}
                index={i}
                step={step}
                canRemove={draft.length > MIN_STEPS}
                onChange={(patch) => update(i, patch)}
                onRemove={() => setDraft((steps) => steps.filter((_, j) => j !== i))}
              />
            ))}
          </ol>
          <div className="form-actions">
            <button
              type="button"
              className="button"
              disabled={draft.length >= MAX_STEPS}
              onClick={() => setDraft((steps) => [...steps, { eventType: 'page_view', value: '' }])}
            >
              Add step
            </button>
            <button type="submit" className="button button-primary">
              Show funnel
            </button>
          </div>
          {problem ? (
            <p id="funnel-problem" className="form-error" role="alert">
              {problem}
            </p>
          ) : null}
        </form>
      </Panel>

      <Panel title="Sessions per step" wide actions={<ExportLink report="funnel" query={query} extra={{ steps: appliedParam }} />}>
        <QueryView query={funnel} isEmpty={(d) => noRows(d) || d.rows[0].sessions === 0}>
          {(d) => (
            <>
              <ChartFigure title="Sessions reaching each step">
                <BarChart responsive style={chartStyle(260)} data={d.rows.map((r) => ({ ...r, name: `${r.step}. ${r.label}` }))} margin={{ top: 24, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid {...gridProps} />
                  <XAxis dataKey="name" {...axisProps} interval={0} tickFormatter={(v: string) => (v.length > 16 ? `${v.slice(0, 15)}…` : v)} />
                  <YAxis {...axisProps} width={48} tickFormatter={formatCompact} allowDecimals={false} />
                  <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v))} />
                  <Bar dataKey="sessions" name="Sessions" fill={seriesColor(0)} isAnimationActive={false}>
                    <LabelList dataKey="conversion_rate" position="top" formatter={(v: unknown) => formatPercent(Number(v))} fill="var(--text-muted)" fontSize={12} />
                  </Bar>
                </BarChart>
              </ChartFigure>
              <DataTable columns={columns} rows={d.rows} rowKey={(r) => String(r.step)} testId="table-funnel" caption="Funnel steps" />
            </>
          )}
        </QueryView>
      </Panel>
    </Page>
  );
}

function StepEditor({ index, step, canRemove, onChange, onRemove }: { index: number; step: FunnelStep; canRemove: boolean; onChange: (patch: Partial<FunnelStep>) => void; onRemove: () => void }) {
  const id = useId();
  return (
    <li className="funnel-step">
      <span className="funnel-step-number" aria-hidden="true">
        {index + 1}
      </span>
      <div className="field">
        <label htmlFor={`${id}-type`}>Step {index + 1} event</label>
        <select id={`${id}-type`} value={step.eventType} onChange={(e) => onChange({ eventType: e.target.value })}>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-value`}>{valueLabel(step.eventType)} (optional)</label>
        <input id={`${id}-value`} value={step.value} placeholder="any" maxLength={200} onChange={(e) => onChange({ value: e.target.value })} />
      </div>
      <button type="button" className="button" onClick={onRemove} disabled={!canRemove} aria-label={`Remove step ${index + 1}`}>
        Remove
      </button>
    </li>
  );
}
