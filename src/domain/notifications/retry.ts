import { DomainError } from '../errors.js';
import { problemOf } from '../particulars.js';

export interface RetryOptions {
  /** Delay ceiling of the first retry, ms. */
  readonly baseMs?: number;
  /** Largest delay ever returned, ms. */
  readonly maxMs?: number;
  /** Failed attempts after which delivery gives up (dead letter). */
  readonly maxAttempts?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { baseMs: 1_000, maxMs: 3_600_000, maxAttempts: 12 };

/**
 * Delay before the next webhook delivery attempt after `attempt` failures (1 = the first failed),
 * or null when the delivery should give up. Exponential backoff with "equal jitter":
 *   ceiling = min(maxMs, baseMs · 2^(attempt − 1)),  delay = ceiling/2 + rng() · ceiling/2.
 * Equal jitter (rather than full jitter) keeps every delay at least half its ceiling, so a
 * struggling receiver is never hammered by near-zero retries, while still spreading the herd.
 * `rng` returns a number in [0, 1) (a parameter: domain code takes no hidden randomness).
 */
export function nextRetryDelay(
  attempt: number,
  rng: () => number,
  options: RetryOptions = {},
): number | null {
  const { baseMs, maxMs, maxAttempts } = { ...DEFAULT_RETRY, ...options };
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new DomainError('VALIDATION_FAILED', 'attempt must be an integer ≥ 1', [
      { field: 'attempt', ...problemOf('OUT_OF_RANGE.wholeFrom', { min: 1 }), message: String(attempt) },
    ]);
  }
  if (attempt >= maxAttempts) return null;
  const r = rng();
  if (!(r >= 0 && r < 1)) {
    throw new DomainError('VALIDATION_FAILED', 'rng must return a number in [0, 1)', [
      { field: 'rng', ...problemOf('OUT_OF_RANGE.between', { min: 0, max: 1 }), message: String(r) },
    ]);
  }
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52));
  return Math.floor(ceiling / 2 + (r * ceiling) / 2);
}
