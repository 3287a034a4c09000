// Every panel's three other states — loading, failed (the API's message and a retry button) and
// empty — in one place, so no panel forgets one.

import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-busy="true">
      <span className="skeleton" aria-hidden="true" />
      <span className="skeleton skeleton-short" aria-hidden="true" />
      <span className="state-text">{label}</span>
    </div>
  );
}

export function Empty({ message = 'No data for this range' }: { message?: string }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      {message}
    </div>
  );
}

export function Failed({ error, onRetry }: { error: Error; onRetry: () => void }) {
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <span>{error.message || 'Something went wrong.'}</span>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

/** The part of a react-query result the view reads (a combined result of several queries fits too). */
export interface QueryLike<T> {
  data: T | undefined;
  isError: boolean;
  error: Error | null;
  refetch: () => unknown;
}

export interface QueryViewProps<T> {
  query: QueryLike<T>;
  /** True when the data has nothing to show. */
  isEmpty?: (data: T) => boolean;
  emptyMessage?: string;
  children: (data: T) => ReactNode;
}

export function QueryView<T>({ query, isEmpty, emptyMessage, children }: QueryViewProps<T>) {
  if (query.data === undefined) {
    if (query.isError && query.error) return <Failed error={query.error} onRetry={() => void query.refetch()} />;
    return <Loading />;
  }
  // A failed refresh keeps what was shown, with a note.
  const stale = query.isError ? (
    <div className="state-inline" role="alert">
      Could not refresh: {query.error?.message}{' '}
      <button type="button" className="link-button" onClick={() => void query.refetch()}>
        Retry
      </button>
    </div>
  ) : null;
  if (isEmpty?.(query.data)) {
    return (
      <>
        {stale}
        <Empty message={emptyMessage} />
      </>
    );
  }
  return (
    <>
      {stale}
      {children(query.data)}
    </>
  );
}

export const noRows = (data: { rows: unknown[] }) => data.rows.length === 0;
