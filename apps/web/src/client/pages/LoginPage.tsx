// The login form. A 401 says the name or password is wrong, a 429 that there were too many tries.

import { useState, type FormEvent } from 'react';
import { useLogin } from '../api/queries';
import { isApiError } from '../api/http';

function loginMessage(err: Error): string {
  if (isApiError(err)) {
    if (err.status === 401) return 'Wrong username or password.';
    if (err.status === 429) return 'Too many attempts. Wait a minute, then try again.';
  }
  return err.message || 'Could not log in.';
}

export function LoginPage() {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ username, password });
  }

  return (
    <main className="login" data-testid="page-login">
      <form className="login-form panel" onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">Clickstream</h1>
        <p className="muted">Log in to see your analytics.</p>
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input id="login-username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {login.isError ? (
          <p className="form-error" role="alert" data-testid="login-error">
            {loginMessage(login.error)}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
