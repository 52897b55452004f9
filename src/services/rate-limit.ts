/**
 * Token buckets by key, held in memory and bounded (decision 0023): at most `maxKeys` buckets; the
 * least recently used is dropped first (a dropped bucket comes back full, which errs only for the
 * key idle longest). Each server keeps its own: with n servers a principal gets up to n times the
 * rate, which bounds the work one principal can cause without a database write per request; what
 * must hold across servers (login guessing, log growth) is kept in the database instead.
 */
export interface RateLimiter {
  /** Seconds to wait before `key` may spend one token (0: now). Spends nothing. */
  wait(key: string): number;
  /** Spend one token; answers the seconds to wait when there was none (and spends nothing). */
  take(key: string): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(opts: {
  readonly perMinute: number;
  readonly maxKeys: number;
  readonly nowMs: () => number;
}): RateLimiter {
  const capacity = opts.perMinute;
  const perMs = opts.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  const refill = (key: string): Bucket => {
    const now = opts.nowMs();
    const b = buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    // Map order is insertion order: re-inserting makes this key the most recently used.
    buckets.delete(key);
    buckets.set(key, b);
    while (buckets.size > opts.maxKeys) {
      const oldest = buckets.keys().next().value as string;
      buckets.delete(oldest);
    }
    return b;
  };
  const waitOf = (b: Bucket) => (b.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)));
  return {
    wait(key) {
      return waitOf(refill(key));
    },
    take(key) {
      const b = refill(key);
      const w = waitOf(b);
      if (w === 0) b.tokens -= 1;
      return w;
    },
  };
}
