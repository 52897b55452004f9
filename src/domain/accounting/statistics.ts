import { DomainError } from '../errors.js';
import type { KmpError, SequenceMoments } from './balance.js';

/**
 * Statistics of verification, domain.md §6. Amounts are in grams (floating point); exact
 * milligrams stay in the balances.
 *
 * Error model (Custos decides, document where σMUF is shown): every measured batch x_i of stratum
 * s (a KMP with its method) carries a random error of relative standard deviation δr_s, drawn
 * independently per measurement, and the systematic error of its stratum, relative standard
 * deviation δs_s, shared by every measurement of that stratum in every period. Hence
 *
 *     var(MUF) = Σ_s [ δr_s² · Σ_i x_i²  +  δs_s² · (Σ_i ±x_i)² ].
 *
 * For an inventory KMP holding one batch at PB and one at PE this gives δr²(PB² + PE²) +
 * δs²(PB − PE)²: one shared error of the calibrated method, which cancels when the inventory does
 * not change (MAPIT instead takes the two systematic errors as independent).
 */

/** One measurement entering a balance: +x for PB and increases, −x for decreases and PE. */
export interface SignedMeasurement {
  readonly kmp: string;
  /** Signed amount in grams. */
  readonly amount: number;
}

/** var(MUF) of one balance from its measurements, the general batch-level formula of §6. */
export function computeMufVariance(
  measurements: readonly SignedMeasurement[],
  errors: Readonly<Record<string, KmpError>>,
): number {
  const signed = new Map<string, number>();
  let variance = 0;
  for (const m of measurements) {
    const e = errors[m.kmp];
    if (e === undefined) throw new DomainError('UNKNOWN_KMP', `no measurement errors for KMP ${m.kmp}`);
    variance += e.random * e.random * m.amount * m.amount;
    signed.set(m.kmp, (signed.get(m.kmp) ?? 0) + m.amount);
  }
  for (const [kmp, total] of signed) {
    const ds = errors[kmp]!.systematic;
    variance += ds * ds * total * total;
  }
  return variance;
}

/**
 * Covariance matrix (row-major n×n, g²) of the MUF sequence of one MBA × element (domain.md §6):
 * - random: the flows of period p and the items of both bounding inventories on the diagonal;
 *   between consecutive periods −δr²·Σx² of the inventory they share (PE of p is PB of p + 1);
 * - systematic: Σ_s δs_s² · c_{s,p} · c_{s,q}, c_{s,p} the signed total of stratum s in balance p.
 * The diagonal is exactly computeMufVariance of each balance.
 */
export function buildCovariance(m: SequenceMoments): Float64Array {
  const n = m.periods;
  const nInv = n + 1;
  const cov = new Float64Array(n * n);
  for (let p = 0; p < n; p++) {
    cov[p * n + p] = m.flowRandom[p]! + m.inventoryRandom[p]! + m.inventoryRandom[p + 1]!;
    if (p + 1 < n) {
      const shared = -m.inventoryRandom[p + 1]!;
      cov[p * n + p + 1] = shared;
      cov[(p + 1) * n + p] = shared;
    }
  }
  const c = new Float64Array(n);
  for (let s = 0; s < m.strata; s++) {
    const ds = m.systematic[s]!;
    if (ds === 0) continue;
    const v = ds * ds;
    let any = false;
    for (let p = 0; p < n; p++) {
      // PB enters +, PE enters −.
      const cp =
        m.flowSigned[s * n + p]! + m.inventorySigned[s * nInv + p]! - m.inventorySigned[s * nInv + p + 1]!;
      c[p] = cp;
      if (cp !== 0) any = true;
    }
    if (!any) continue;
    for (let p = 0; p < n; p++) {
      const vp = v * c[p]!;
      if (vp === 0) continue;
      for (let q = 0; q < n; q++) cov[p * n + q]! += vp * c[q]!;
    }
  }
  return cov;
}

/**
 * Cholesky factor L (row-major, lower) of a symmetric positive semi-definite matrix, Σ = L·Lᵀ.
 * A pivot that is not positive beyond rounding (≤ 1e-12 of the largest diagonal) marks a
 * direction without variance (e.g. a period with no measurement error): its column is set to 0.
 */
export function choleskyDecompose(matrix: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, matrix[i * n + i]!);
  const tol = maxDiag * 1e-12;
  for (let j = 0; j < n; j++) {
    let d = matrix[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (!(d > tol)) continue;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return L;
}

/**
 * SITMUF = L⁻¹ · MUF by forward substitution (domain.md §6). An entry whose pivot is zero is
 * NaN: no standardised value exists for a balance without variance.
 */
export function computeSitmuf(L: Float64Array, muf: ArrayLike<number>, n: number): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lii = L[i * n + i]!;
    if (lii === 0) {
      z[i] = Number.NaN;
      continue;
    }
    let s = muf[i]!;
    for (let k = 0; k < i; k++) {
      const lik = L[i * n + k]!;
      if (lik !== 0) s -= lik * z[k]!;
    }
    z[i] = s / lii;
  }
  return z;
}

/** CUMUF_k = Σ_{i≤k} MUF_i. */
export function computeCumuf(muf: ArrayLike<number>): Float64Array {
  const out = new Float64Array(muf.length);
  let s = 0;
  for (let i = 0; i < muf.length; i++) {
    s += muf[i]!;
    out[i] = s;
  }
  return out;
}

export interface PageParameters {
  /** Reference value, in standard deviations of SITMUF. */
  readonly k: number;
  /** Decision interval: alarm when the statistic exceeds it. */
  readonly h: number;
}

/**
 * Defaults of Page's test on SITMUF: k = 0.5 (tuned to a loss of one standard deviation per
 * period) and h = 5. With SITMUF ~ N(0, 1) the in-control average run length of this one-sided
 * test is ≈ 930 balance periods (Brook–Evans Markov chain, computePageArl; Siegmund's
 * approximation gives 938), i.e. a false-alarm probability of ≈ 0.11 % per period, below the
 * 0.27 % of the two-sided 3σ test on MUF, so adding Page's test at most about doubles it. With
 * h = 4 the run length would be ≈ 336 periods (0.30 % per period).
 */
export const DEFAULT_PAGE: PageParameters = Object.freeze({ k: 0.5, h: 5 });

/**
 * Page's test on SITMUF: S_0 = 0, S_i = max(0, S_{i−1} + SITMUF_i − k), alarm when S_i > h
 * (domain.md §6). A NaN SITMUF (balance without variance) leaves the statistic unchanged.
 */
export function computePageStatistics(
  sitmuf: ArrayLike<number>,
  params: PageParameters = DEFAULT_PAGE,
): Float64Array {
  const out = new Float64Array(sitmuf.length);
  let s = 0;
  for (let i = 0; i < sitmuf.length; i++) {
    const z = sitmuf[i]!;
    if (!Number.isNaN(z)) s = Math.max(0, s + z - params.k);
    out[i] = s;
  }
  return out;
}

/** Complementary error function, Numerical Recipes' erfcc (fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Average run length of Page's test when SITMUF ~ N(shift, 1), by the Brook–Evans Markov chain:
 * [0, h] is cut into `cells` states (state 0 is S = 0), solve (I − R)·ARL = 1 by Gaussian
 * elimination. O(cells³): for documentation and tests, not for the evaluation path.
 */
export function computePageArl(params: PageParameters = DEFAULT_PAGE, shift = 0, cells = 200): number {
  const m = cells;
  const w = (2 * params.h) / (2 * m - 1);
  const a = new Float64Array(m * (m + 1));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const centre = (j - i) * w + params.k - shift;
      const p =
        j === 0
          ? normalCdf(-i * w + w / 2 + params.k - shift)
          : normalCdf(centre + w / 2) - normalCdf(centre - w / 2);
      a[i * (m + 1) + j] = (i === j ? 1 : 0) - p;
    }
    a[i * (m + 1) + m] = 1;
  }
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++)
      if (Math.abs(a[r * (m + 1) + col]!) > Math.abs(a[pivot * (m + 1) + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c <= m; c++) {
        const t = a[col * (m + 1) + c]!;
        a[col * (m + 1) + c] = a[pivot * (m + 1) + c]!;
        a[pivot * (m + 1) + c] = t;
      }
    }
    const d = a[col * (m + 1) + col]!;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = a[r * (m + 1) + col]! / d;
      if (f === 0) continue;
      for (let c = col; c <= m; c++) a[r * (m + 1) + c]! -= f * a[col * (m + 1) + c]!;
    }
  }
  return a[m]! / a[0]!;
}

/** The full sequence statistics of one MBA × element: σMUF, SITMUF, CUMUF and Page's statistic. */
export interface SequenceStatistics {
  readonly covariance: Float64Array;
  readonly sigmaMuf: Float64Array;
  readonly sitmuf: Float64Array;
  readonly cumuf: Float64Array;
  readonly page: Float64Array;
}

export function computeSequenceStatistics(
  moments: SequenceMoments,
  mufGrams: ArrayLike<number>,
  params: PageParameters = DEFAULT_PAGE,
): SequenceStatistics {
  const n = moments.periods;
  const covariance = buildCovariance(moments);
  const sigmaMuf = new Float64Array(n);
  for (let p = 0; p < n; p++) sigmaMuf[p] = Math.sqrt(Math.max(0, covariance[p * n + p]!));
  const L = choleskyDecompose(covariance, n);
  const sitmuf = computeSitmuf(L, mufGrams, n);
  return {
    covariance,
    sigmaMuf,
    sitmuf,
    cumuf: computeCumuf(mufGrams),
    page: computePageStatistics(sitmuf, params),
  };
}
