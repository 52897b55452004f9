import { type FormEvent, useEffect, useRef, useState } from 'react';
import { isApiError } from '../api.js';
import { useSession } from '../session.js';

export function LoginPage() {
  const { signIn } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Sign in · Custos';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(login.trim(), password);
    } catch (err) {
      setError(
        isApiError(err) && err.status === 401
          ? 'The login or the password is wrong. Check both and try again.'
          : isApiError(err)
            ? err.message
            : 'Signing in failed. Try again.',
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <div className="login-card">
        <p className="brand" aria-hidden="true">
          Custos
        </p>
        <h1 ref={heading}>Sign in</h1>
        <p className="muted">
          The shared, verifiable record of international nuclear safeguards cooperation.
        </p>
        <form onSubmit={submit} noValidate>
          <label htmlFor="login">Login</label>
          <input
            id="login"
            name="login"
            autoComplete="username"
            required
            value={login}
            onChange={(e) => setLogin(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error' : undefined}
          />
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error' : undefined}
          />
          {error && (
            <p id="login-error" className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || login === '' || password === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="muted small">
          Demo world: run <code>npx custos demo tokens</code> on the server to list the demo logins and
          passwords.
        </p>
      </div>
    </main>
  );
}
