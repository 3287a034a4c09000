// The dashboard's pages: path, name (its data-testid is page-<name>), nav label, and the lazily
// loaded module, so each page's charts are fetched only when it is opened.

import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface PageRoute {
  path: string;
  name: string;
  label: string;
  /** Which filters apply: all, only site and zone (live), or none (pipeline). */
  filters: 'all' | 'site' | 'none';
  component: LazyExoticComponent<ComponentType>;
}

export const ROUTES: PageRoute[] = [
  { path: '/', name: 'overview', label: 'Overview', filters: 'all', component: lazy(() => import('./pages/OverviewPage')) },
  { path: '/live', name: 'live', label: 'Live', filters: 'site', component: lazy(() => import('./pages/LivePage')) },
  { path: '/pages', name: 'pages', label: 'Pages', filters: 'all', component: lazy(() => import('./pages/PagesPage')) },
  { path: '/clicks', name: 'clicks', label: 'Clicks', filters: 'all', component: lazy(() => import('./pages/ClicksPage')) },
  { path: '/sessions', name: 'sessions', label: 'Sessions', filters: 'all', component: lazy(() => import('./pages/SessionsPage')) },
  { path: '/funnels', name: 'funnels', label: 'Funnels', filters: 'all', component: lazy(() => import('./pages/FunnelsPage')) },
  { path: '/retention', name: 'retention', label: 'Retention', filters: 'all', component: lazy(() => import('./pages/RetentionPage')) },
  { path: '/revenue', name: 'revenue', label: 'Revenue', filters: 'all', component: lazy(() => import('./pages/RevenuePage')) },
  { path: '/audience', name: 'audience', label: 'Audience', filters: 'all', component: lazy(() => import('./pages/AudiencePage')) },
  { path: '/pipeline', name: 'pipeline', label: 'Pipeline', filters: 'none', component: lazy(() => import('./pages/PipelinePage')) },
];

export function findRoute(pathname: string): PageRoute | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return ROUTES.find((r) => r.path === path);
}
