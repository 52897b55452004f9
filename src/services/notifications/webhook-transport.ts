import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPublicAddress } from '../../domain/notifications/index.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Largest answer read from a receiver (only the challenge echo matters). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Raised when a target resolves to an address deliveries may not reach (never shown as such). */
export class TargetRefused extends Error {}

/**
 * Resolve the host ourselves and check every address it resolves to (issue 15 item 3): one
 * private address among public ones refuses the whole target, so a name cannot smuggle a private
 * address past the check in a second record. Answers the address to connect to.
 */
export async function resolvePermitted(host: string, allowPrivate: boolean): Promise<LookupAddress> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  const all: LookupAddress[] =
    family !== 0 ? [{ address: bare, family }] : await lookup(bare, { all: true, verbatim: true });
  if (all.length === 0) throw new TargetRefused('the host has no address');
  if (!allowPrivate && !all.every((a) => isPublicAddress(a.address)))
    throw new TargetRefused('the host resolves to an address webhooks may not reach');
  return all[0] as LookupAddress;
}

/**
 * The delivery transport: resolves and checks the target, then connects to exactly the checked
 * address (the socket's lookup is pinned to it, so a DNS answer that changes between check and
 * connect — rebinding — changes nothing). TLS still verifies the certificate against the URL's
 * host name (SNI). Redirects are never followed: node:http does not, and a 3xx is a failure.
 */
export function createPinnedFetch(options: { allowPrivate: boolean }): FetchLike {
  return async (url, init) => {
    const target = new URL(url);
    const pinned = await resolvePermitted(target.hostname, options.allowPrivate);
    const secure = target.protocol === 'https:';
    const bare = target.hostname.replace(/^\[|\]$/g, '');
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? init.body : '';
    return new Promise<Response>((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          protocol: target.protocol,
          hostname: bare,
          port: target.port === '' ? undefined : Number(target.port),
          path: `${target.pathname}${target.search}`,
          method: init.method ?? 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          ...(secure && isIP(bare) === 0 ? { servername: bare } : {}),
          signal: init.signal ?? undefined,
          lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
            if (opts?.all) cb(null, [pinned]);
            else cb(null, pinned.address, pinned.family);
          }) as unknown as typeof import('node:dns').lookup,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(c);
            else res.destroy();
          });
          res.on('close', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            // Response cannot carry 1xx or non-HTTP codes, nor a body with 204/205/304; any such
            // answer is simply not a 2xx echo.
            const ok = status >= 200 && status <= 599 ? status : 599;
            resolve(new Response([204, 205, 304].includes(ok) ? null : text, { status: ok }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}
