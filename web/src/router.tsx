/**
 * A small history router: the app has a handful of flat routes, so a path-pattern matcher and a
 * Link that keeps the browser's own behaviour (new tab, middle click) is all it needs.
 */
import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';

interface Location {
  readonly pathname: string;
  readonly search: string;
}

interface RouterValue {
  readonly location: Location;
  navigate(to: string, opts?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

function current(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState<Location>(current);
  useEffect(() => {
    const onPop = () => setLocation(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string, opts: { replace?: boolean } = {}) => {
    if (opts.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setLocation(current());
    window.scrollTo(0, 0);
  }, []);
  const value = useMemo(() => ({ location, navigate }), [location, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const r = useContext(RouterContext);
  if (!r) throw new Error('useRouter outside RouterProvider');
  return r;
}

export function useSearchParam(name: string): [string, (value: string | undefined) => void] {
  const { location, navigate } = useRouter();
  const value = new URLSearchParams(location.search).get(name) ?? '';
  const set = useCallback(
    (v: string | undefined) => {
      const params = new URLSearchParams(window.location.search);
      if (v === undefined || v === '') params.delete(name);
      else params.set(name, v);
      const s = params.toString();
      navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
    },
    [name, navigate],
  );
  return [value, set];
}

/** Matches `/mbas/:code` against a path; returns the decoded parameters or undefined. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const p = pattern.split('/').filter(Boolean);
  const s = pathname.split('/').filter(Boolean);
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!;
    const got = s[i]!;
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) return undefined;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  readonly to: string;
  /** Marks the link as the current page when the path starts with `to` (navigation). */
  readonly nav?: boolean;
};

export function Link({ to, nav, onClick, children, ...rest }: LinkProps) {
  const { location, navigate } = useRouter();
  const active =
    nav === true &&
    (to === '/'
      ? location.pathname === '/'
      : location.pathname === to || location.pathname.startsWith(`${to}/`));
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} aria-current={active ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
