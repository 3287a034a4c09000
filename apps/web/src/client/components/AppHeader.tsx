// The top bar: name, page navigation (a menu button on narrow screens), theme toggle and logout.
// Links carry the current query string, so moving between pages keeps the filters.

import { useEffect, useState } from 'react';
import type { Me } from '../../shared/api-types';
import { useLogout } from '../api/queries';
import { Link, useLocation } from '../router';
import { ROUTES, type PageRoute } from '../routes';
import { useTheme } from '../theme';

export function AppHeader({ me, current }: { me: Me; current: PageRoute | undefined }) {
  const { search } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const { theme, toggle } = useTheme();
  const logout = useLogout();

  // A page change closes the menu.
  useEffect(() => setMenuOpen(false), [current]);

  return (
    <header className="app-header">
      <div className="app-header-bar">
        <Link to={`/${search}`} className="brand">
          Clickstream
        </Link>
        <button
          type="button"
          className="button menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {menuOpen ? 'Close' : 'Menu'}
        </button>
        <nav id="main-nav" className={menuOpen ? 'main-nav open' : 'main-nav'} aria-label="Pages">
          <ul>
            {ROUTES.map((r) => (
              <li key={r.path}>
                <Link to={r.path + search} aria-current={current?.path === r.path ? 'page' : undefined} data-testid={`nav-${r.name}`}>
                  {r.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <button type="button" className="button" onClick={toggle} aria-pressed={theme === 'dark'} title="Switch between light and dark">
            {theme === 'dark' ? 'Light' : 'Dark'}
            <span className="wide-only"> theme</span>
          </button>
          <span className="user" title={`Signed in as ${me.username} (${me.role})`}>
            {me.username}
          </span>
          <button type="button" className="button" onClick={() => logout.mutate()} disabled={logout.isPending} data-testid="logout">
            Log out
          </button>
        </div>
      </div>
    </header>
  );
}
