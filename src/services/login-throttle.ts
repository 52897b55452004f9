import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { AuthThrottleRow } from '../store/schema.types.js';
import { createThrottleRepo } from '../store/throttle.repo.js';
import type { Ports } from './ports.js';

/**
 * Password-guessing limits (issue 15 item 4, decision 0022), shared by every server through the
 * database:
 * - per (login, address): after `backoffAfter` consecutive failures, each further attempt waits
 *   2^(n − backoffAfter) s, at most 15 min; a success clears it;
 * - per address: `addressFailures` failures in 15 min (any logins) and the address waits out the
 *   window;
 * - per login: `loginFailures` failures in 15 min from all addresses and the login is slowed for
 *   addresses it has never signed in from, until the window ends. Addresses it signed in from in
 *   the last 90 days keep only their own backoff, so guessing from elsewhere cannot lock the user
 *   out.
 * Only failures count, and a refused (429) attempt is no failure: waiting is enough to get in.
 */
const WINDOW_MS = 15 * 60_000;
const MAX_BACKOFF_S = 15 * 60;
const PAIR_TTL_MS = 24 * 3600_000;
const KNOWN_TTL_MS = 90 * 24 * 3600_000;

export interface LoginLimits {
  readonly backoffAfter: number;
  readonly addressFailures: number;
  readonly loginFailures: number;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function keysOf(login: string, address: string) {
  return {
    pair: `p:${digest(login, address)}`,
    address: `a:${digest(address)}`,
    login: `l:${digest(login)}`,
    known: `k:${digest(login, address)}`,
  };
}

/** Seconds until the attempt may be made, or 0 when it may be made now. */
export function loginWait(
  limits: LoginLimits,
  rows: { pair?: AuthThrottleRow; address?: AuthThrottleRow; login?: AuthThrottleRow; known?: boolean },
  nowMs: number,
): number {
  let wait = 0;
  const until = (t: number) => {
    if (t > nowMs) wait = Math.max(wait, Math.ceil((t - nowMs) / 1000));
  };
  const { pair, address, login } = rows;
  if (pair && pair.failures >= limits.backoffAfter) {
    const backoff = Math.min(MAX_BACKOFF_S, 2 ** (pair.failures - limits.backoffAfter));
    until(Date.parse(pair.since) + backoff * 1000);
  }
  if (address && address.failures >= limits.addressFailures) until(Date.parse(address.since) + WINDOW_MS);
  if (login && !rows.known && login.failures >= limits.loginFailures)
    until(Date.parse(login.since) + WINDOW_MS);
  return wait;
}

export function createLoginThrottle(ports: Pick<Ports, 'db' | 'clock' | 'config'>) {
  const repo = createThrottleRepo(ports.db);
  const limits = ports.config.loginLimits;
  return {
    /** Throws RATE_LIMITED (429, Retry-After) when this attempt must wait; before any password work. */
    async check(login: string, address: string): Promise<void> {
      const keys = keysOf(login, address);
      const now = ports.clock.now();
      const byKey = new Map(
        (await repo.rows(Object.values(keys)))
          .filter((r) => Date.parse(r.expires_at) > now.getTime())
          .map((r) => [r.key, r]),
      );
      const wait = loginWait(
        limits,
        {
          pair: byKey.get(keys.pair),
          address: byKey.get(keys.address),
          login: byKey.get(keys.login),
          known: byKey.has(keys.known),
        },
        now.getTime(),
      );
      if (wait > 0)
        throw new DomainError('RATE_LIMITED', `too many failed sign-ins: try again in ${wait} s`, undefined, {
          retryAfterSeconds: wait,
        });
    },
    async failed(login: string, address: string): Promise<void> {
      const keys = keysOf(login, address);
      const now = ports.clock.now();
      const iso = now.toISOString();
      const cutoff = new Date(now.getTime() - WINDOW_MS).toISOString();
      const windowEnd = new Date(now.getTime() + WINDOW_MS).toISOString();
      await repo.prune(iso);
      await repo.countConsecutive(keys.pair, iso, new Date(now.getTime() + PAIR_TTL_MS).toISOString());
      await repo.countInWindow(keys.address, iso, cutoff, windowEnd);
      await repo.countInWindow(keys.login, iso, cutoff, windowEnd);
    },
    async succeeded(login: string, address: string): Promise<void> {
      const keys = keysOf(login, address);
      const now = ports.clock.now();
      await repo.remove(keys.pair);
      await repo.put(keys.known, now.toISOString(), new Date(now.getTime() + KNOWN_TTL_MS).toISOString());
    },
  };
}
