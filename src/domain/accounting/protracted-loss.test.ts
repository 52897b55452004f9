import { describe, expect, it } from 'vitest';
import { evaluateMba } from './evaluate.js';
import { generateProtractedLoss } from './protracted-loss.js';

describe('generateProtractedLoss (demo: Page catches what 3σ misses)', () => {
  it('is deterministic in its seed', () => {
    expect(generateProtractedLoss({ seed: 7 })).toEqual(generateProtractedLoss({ seed: 7 }));
    expect(generateProtractedLoss({ seed: 7 })).not.toEqual(generateProtractedLoss({ seed: 8 }));
  });

  it('gives well-formed reports: sequential numbers, line counts, monthly PITs', () => {
    const ds = generateProtractedLoss({ seed: 1 });
    expect(ds.icrs.map((r) => r.reportNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(ds.pils.map((r) => r.pit)).toContain('2025-02-28');
    for (const r of [...ds.icrs, ...ds.pils, ds.initial]) expect(r.lineCount).toBe(r.lines.length);
  });

  it('for every seed tried: no MUF beyond 3σ, no SQ alarm, and PAGE within the year', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const ev = evaluateMba(generateProtractedLoss({ seed }).evaluationInput);
      expect(ev.elements).toHaveLength(1);
      const periods = ev.elements[0]!.periods;
      expect(periods).toHaveLength(12);
      for (const p of periods) {
        expect(Math.abs(p.muf)).toBeLessThan(3 * p.sigmaMuf);
        expect(p.alarms.filter((a) => a !== 'PAGE')).toEqual([]);
        expect(p.muf).toBeGreaterThan(0);
      }
      const first = periods.findIndex((p) => p.alarms.includes('PAGE'));
      expect(first).toBeGreaterThanOrEqual(2);
      expect(first).toBeLessThan(9);
      expect(periods[11]!.page).toBeGreaterThan(5);
    }
  });

  it('without the diversion the same MBA raises nothing', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const ev = evaluateMba(generateProtractedLoss({ seed, lossPerPeriodMg: 0 }).evaluationInput);
      for (const p of ev.elements[0]!.periods) expect(p.alarms).toEqual([]);
    }
  });
});
