import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';

/** Relative standard deviations of a measurement method (domain.md §1: each KMP method has them). */
export interface MethodErrors {
  readonly random: number;
  readonly systematic: number;
}

/** One verified item: the operator's declared value and the inspector's measurement (same unit). */
export interface VerifiedItem {
  readonly id: string;
  readonly declared: number;
  readonly measured: number;
}

export interface ItemTest {
  readonly id: string;
  /** d = declared − measured (positive: less material than declared). */
  readonly difference: number;
  readonly sigma: number;
  readonly significant: boolean;
}

/** Significance threshold in standard deviations (domain.md §6: 3σ). */
export const SIGNIFICANCE_SIGMAS = 3;

function checkErrors(field: string, e: MethodErrors, problems: ErrorDetail[]): void {
  for (const [k, v] of Object.entries(e)) {
    if (!Number.isFinite(v) || v < 0)
      problems.push({
        field: `${field}.${k}`,
        ...problemOf('OUT_OF_RANGE.notNegative', {}),
        message: 'must be ≥ 0',
      });
  }
}

function checkItems(items: readonly VerifiedItem[], problems: ErrorDetail[]): void {
  items.forEach((it, i) => {
    if (!Number.isFinite(it.declared) || !Number.isFinite(it.measured)) {
      problems.push({
        field: `items[${i}]`,
        ...problemOf('NOT_A_NUMBER.item', { item: it.id }),
        message: it.id,
      });
    }
  });
}

function throwIf(problems: ErrorDetail[]): void {
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid verification data', problems);
}

/**
 * Item test (domain.md §6): |d| > 3·σ_d. For one item both methods' random AND systematic
 * errors apply, each relative to the value that method produced:
 *   σ_d² = declared² · (δr_op² + δs_op²) + measured² · (δr_in² + δs_in²).
 * With σ_d = 0 (both exact) any non-zero difference is significant.
 */
export function testItemDifference(
  item: VerifiedItem,
  operator: MethodErrors,
  inspector: MethodErrors,
): ItemTest {
  const problems: ErrorDetail[] = [];
  checkErrors('operator', operator, problems);
  checkErrors('inspector', inspector, problems);
  checkItems([item], problems);
  throwIf(problems);
  const difference = item.declared - item.measured;
  const variance =
    item.declared ** 2 * (operator.random ** 2 + operator.systematic ** 2) +
    item.measured ** 2 * (inspector.random ** 2 + inspector.systematic ** 2);
  const sigma = Math.sqrt(variance);
  return { id: item.id, difference, sigma, significant: Math.abs(difference) > SIGNIFICANCE_SIGMAS * sigma };
}

export interface DStatisticInput {
  /** N: items in the stratum. */
  readonly population: number;
  /** The n verified items (n ≥ 1, n ≤ N). */
  readonly items: readonly VerifiedItem[];
  readonly operator: MethodErrors;
  readonly inspector: MethodErrors;
}

export interface DStatistic {
  readonly D: number;
  readonly measurementVariance: number;
  readonly samplingVariance: number;
  readonly variance: number;
  readonly sigma: number;
  readonly significant: boolean;
}

/**
 * Stratum D statistic (domain.md §6; Avenhaus, "Safeguards Systems Analysis", and Jaech,
 * "Statistical Methods in Nuclear Material Control", D-statistic chapter):
 *
 *   D = (N / n) · Σ d_i
 *
 * Variance = measurement part + sampling part:
 *   measurement: (N/n)² · [ Σ_i (decl_i² δr_op² + meas_i² δr_in²)       random, independent per item
 *                          + δs_op² (Σ decl_i)² + δs_in² (Σ meas_i)² ]    systematic, shared by the sample
 *   sampling:    N² (1 − n/N) / n · max(0, s_d² − mean_i σ²_r,i)
 * where s_d² is the sample variance of the d_i (n ≥ 2; 0 for n = 1) and σ²_r,i the random
 * measurement variance of item i. The sampling part is the finite-population variance of the
 * true item differences: the spread of the d_i beyond what random measurement error explains
 * (an ANOVA-style estimate). Under "no diversion" it is ≈ 0 and D's variance is the
 * measurement variance, the null-hypothesis variance of Avenhaus and Jaech. |D| > 3σ_D is
 * significant (a bias defect when D > 0).
 */
export function computeDStatistic(input: DStatisticInput): DStatistic {
  const { population: N, items, operator: op, inspector: ins } = input;
  const n = items.length;
  const problems: ErrorDetail[] = [];
  if (!Number.isSafeInteger(N) || N < 1) {
    problems.push({
      field: 'population',
      ...problemOf('OUT_OF_RANGE.wholeFrom', { min: 1 }),
      message: 'population must be an integer ≥ 1',
    });
  }
  if (n < 1 || n > N)
    problems.push({
      field: 'items',
      ...problemOf('OUT_OF_RANGE.items', { population: Number.isSafeInteger(N) ? N : 0 }),
      message: 'need 1 ≤ n ≤ N items',
    });
  checkErrors('operator', op, problems);
  checkErrors('inspector', ins, problems);
  checkItems(items, problems);
  throwIf(problems);
  const scale = N / n;
  let sumD = 0;
  let sumDecl = 0;
  let sumMeas = 0;
  let randomVar = 0;
  for (const it of items) {
    sumD += it.declared - it.measured;
    sumDecl += it.declared;
    sumMeas += it.measured;
    randomVar += it.declared ** 2 * op.random ** 2 + it.measured ** 2 * ins.random ** 2;
  }
  const systematicVar = op.systematic ** 2 * sumDecl ** 2 + ins.systematic ** 2 * sumMeas ** 2;
  const measurementVariance = scale ** 2 * (randomVar + systematicVar);
  let samplingVariance = 0;
  if (n >= 2) {
    const mean = sumD / n;
    const s2 = items.reduce((acc, it) => acc + (it.declared - it.measured - mean) ** 2, 0) / (n - 1);
    const excess = Math.max(0, s2 - randomVar / n);
    samplingVariance = ((N ** 2 * (1 - n / N)) / n) * excess;
  }
  const variance = measurementVariance + samplingVariance;
  const sigma = Math.sqrt(variance);
  const D = scale * sumD;
  return {
    D,
    measurementVariance,
    samplingVariance,
    variance,
    sigma,
    significant: Math.abs(D) > SIGNIFICANCE_SIGMAS * sigma,
  };
}

export type FindingType = 'gross-defect' | 'partial-defect' | 'item-excess' | 'bias-defect' | 'bias-excess';

export interface Finding {
  /** Stable within a verification: `<stratum>:<type>:<item id or D>` (used as the case alarm key). */
  readonly key: string;
  readonly type: FindingType;
  readonly severity: 'low' | 'medium' | 'high';
  readonly stratum: string;
  readonly items: readonly string[];
  /** The difference (item) or D (stratum), its σ, and their ratio. */
  readonly value: number;
  readonly sigma: number;
}

export interface VerificationInput extends DStatisticInput {
  readonly stratum: string;
  /** Goal quantity (e.g. 1 SQ, same unit): a bias defect of at least this much is high severity. */
  readonly goalQuantity?: number;
}

export interface VerificationResult {
  readonly itemTests: readonly ItemTest[];
  readonly dStatistic: DStatistic;
  readonly findings: readonly Finding[];
}

/**
 * Turns a stratum's verification into findings. Custos decides the classification:
 * - significant d > 0 with measured ≤ 50 % of declared: gross defect, high (domain.md §6:
 *   "item empty or ≥ 50 % falsified");
 * - other significant d > 0: partial defect, medium;
 * - significant d < 0 (more material than declared): item excess, low (a discrepancy to explain);
 * - significant D > 0: bias defect, high if D ≥ goalQuantity, else medium; D < 0: bias excess, low.
 */
export function findingsFromVerification(input: VerificationInput): VerificationResult {
  const itemTests = input.items.map((it) => testItemDifference(it, input.operator, input.inspector));
  const dStatistic = computeDStatistic(input);
  const findings: Finding[] = [];
  input.items.forEach((it, i) => {
    const t = itemTests[i]!;
    if (!t.significant) return;
    const type: FindingType =
      t.difference < 0 ? 'item-excess' : it.measured <= 0.5 * it.declared ? 'gross-defect' : 'partial-defect';
    const severity = type === 'gross-defect' ? 'high' : type === 'partial-defect' ? 'medium' : 'low';
    findings.push({
      key: `${input.stratum}:${type}:${it.id}`,
      type,
      severity,
      stratum: input.stratum,
      items: [it.id],
      value: t.difference,
      sigma: t.sigma,
    });
  });
  if (dStatistic.significant) {
    const type: FindingType = dStatistic.D > 0 ? 'bias-defect' : 'bias-excess';
    const severity =
      type === 'bias-excess'
        ? 'low'
        : input.goalQuantity !== undefined && dStatistic.D >= input.goalQuantity
          ? 'high'
          : 'medium';
    findings.push({
      key: `${input.stratum}:${type}:D`,
      type,
      severity,
      stratum: input.stratum,
      items: input.items.map((it) => it.id),
      value: dStatistic.D,
      sigma: dStatistic.sigma,
    });
  }
  return { itemTests, dStatistic, findings };
}
