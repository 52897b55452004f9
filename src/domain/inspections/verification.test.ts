import { describe, expect, it } from 'vitest';
import { computeDStatistic, findingsFromVerification, testItemDifference } from './verification.js';

const operator = { random: 0.005, systematic: 0.002 };
const inspector = { random: 0.01, systematic: 0.005 };

describe('testItemDifference (3σ)', () => {
  it('passes d = 30 g against σ_d = √146.6125 = 12.108 g', () => {
    const t = testItemDifference({ id: 'A', declared: 1000, measured: 970 }, operator, inspector);
    expect(t.difference).toBe(30);
    expect(t.sigma).toBeCloseTo(12.10836, 4);
    expect(t.significant).toBe(false);
  });
  it('flags d = 40 g against σ_d = √144.2 = 12.008 g (3.33σ)', () => {
    const t = testItemDifference({ id: 'A', declared: 1000, measured: 960 }, operator, inspector);
    expect(t.sigma).toBeCloseTo(12.00833, 4);
    expect(t.significant).toBe(true);
  });
  it('flags any difference between exact methods', () => {
    const exact = { random: 0, systematic: 0 };
    expect(testItemDifference({ id: 'A', declared: 1, measured: 0.999 }, exact, exact).significant).toBe(
      true,
    );
  });
});

const errors = { operator: { random: 0.01, systematic: 0 }, inspector: { random: 0.01, systematic: 0.005 } };
const items = (measured: number[]) =>
  measured.map((m, i) => ({ id: `I${i + 1}`, declared: 100, measured: m }));

describe('computeDStatistic', () => {
  it('D = (100/4)·2 = 50 with measurement variance 625·11.9207 and no sampling excess', () => {
    const d = computeDStatistic({ population: 100, items: items([99, 101, 98, 100]), ...errors });
    expect(d.D).toBe(50);
    expect(d.measurementVariance).toBeCloseTo(7450.4375, 6);
    expect(d.samplingVariance).toBe(0);
    expect(d.significant).toBe(false);
  });
  it('adds the sampling variance N²(1 − n/N)/n · (s_d² − mean σ²_r)', () => {
    const d = computeDStatistic({ population: 100, items: items([95, 105, 94, 104]), ...errors });
    expect(d.D).toBe(50);
    expect(d.measurementVariance).toBeCloseTo(7456.4375, 6);
    expect(d.samplingVariance).toBeCloseTo(76017.88, 4);
    expect(d.variance).toBeCloseTo(83474.3175, 4);
  });
  it('flags a consistent 3 % bias: D = 300, σ_D = √7204.5, 3.53σ', () => {
    const d = computeDStatistic({ population: 100, items: items([97, 97, 97, 97]), ...errors });
    expect(d.D).toBe(300);
    expect(d.variance).toBeCloseTo(7204.5, 6);
    expect(d.significant).toBe(true);
  });
  it('refuses n > N or no items', () => {
    expect(() => computeDStatistic({ population: 2, items: items([1, 2, 3]), ...errors })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => computeDStatistic({ population: 2, items: [], ...errors })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});

describe('findingsFromVerification', () => {
  it('classifies gross, partial and excess item findings and a bias defect', () => {
    const r = findingsFromVerification({
      stratum: 'XA-A/pellets',
      population: 100,
      items: [
        { id: 'G', declared: 100, measured: 40 },
        { id: 'P', declared: 100, measured: 90 },
        { id: 'X', declared: 100, measured: 110 },
        { id: 'OK', declared: 100, measured: 100 },
      ],
      ...errors,
      goalQuantity: 1000,
    });
    expect(r.findings.map((f) => [f.key, f.type, f.severity])).toEqual([
      ['XA-A/pellets:gross-defect:G', 'gross-defect', 'high'],
      ['XA-A/pellets:partial-defect:P', 'partial-defect', 'medium'],
      ['XA-A/pellets:item-excess:X', 'item-excess', 'low'],
    ]);
  });
  it('rates a bias defect of at least the goal quantity high', () => {
    const input = { stratum: 'S', population: 100, items: items([97, 97, 97, 97]), ...errors };
    expect(findingsFromVerification({ ...input, goalQuantity: 250 }).findings).toEqual([
      expect.objectContaining({ key: 'S:bias-defect:D', type: 'bias-defect', severity: 'high', value: 300 }),
    ]);
    expect(findingsFromVerification({ ...input, goalQuantity: 8000 }).findings[0]?.severity).toBe('medium');
    expect(findingsFromVerification({ ...input, items: items([103, 103, 103, 103]) }).findings[0]?.type).toBe(
      'bias-excess',
    );
  });
});
