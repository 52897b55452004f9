import { useEffect, useRef, useState } from 'react';
import { isApiError } from '../api.js';
import { useSubmit } from '../components/useSubmit.js';
import { Msg, useT } from '../i18n/I18nProvider.js';
import { LanguageChooser } from '../i18n/LanguageChooser.js';
import { errorText } from '../i18n/problems.js';
import { useSession } from '../session.js';

export function LoginPage() {
  const { signIn } = useSession();
  const t = useT();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  // The failure itself, worded at render time so it follows a change of language.
  const { busy, error, onSubmit } = useSubmit(() => signIn(login.trim(), password));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = t('login.docTitle');
  }, [t]);

  const errorMessage =
    error === undefined
      ? undefined
      : isApiError(error) && error.status === 401
        ? t('login.wrong')
        : isApiError(error)
          ? errorText(t, error.code)
          : t('login.failed');

  return (
    <main id="main" className="login">
      <div className="login-card">
        <LanguageChooser />
        <p className="brand" aria-hidden="true">
          Custos
        </p>
        <h1 ref={heading}>{t('login.title')}</h1>
        <p className="muted">{t('login.tagline')}</p>
        <form onSubmit={onSubmit} noValidate>
          <label htmlFor="login">{t('login.login')}</label>
          <input
            id="login"
            name="login"
            autoComplete="username"
            required
            value={login}
            onChange={(e) => setLogin(e.target.value)}
            aria-invalid={errorMessage ? true : undefined}
            aria-describedby={errorMessage ? 'login-error' : undefined}
          />
          <label htmlFor="password">{t('login.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={errorMessage ? true : undefined}
            aria-describedby={errorMessage ? 'login-error' : undefined}
          />
          {errorMessage && (
            <p id="login-error" className="field-error" role="alert">
              {errorMessage}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || login === '' || password === ''}>
            {busy ? t('login.signingIn') : t('login.title')}
          </button>
        </form>
        <p className="muted small">
          <Msg id="login.demoHint" values={{ cmd: (chunks) => <code dir="ltr">{chunks}</code> }} />
        </p>
      </div>
    </main>
  );
}
