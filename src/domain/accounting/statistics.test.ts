import { describe, expect, it } from 'vitest';
import { collectBalances } from './balance-oracle.test-support.js';
import { computeEffectiveLines } from './effective.js';
import { evaluateMba } from './evaluate.js';
import { goldenSequence } from './golden.fixture.js';
import {
  buildCovariance,
  choleskyDecompose,
  computeMufVariance,
  computePageArl,
  computePageStatistics,
  computeSequenceStatistics,
  computeSitmuf,
  DEFAULT_PAGE,
} from './statistics.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/*
 * Hand computation of the golden sequence (golden.fixture.ts), grams.
 *
 * Random variances δr²·x²:
 *   inventories (INV, δr² = 1e-4): 1000 g → 100, 1100 g → 121
 *   receipts    (IN,  δr² = 4e-4): 500 g → 100
 *   shipments   (OUT, δr² = 1e-4): 460 → 21.16, 360 → 12.96, 560 → 31.36
 * Random part of Σ:
 *   diag: p1 = 100 + 100 + 100 + 21.16 = 321.16
 *         p2 = 100 + 121 + 100 + 12.96 = 333.96
 *         p3 = 121 + 100 + 100 + 31.36 = 352.36
 *   off:  (1,2) = −100 (inventory of 29 Feb), (2,3) = −121 (inventory of 31 Mar), (1,3) = 0
 * Systematic part Σ_s δs²·c_{s,i}·c_{s,j}:
 *   INV: c = (1000 − 1000, 1000 − 1100, 1100 − 1000) = (0, −100, 100), δs² = 2.5e-5
 *        → (2,2) = 0.25, (3,3) = 0.25, (2,3) = −0.25
 *   IN:  c = (500, 500, 500), δs² = 1e-4 → 25 in every cell
 *   OUT: δs = 0
 * Σ = [[346.16, −75, 25], [−75, 359.21, −96.25], [25, −96.25, 377.61]]
 * (p2 shows the inventory model δr²(PB² + PE²) + δs²(PB − PE)² = 100 + 121 + 0.25.)
 *
 * Cholesky (40-digit decimal arithmetic):
 *   L11 = √346.16                                  = 18.605375567292373257
 *   L21 = −75 / L11                                = −4.0310930423703720657
 *   L31 = 25 / L11                                 = 1.3436976807901240219
 *   L22 = √(359.21 − L21²)                         = 18.519187047053474202
 *   L32 = (−96.25 − L31·L21) / L22                 = −4.9048281329589966279
 *   L33 = √(377.61 − L31² − L32²)                  = 18.754923021136962408
 * SITMUF = L⁻¹·(40, 40, 40):
 *   z1 = 40 / L11                                  = 2.1499162892641984351
 *   z2 = (40 − L21·z1) / L22                       = 2.6278968116516110408
 *   z3 = (40 − L31·z1 − L32·z2) / L33              = 2.6659957294505451734
 * Page (k = 0.5): S1 = 1.6499162892641984351, S2 = 3.7778131009158094758,
 *                 S3 = 5.9438088303663546492 > h = 5 → PAGE at p3
 * σMUF = √diag = 18.605375567292373257, 18.952836199366046333, 19.432189789110232957
 * 3σMUF ≥ 55.8 g > 40 g: the 3σ test stays silent while Page's test alarms.
 */
const SIGMA = [346.16, -75, 25, -75, 359.21, -96.25, 25, -96.25, 377.61];
const L = [
  18.6053755672924, -4.03109304237037, 1.34369768079012, 18.5191870470535, -4.904828132959, 18.754923021137,
];
const SITMUF = [2.1499162892642, 2.62789681165161, 2.66599572945054];
const PAGE = [1.6499162892642, 3.77781310091581, 5.94380883036635];
const SIGMA_MUF = [18.6053755672924, 18.952836199366, 19.4321897891102];

function goldenMoments() {
  const input = goldenSequence();
  const collected = collectBalances(
    { inventories: input.inventories, lines: computeEffectiveLines(input.icrLines).lines },
    input.kmpErrors,
  );
  expect(collected).toHaveLength(1);
  return collected[0]!;
}

describe('σMUF (domain.md §6)', () => {
  it('reduces to δr²(PB² + PE²) + δs²(PB − PE)² for one inventory batch at PB and PE in one stratum', () => {
    const errors = { INV: { random: 0.003, systematic: 0.002 } };
    const v = computeMufVariance(
      [
        { kmp: 'INV', amount: 1234 },
        { kmp: 'INV', amount: -1100 },
      ],
      errors,
    );
    const expected = 0.003 ** 2 * (1234 ** 2 + 1100 ** 2) + 0.002 ** 2 * (1234 - 1100) ** 2;
    expect(rel(v, expected)).toBeLessThan(1e-12);
  });

  it('equals T²(δr² + δs²) for a flow stratum with one measurement', () => {
    const v = computeMufVariance([{ kmp: 'F', amount: -250 }], { F: { random: 0.01, systematic: 0.02 } });
    expect(rel(v, 250 ** 2 * (0.01 ** 2 + 0.02 ** 2))).toBeLessThan(1e-12);
  });

  it('adds signed amounts of one stratum before squaring the systematic part, random per batch', () => {
    // Two batches of 100 g in, one of 150 g out, same KMP: δr²(100² + 100² + 150²) + δs²(50)².
    const v = computeMufVariance(
      [
        { kmp: 'K', amount: 100 },
        { kmp: 'K', amount: 100 },
        { kmp: 'K', amount: -150 },
      ],
      { K: { random: 0.1, systematic: 0.2 } },
    );
    expect(v).toBeCloseTo(0.01 * 42500 + 0.04 * 2500, 9);
  });

  it('rejects a measurement of a KMP without declared errors', () => {
    expect(() => computeMufVariance([{ kmp: 'X', amount: 1 }], {})).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_KMP' }),
    );
  });
});

describe('sequence statistics, golden multi-period case (1e-9 relative)', () => {
  it('builds the covariance matrix computed by hand', () => {
    const cov = buildCovariance(goldenMoments().moments!);
    for (let i = 0; i < 9; i++) {
      if (SIGMA[i] === 0) expect(cov[i]).toBe(0);
      else expect(rel(cov[i]!, SIGMA[i]!)).toBeLessThan(1e-12);
    }
  });

  it('its diagonal is the single-balance formula of each period', () => {
    const cov = buildCovariance(goldenMoments().moments!);
    const errors = goldenSequence().kmpErrors;
    const p2 = computeMufVariance(
      [
        { kmp: 'INV', amount: 1000 },
        { kmp: 'IN', amount: 500 },
        { kmp: 'OUT', amount: -360 },
        { kmp: 'INV', amount: -1100 },
      ],
      errors,
    );
    expect(rel(cov[4]!, p2)).toBeLessThan(1e-12);
  });

  it('factors Σ, whitens MUF and runs Page exactly as by hand', () => {
    const { moments, sequence } = goldenMoments();
    const muf = sequence.periods.map((p) => p.mufMg / 1000);
    expect(muf).toEqual([40, 40, 40]);
    const Lm = choleskyDecompose(buildCovariance(moments!), 3);
    const lower = [Lm[0]!, Lm[3]!, Lm[6]!, Lm[4]!, Lm[7]!, Lm[8]!];
    for (let i = 0; i < 6; i++) expect(rel(lower[i]!, L[i]!)).toBeLessThan(1e-9);
    const stats = computeSequenceStatistics(moments!, muf);
    for (let i = 0; i < 3; i++) {
      expect(rel(stats.sitmuf[i]!, SITMUF[i]!)).toBeLessThan(1e-9);
      expect(rel(stats.page[i]!, PAGE[i]!)).toBeLessThan(1e-9);
      expect(rel(stats.sigmaMuf[i]!, SIGMA_MUF[i]!)).toBeLessThan(1e-9);
    }
    expect(Array.from(stats.cumuf)).toEqual([40, 80, 120]);
  });

  it('gives the same through evaluateMba, with PAGE and no MUF_3SIGMA', () => {
    const [el] = evaluateMba(goldenSequence()).elements;
    const periods = el!.periods;
    for (let i = 0; i < 3; i++) {
      expect(rel(periods[i]!.sitmuf!, SITMUF[i]!)).toBeLessThan(1e-9);
      expect(rel(periods[i]!.page, PAGE[i]!)).toBeLessThan(1e-9);
      expect(rel(periods[i]!.sigmaMuf, SIGMA_MUF[i]!)).toBeLessThan(1e-9);
    }
    expect(periods.map((p) => p.alarms)).toEqual([[], [], ['PAGE']]);
  });
});

describe('Cholesky and SITMUF', () => {
  it('reconstructs Σ = L·Lᵀ', () => {
    const Lm = choleskyDecompose(Float64Array.from(SIGMA), 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += Lm[i * 3 + k]! * Lm[j * 3 + k]!;
        expect(rel(s, SIGMA[i * 3 + j]!)).toBeLessThan(1e-12);
      }
    }
  });

  it('for independent periods SITMUF is MUF/σMUF', () => {
    const Lm = choleskyDecompose(Float64Array.from([4, 0, 0, 9]), 2);
    expect(Array.from(computeSitmuf(Lm, [2, -6], 2))).toEqual([1, -2]);
  });

  it('gives NaN (no standardised value) for a balance without variance', () => {
    const Lm = choleskyDecompose(Float64Array.from([0, 0, 0, 4]), 2);
    const z = computeSitmuf(Lm, [0, 2], 2);
    expect(Number.isNaN(z[0])).toBe(true);
    expect(z[1]).toBe(1);
    expect(Array.from(computePageStatistics(z))).toEqual([0, 0.5]);
  });
});

describe("Page's test default h (false-alarm rate)", () => {
  it('has an in-control ARL ≈ 930 periods at k = 0.5, h = 5 (≈ 0.11 % false alarms per period)', () => {
    // Brook–Evans with 200 states; Siegmund's approximation (e^{2kb} − 2kb − 1)/(2k²), b = h + 1.166,
    // gives 938. The 3σ two-sided test has a false-alarm rate of 0.27 % (ARL 370).
    const arl = computePageArl(DEFAULT_PAGE, 0, 200);
    expect(arl).toBeGreaterThan(900);
    expect(arl).toBeLessThan(960);
    expect(computePageArl({ k: 0.5, h: 4 }, 0, 200)).toBeGreaterThan(320);
    expect(computePageArl({ k: 0.5, h: 4 }, 0, 200)).toBeLessThan(350);
  });

  it('detects a loss of one σ per period in ≈ 10 periods', () => {
    const arl1 = computePageArl(DEFAULT_PAGE, 1, 200);
    expect(arl1).toBeGreaterThan(9);
    expect(arl1).toBeLessThan(12);
  });
});
