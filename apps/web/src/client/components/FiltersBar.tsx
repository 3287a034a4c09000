// The filters every report shares. Each control writes the URL; the pages read it back.

import { useEffect, useId, useState, type ReactNode } from 'react';
import { useSites } from '../api/queries';
import { RANGE_LABELS, RANGE_PRESETS, isDay, isRangePreset, timeZoneOptions } from '../lib/date-range';
import { EVENT_TYPES } from '../lib/funnel-steps';
import { browserTimeZone, type FilterState } from '../use-filters';

const DEVICES = ['desktop', 'mobile', 'tablet', 'smarttv', 'console', 'wearable', 'bot'];

function Field({ label, children, id }: { label: string; id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

export function FiltersBar({ state, scope }: { state: FilterState; scope: 'all' | 'site' }) {
  const { filters, site, range, setFilters } = state;
  const sites = useSites();
  const id = useId();
  const [country, setCountry] = useState(filters.country ?? '');
  // On narrow screens the bar folds behind a button that sums it up.
  const [open, setOpen] = useState(false);
  useEffect(() => setCountry(filters.country ?? ''), [filters.country]);

  const siteIds = sites.data?.rows.map((r) => r.site_id) ?? [];
  if (site && !siteIds.includes(site)) siteIds.unshift(site);
  const zones = timeZoneOptions(browserTimeZone(), filters.tz);

  function onCountry(value: string) {
    const v = value.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 2);
    setCountry(v);
    if (v.length === 0 || v.length === 2) setFilters({ country: v || undefined }, { replace: true });
  }

  const active = [filters.event_type, filters.device, filters.country, filters.bots ? 'bots' : undefined].filter(Boolean).length;
  const summary = [scope === 'all' ? RANGE_LABELS[filters.range] : undefined, site, filters.tz, active ? `+${active} filter${active > 1 ? 's' : ''}` : undefined]
    .filter(Boolean)
    .join(' · ');

  return (
    <>
      <button type="button" className="button filters-toggle" aria-expanded={open} aria-controls={`${id}-filters`} onClick={() => setOpen((o) => !o)}>
        <span>Filters</span>
        <span className="filters-summary">{summary}</span>
      </button>
      <form id={`${id}-filters`} className={open ? 'filters open' : 'filters'} aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        {scope === 'all' ? (
          <>
            <Field label="Date range" id={`${id}-range`}>
              <select
                id={`${id}-range`}
                name="range"
                value={filters.range}
                onChange={(e) => {
                  const v = e.target.value;
                  if (!isRangePreset(v)) return;
                  // Custom starts from the days on screen.
                  setFilters(v === 'custom' ? { range: v, from: range.from, to: range.to } : { range: v, from: undefined, to: undefined });
                }}
              >
                {RANGE_PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {RANGE_LABELS[p]}
                  </option>
                ))}
              </select>
            </Field>
            {filters.range === 'custom' ? (
              <>
                <Field label="From" id={`${id}-from`}>
                  <input
                    id={`${id}-from`}
                    type="date"
                    name="from"
                    value={range.from}
                    max={range.to}
                    onChange={(e) => isDay(e.target.value) && setFilters({ from: e.target.value, to: range.to }, { replace: true })}
                  />
                </Field>
                <Field label="To" id={`${id}-to`}>
                  <input
                    id={`${id}-to`}
                    type="date"
                    name="to"
                    value={range.to}
                    min={range.from}
                    onChange={(e) => isDay(e.target.value) && setFilters({ from: range.from, to: e.target.value }, { replace: true })}
                  />
                </Field>
              </>
            ) : (
              <span className="range-days" aria-live="polite">
                {range.from === range.to ? range.from : `${range.from} – ${range.to}`}
              </span>
            )}
          </>
        ) : null}
        <Field label="Site" id={`${id}-site`}>
          <select id={`${id}-site`} name="site" value={site ?? ''} onChange={(e) => setFilters({ site: e.target.value })} disabled={!site}>
            {site ? null : <option value="">Loading…</option>}
            {siteIds.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        {scope === 'all' ? (
          <>
            <Field label="Event type" id={`${id}-type`}>
              <select id={`${id}-type`} name="event_type" value={filters.event_type ?? ''} onChange={(e) => setFilters({ event_type: e.target.value || undefined })}>
                <option value="">All</option>
                {EVENT_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
                {filters.event_type && !(EVENT_TYPES as readonly string[]).includes(filters.event_type) ? (
                  <option value={filters.event_type}>{filters.event_type}</option>
                ) : null}
              </select>
            </Field>
            <Field label="Device" id={`${id}-device`}>
              <select id={`${id}-device`} name="device" value={filters.device ?? ''} onChange={(e) => setFilters({ device: e.target.value || undefined })}>
                <option value="">All</option>
                {[...DEVICES, ...(filters.device && !DEVICES.includes(filters.device) ? [filters.device] : [])].map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Country" id={`${id}-country`}>
              <input
                id={`${id}-country`}
                name="country"
                className="input-country"
                value={country}
                placeholder="All"
                maxLength={2}
                autoComplete="off"
                spellCheck={false}
                title="Two-letter country code, e.g. FR"
                onChange={(e) => onCountry(e.target.value)}
              />
            </Field>
            <div className="field field-check">
              <input id={`${id}-bots`} type="checkbox" name="bots" checked={filters.bots} onChange={(e) => setFilters({ bots: e.target.checked })} />
              <label htmlFor={`${id}-bots`}>Include bots</label>
            </div>
          </>
        ) : null}
        <Field label="Time zone" id={`${id}-tz`}>
          <select id={`${id}-tz`} name="tz" value={filters.tz} onChange={(e) => setFilters({ tz: e.target.value })}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z === browserTimeZone() ? `${z} (yours)` : z}
              </option>
            ))}
          </select>
        </Field>
      </form>
    </>
  );
}
