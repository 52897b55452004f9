import { describe, expect, it } from 'vitest';
import { matchHash } from './match-key.js';

const HIGH = 0x1_0000_0000;

describe('matchHash (decisions 0016, 0049)', () => {
  it('is a 48-bit integer, the same for the same key and different for another', () => {
    const h = matchHash('FAB-2026-11-17', 'U', 'XA', 'XB', '');
    expect(Number.isSafeInteger(h) && h >= 0 && h < 2 ** 48).toBe(true);
    expect(matchHash('FAB-2026-11-17', 'U', 'XA', 'XB', '')).toBe(h);
    for (const other of [
      matchHash('FAB-2026-11-18', 'U', 'XA', 'XB', ''),
      matchHash('FAB-2026-11-17', 'P', 'XA', 'XB', ''),
      matchHash('FAB-2026-11-17', 'U', 'XB', 'XA', ''),
      matchHash('FAB-2026-11-17', 'U', 'XA', 'XB', 'N-1'),
    ])
      expect(other).not.toBe(h);
  });

  it('puts the batches of one series (the batch less its trailing digits) in one key range', () => {
    const range = (batch: string) => Math.floor(matchHash(batch, 'U', 'XA', 'XB', '') / HIGH);
    const series = range('FAB-2026-11-0');
    const lows = new Set<number>();
    for (let n = 0; n < 5000; n++) {
      expect(range(`FAB-2026-11-${n}`)).toBe(series);
      lows.add(matchHash(`FAB-2026-11-${n}`, 'U', 'XA', 'XB', '') % HIGH);
    }
    // Within the range the batches are spread by the hash of the whole key.
    expect(lows.size).toBe(5000);
    expect(range('FAB-2026-12-0')).not.toBe(series);
    expect(Math.floor(matchHash('FAB-2026-11-0', 'U', 'XA', 'XC', '') / HIGH)).not.toBe(series);
  });
});
