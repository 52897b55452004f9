import { type DependencyList, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, isApiError } from '../api.js';
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

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** What went wrong and what the user can do about it, by error code. */
export function advice(error: unknown): { title: string; hint: string } {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 0:
        return { title: 'The server cannot be reached', hint: 'Check your network connection, then retry.' };
      case 401:
        return { title: 'Your session has ended', hint: 'Sign in again to continue.' };
      case 403:
        return {
          title: 'You may not see this',
          hint: 'Your organisation has no access to it. Ask your administrator if you need it.',
        };
      case 404:
        return {
          title: 'Not found',
          hint: 'It does not exist, or it belongs to another state and is not shared with you. Check the code.',
        };
      default:
        return { title: `The server refused the request (${error.code})`, hint: error.message };
    }
  }
  return { title: 'Something went wrong', hint: error instanceof Error ? error.message : String(error) };
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const { title, hint } = advice(error);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{hint}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
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
