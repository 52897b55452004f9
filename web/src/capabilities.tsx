import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { apiJson } from './api.js';

/**
 * The server documents itself (/api/openapi.json); a screen whose endpoint this server does not
 * offer is not shown, so nothing in the navigation pretends to work.
 */
export type Capabilities = ReadonlySet<string>;

const CapabilitiesContext = createContext<Capabilities>(new Set());

/** `post /api/reports`, `get /api/mbas/{code}/balances` … as the OpenAPI document spells them. */
export function capabilityKey(method: string, path: string): string {
  return `${method.toLowerCase()} ${path}`;
}

export function CapabilitiesProvider({ children }: { children: ReactNode }) {
  const [caps, setCaps] = useState<Capabilities>(new Set());
  useEffect(() => {
    let live = true;
    apiJson<{ paths?: Record<string, Record<string, unknown>> }>('/api/openapi.json')
      .then((doc) => {
        const out = new Set<string>();
        for (const [path, ops] of Object.entries(doc.paths ?? {})) {
          for (const method of Object.keys(ops)) out.add(capabilityKey(method, path));
        }
        if (live) setCaps(out);
      })
      .catch((e: unknown) => console.warn('the API description could not be read', e));
    return () => {
      live = false;
    };
  }, []);
  return <CapabilitiesContext.Provider value={caps}>{children}</CapabilitiesContext.Provider>;
}

export function useCapabilities(): Capabilities {
  return useContext(CapabilitiesContext);
}
