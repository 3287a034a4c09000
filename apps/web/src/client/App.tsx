// The shell: the login page until /api/me knows the analyst, then header, filters and the page
// of the current path.

import { Suspense, useEffect } from 'react';
import type { Me } from '../shared/api-types';
import { useMe } from './api/queries';
import { AppHeader } from './components/AppHeader';
import { FiltersBar } from './components/FiltersBar';
import { Failed, Loading } from './components/QueryView';
import { writeFilters } from './lib/filters';
import { LoginPage } from './pages/LoginPage';
import { Link, navigate, useLocation } from './router';
import { findRoute } from './routes';
import { useFilters } from './use-filters';

export function App() {
  const me = useMe();
  if (me.data === undefined) {
    return (
      <main className="centered">
        {me.isError ? <Failed error={me.error} onRetry={() => void me.refetch()} /> : <Loading label="Starting…" />}
      </main>
    );
  }
  if (me.data === null) return <LoginPage />;
  return <Dashboard me={me.data} />;
}

function Dashboard({ me }: { me: Me }) {
  const { pathname, search } = useLocation();
  const route = findRoute(pathname);
  const filterState = useFilters();

  // Write the zone and range into the address, so a copied link shows the same days elsewhere.
  useEffect(() => {
    const params = new URLSearchParams(search);
    if (!params.has('tz') || !params.has('range')) navigate(pathname + writeFilters(search, filterState.filters), { replace: true });
  }, [pathname, search, filterState.filters]);

  useEffect(() => {
    document.title = route ? `${route.label} · Clickstream` : 'Clickstream';
  }, [route]);

  const Page = route?.component;
  return (
    <div className="app">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <AppHeader me={me} current={route} />
      {route && route.filters !== 'none' ? <FiltersBar state={filterState} scope={route.filters} /> : null}
      <main id="content" className="content" tabIndex={-1}>
        {Page ? (
          <Suspense fallback={<Loading />}>
            <Page />
          </Suspense>
        ) : (
          <div className="page" data-testid="page-not-found">
            <h1>Page not found</h1>
            <p>
              There is no page at this address. <Link to={`/${search}`}>Go to the overview</Link>.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
