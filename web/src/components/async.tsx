import { type DependencyList, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, isApiError } from '../api.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';
import { errorText, failureText, ProblemList } from '../i18n/problems.js';
import { useSession } from '../session.js';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/** Loads data for a screen; a 401 anywhere ends the session so the login page shows. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const { expired } = useSession();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    load(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (ctl.signal.aborted) return;
        if (isApiError(error) && error.status === 401) expired();
        setState({ data: undefined, error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** `what` is already in the user's language (a `common.what.*` message). */
export function Loading({ what }: { what: string }) {
  const t = useT();
  return (
    <p className="muted" role="status">
      {t('common.loadingWhat', { what })}
    </p>
  );
}

/** What went wrong and what the user can do about it, by error code, in the user's language. */
export function advice(t: Translate, error: unknown): { title: string; hint: string } {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 0:
        return { title: t('advice.network.title'), hint: t('advice.network.hint') };
      case 401:
        return { title: t('advice.session.title'), hint: t('advice.session.hint') };
      case 403:
        return { title: t('advice.forbidden.title'), hint: t('advice.forbidden.hint') };
      case 404:
        return { title: t('advice.notFound.title'), hint: t('advice.notFound.hint') };
      default:
        return {
          title: t('advice.refused.title', { message: errorText(t, error.code) }),
          hint: t('problem.code', { code: error.code }),
        };
    }
  }
  return {
    title: t('advice.unexpected.title'),
    // A log proof or a key file by its reason; anything else by one sentence, never its English.
    hint: failureText(t, error),
  };
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const t = useT();
  const { title, hint } = advice(t, error);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{hint}</p>
      <ProblemList error={error} />
      {retry && (
        <button type="button" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="notice">
      <p className="notice-title">{title}</p>
      {children}
    </div>
  );
}

/** Renders loading, error or the content of a Loaded value. */
export function Async<T>({
  value,
  what,
  children,
}: {
  value: Loaded<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (value.error !== undefined) return <ErrorState error={value.error} retry={value.reload} />;
  if (value.data === undefined) return <Loading what={what} />;
  return <>{children(value.data)}</>;
}
