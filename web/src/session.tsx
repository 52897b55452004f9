import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { readsStateData } from '../../src/domain/policy/index.js';
import { api, isApiError, type Me } from './api.js';

/** Who is signed in decides the navigation; the server decides what they may read. */
export type Audience = 'state' | 'inspectorate' | 'auditor';

export function audienceOf(me: Me): Audience {
  // An auditor alone reads the log and the directory only (the policy's data.read roles).
  if (!readsStateData(me.roles)) return 'auditor';
  return me.organisationKind === 'state-authority' || me.organisationKind === 'operator'
    ? 'state'
    : 'inspectorate';
}

interface SessionValue {
  readonly me: Me | null;
  readonly checking: boolean;
  signIn(login: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Called when any request answers 401: the session ended on the server. */
  expired(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  useEffect(() => {
    let live = true;
    api
      .me()
      .then((m) => live && setMe(m))
      .catch((e: unknown) => {
        if (!isApiError(e) || e.status !== 401) console.warn('session check failed', e);
      })
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, []);
  const signIn = useCallback(async (login: string, password: string) => {
    setMe(await api.login(login, password));
  }, []);
  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setMe(null);
    }
  }, []);
  const expired = useCallback(() => setMe(null), []);
  return (
    <SessionContext.Provider value={{ me, checking, signIn, signOut, expired }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user; only for screens rendered behind the login gate. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
