import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextRetryDelay } from './retry.js';

describe('nextRetryDelay (equal jitter, capped)', () => {
  it('doubles the ceiling per attempt, between half and the whole of it', () => {
    expect(nextRetryDelay(1, () => 0)).toBe(500);
    expect(nextRetryDelay(1, () => 0.5)).toBe(750);
    expect(nextRetryDelay(4, () => 0)).toBe(4_000);
    expect(nextRetryDelay(4, () => 0.999)).toBe(7_996);
  });
  it('caps at maxMs and gives up at maxAttempts', () => {
    expect(nextRetryDelay(11, () => 0.999_999)).toBe(1_023_999);
    expect(nextRetryDelay(5, () => 0, { maxMs: 10_000 })).toBe(5_000);
    expect(nextRetryDelay(12, () => 0)).toBeNull();
    expect(nextRetryDelay(3, () => 0, { maxAttempts: 3 })).toBeNull();
  });
  it('never exceeds the cap nor drops below half the ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 0.999_999_9, noNaN: true }),
        (a, r) => {
          const d = nextRetryDelay(a, () => r, { maxAttempts: 2000 });
          const ceiling = Math.min(3_600_000, 1000 * 2 ** Math.min(a - 1, 52));
          expect(d).toBeGreaterThanOrEqual(ceiling / 2);
          expect(d).toBeLessThanOrEqual(3_600_000);
        },
      ),
    );
  });
  it('refuses a bad attempt number or rng value', () => {
    expect(() => nextRetryDelay(0, () => 0)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => nextRetryDelay(1, () => 1)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => nextRetryDelay(1, () => Number.NaN)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
