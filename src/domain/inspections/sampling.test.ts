import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSamplingPlan, createSeededWords, drawSample, type SamplingPlanInput } from './sampling.js';

const base: SamplingPlanInput = {
  population: 300,
  averageContent: 0.5,
  goalQuantity: 8,
  nonDetectionProbability: 0.1,
  defectLevel: 'gross',
};

function fieldsOf(input: SamplingPlanInput): string[] {
  try {
    computeSamplingPlan(input);
  } catch (e) {
    const err = e as { code: string; details: { field: string; code: string }[] };
    expect(err.code).toBe('VALIDATION_FAILED');
    return err.details.map((d) => `${d.field}:${d.code}`);
  }
  return [];
}

describe('computeSamplingPlan', () => {
  it('matches the hand-computed plan: r = 16, n = ⌈40.21⌉ = 41', () => {
    const plan = computeSamplingPlan(base);
    expect(plan).toMatchObject({ defectsToDetect: 16, sampleSize: 41, method: 'attribute' });
    expect(plan.detectionProbability).toBeCloseTo(0.904752, 6);
  });
  it('chooses the method from the defect level', () => {
    expect(computeSamplingPlan({ ...base, defectLevel: 'partial' }).method).toBe('nda-variables');
    expect(computeSamplingPlan({ ...base, defectLevel: 'bias' }).method).toBe('da-variables');
  });
  it('does not let floating point push r over an integer (1.1 / 0.1 = 11)', () => {
    const plan = computeSamplingPlan({
      ...base,
      population: 100,
      averageContent: 0.1,
      goalQuantity: 1.1,
      nonDetectionProbability: 0.05,
    });
    expect(plan).toMatchObject({ defectsToDetect: 11, sampleSize: 24 });
  });
  it('guards its inputs', () => {
    expect(fieldsOf({ ...base, population: 10 })).toEqual(['goalQuantity:GOAL_EXCEEDS_POPULATION']);
    expect(fieldsOf({ ...base, nonDetectionProbability: 0 })).toEqual([
      'nonDetectionProbability:OUT_OF_RANGE',
    ]);
    expect(fieldsOf({ ...base, nonDetectionProbability: 1 })).toEqual([
      'nonDetectionProbability:OUT_OF_RANGE',
    ]);
    expect(fieldsOf({ ...base, population: 2.5, averageContent: 0, goalQuantity: -1 })).toEqual([
      'population:OUT_OF_RANGE',
      'averageContent:OUT_OF_RANGE',
      'goalQuantity:OUT_OF_RANGE',
    ]);
  });
  it('always reaches the detection goal with n ≤ N', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (N, r, beta) => {
          fc.pre(r <= N);
          const plan = computeSamplingPlan({
            ...base,
            population: N,
            averageContent: 1,
            goalQuantity: r,
            nonDetectionProbability: beta,
          });
          expect(plan.sampleSize).toBeLessThanOrEqual(N);
          expect(plan.detectionProbability).toBeGreaterThanOrEqual(1 - beta - 1e-9);
        },
      ),
    );
  });
});

describe('drawSample (SHA-256 counter mode, partial Fisher–Yates)', () => {
  const ids = Array.from({ length: 300 }, (_, i) => `FA-${String(i + 1).padStart(3, '0')}`);

  it('produces the words an independent implementation produces', () => {
    const next = createSeededWords('custos');
    expect([next(), next(), next()]).toEqual([0x1ce1dcad, 0x4e4e8bf1, 0x14531344]);
  });
  it('re-draws the golden sample (cross-checked with a Python implementation)', () => {
    expect(drawSample(ids, 41, '2025-PIT-XA-A')).toEqual(
      'FA-069 FA-210 FA-065 FA-280 FA-223 FA-021 FA-087 FA-231 FA-136 FA-234 FA-281 FA-286 FA-218 FA-051 FA-023 FA-292 FA-115 FA-132 FA-145 FA-244 FA-118 FA-284 FA-102 FA-180 FA-277 FA-209 FA-126 FA-293 FA-074 FA-061 FA-285 FA-117 FA-072 FA-261 FA-096 FA-188 FA-046 FA-059 FA-020 FA-034 FA-229'.split(
        ' ',
      ),
    );
    expect(drawSample(['e', 'd', 'c', 'b', 'a'], 5, 'seed')).toEqual(['c', 'a', 'e', 'd', 'b']);
  });
  it('depends on the set of ids, not their order', () => {
    expect(drawSample([...ids].reverse(), 41, '2025-PIT-XA-A')).toEqual(drawSample(ids, 41, '2025-PIT-XA-A'));
  });
  it('draws n distinct members', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 50 }),
        fc.string({ minLength: 1 }),
        (pool, seed) => {
          const n = Math.floor(pool.length / 2);
          const s = drawSample(pool, n, seed);
          expect(new Set(s).size).toBe(n);
          for (const x of s) expect(pool).toContain(x);
        },
      ),
    );
  });
  it('refuses duplicates, an empty seed and n out of range', () => {
    for (const [pool, n, seed] of [
      [['a', 'a'], 1, 's'],
      [['a'], 1, ''],
      [['a'], 2, 's'],
      [['a'], -1, 's'],
    ] as const) {
      expect(() => drawSample(pool, n, seed)).toThrowError(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    }
  });
});
