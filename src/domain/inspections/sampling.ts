import { sha256 } from '@noble/hashes/sha2.js';
import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';

export type DefectLevel = 'gross' | 'partial' | 'bias';

/**
 * domain.md §6: the defect level decides the method. Gross defect (item empty or ≥ 50 %
 * falsified): attribute test; partial defect (part removed): NDA variables test; bias defect
 * (small amount from many items): high-accuracy destructive analysis.
 */
export const METHOD_FOR_DEFECT: Readonly<
  Record<DefectLevel, 'attribute' | 'nda-variables' | 'da-variables'>
> = {
  gross: 'attribute',
  partial: 'nda-variables',
  bias: 'da-variables',
};

export interface SamplingPlanInput {
  /** N: items in the stratum. */
  readonly population: number;
  /** x̄: average content per item (same unit as goalQuantity). */
  readonly averageContent: number;
  /** M: goal quantity to detect (e.g. 1 SQ). */
  readonly goalQuantity: number;
  /** β: accepted non-detection probability (detection probability 1 − β). */
  readonly nonDetectionProbability: number;
  readonly defectLevel: DefectLevel;
}

export interface SamplingPlan {
  readonly sampleSize: number;
  readonly defectsToDetect: number;
  readonly method: 'attribute' | 'nda-variables' | 'da-variables';
  /** 1 − (1 − n/N)^r: the detection probability the rounded-up n achieves (binomial approximation). */
  readonly detectionProbability: number;
}

// Quotients such as 1.1 / 0.1 come out as 11.000000000000002 in binary floating point; a
// ceiling must not turn that into 12. Anything within 1e-9 (relative) of an integer is that integer.
function ceilTolerant(x: number): number {
  const nearest = Math.round(x);
  return Math.abs(x - nearest) <= 1e-9 * Math.max(1, Math.abs(x)) ? nearest : Math.ceil(x);
}

function validationFailed(problems: ErrorDetail[]): never {
  throw new DomainError('VALIDATION_FAILED', problems.map((p) => p.message).join('; '), problems);
}

/**
 * Attribute sampling plan (domain.md §6): r = ⌈M / x̄⌉ items must be falsified to divert M, and
 * n = ⌈N · (1 − β^(1/r))⌉ of N items detect at least one with probability ≥ 1 − β.
 * N = 300, x̄ = 0.5 kg, M = 8 kg, β = 0.1 → r = 16, n = ⌈40.21⌉ = 41.
 */
export function computeSamplingPlan(input: SamplingPlanInput): SamplingPlan {
  const { population: N, averageContent: x, goalQuantity: M, nonDetectionProbability: beta } = input;
  const problems: ErrorDetail[] = [];
  if (!Number.isSafeInteger(N) || N < 1) {
    problems.push({
      field: 'population',
      ...problemOf('OUT_OF_RANGE.wholeFrom', { min: 1 }),
      message: 'population must be an integer ≥ 1',
    });
  }
  if (!Number.isFinite(x) || x <= 0) {
    problems.push({
      field: 'averageContent',
      ...problemOf('OUT_OF_RANGE.positive', {}),
      message: 'averageContent must be > 0',
    });
  }
  if (!Number.isFinite(M) || M <= 0) {
    problems.push({
      field: 'goalQuantity',
      ...problemOf('OUT_OF_RANGE.positive', {}),
      message: 'goalQuantity must be > 0',
    });
  }
  if (!Number.isFinite(beta) || beta <= 0 || beta >= 1) {
    problems.push({
      field: 'nonDetectionProbability',
      ...problemOf('OUT_OF_RANGE.probability', {}),
      message: 'nonDetectionProbability must be in (0, 1)',
    });
  }
  if (!(input.defectLevel in METHOD_FOR_DEFECT)) {
    problems.push({
      field: 'defectLevel',
      ...problemOf('UNKNOWN.oneOf', { allowed: Object.keys(METHOD_FOR_DEFECT) }),
      message: 'defectLevel must be gross, partial or bias',
    });
  }
  if (problems.length > 0) validationFailed(problems);
  const r = ceilTolerant(M / x);
  if (r > N) {
    // The stratum holds less than the goal quantity: no diversion of M is possible from it, and
    // the formula has no meaning. The planner must pool strata or lower M.
    validationFailed([
      {
        field: 'goalQuantity',
        ...problemOf('GOAL_EXCEEDS_POPULATION', { needed: r, population: N }),
        message: `r = ${r} exceeds population ${N}`,
      },
    ]);
  }
  const n = Math.min(N, ceilTolerant(N * (1 - beta ** (1 / r))));
  return {
    sampleSize: n,
    defectsToDetect: r,
    method: METHOD_FOR_DEFECT[input.defectLevel],
    detectionProbability: 1 - (1 - n / N) ** r,
  };
}

const encoder = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * SHA-256 in counter mode: block k = SHA-256(UTF-8(seed) ‖ k as 8-byte big-endian), k = 0, 1, …;
 * each block yields eight 32-bit big-endian words, consumed in order.
 */
export function createSeededWords(seed: string): () => number {
  const seedBytes = encoder.encode(seed);
  let counter = 0;
  let block: Uint8Array = new Uint8Array(0);
  let offset = 32;
  return () => {
    if (offset >= block.length) {
      const input = new Uint8Array(seedBytes.length + 8);
      input.set(seedBytes);
      new DataView(input.buffer).setBigUint64(seedBytes.length, BigInt(counter));
      block = sha256(input);
      counter += 1;
      offset = 0;
    }
    const word = new DataView(block.buffer, block.byteOffset).getUint32(offset);
    offset += 4;
    return word;
  };
}

/** Uniform integer in [0, m) by rejection: words ≥ ⌊2³² / m⌋ · m are discarded (no modulo bias). */
function uniformBelow(next: () => number, m: number): number {
  const limit = Math.floor(2 ** 32 / m) * m;
  for (;;) {
    const w = next();
    if (w < limit) return w % m;
  }
}

/**
 * A reproducible random sample of n item ids, so an auditor can re-draw it from the seed alone:
 *  1. sort the ids by their UTF-8 bytes (the draw depends on the set, not on the input order);
 *  2. partial Fisher–Yates: for i = 0 … n−1, j = i + uniform(N − i), swap ids[i] and ids[j];
 *  3. the sample is ids[0 … n−1] in draw order.
 * uniform(m) takes words from createSeededWords(seed), rejecting w ≥ ⌊2³²/m⌋·m, returning w mod m.
 * Python: sha256(seed.encode() + k.to_bytes(8, 'big')), words via int.from_bytes(block[4i:4i+4], 'big').
 */
export function drawSample(itemIds: readonly string[], n: number, seed: string): string[] {
  const problems: ErrorDetail[] = [];
  if (!Number.isSafeInteger(n) || n < 0 || n > itemIds.length) {
    problems.push({
      field: 'n',
      ...problemOf('OUT_OF_RANGE.between', { min: 0, max: itemIds.length }),
      message: `n must be an integer in [0, ${itemIds.length}]`,
    });
  }
  if (seed.length === 0)
    problems.push({ field: 'seed', ...problemOf('REQUIRED', {}), message: 'seed must not be empty' });
  if (new Set(itemIds).size !== itemIds.length) {
    problems.push({ field: 'itemIds', ...problemOf('DUPLICATE', {}), message: 'item ids must be unique' });
  }
  if (problems.length > 0) validationFailed(problems);
  const ids = itemIds
    .map((id) => ({ id, key: encoder.encode(id) }))
    .sort((a, b) => compareBytes(a.key, b.key))
    .map((x) => x.id);
  const next = createSeededWords(seed);
  for (let i = 0; i < n; i++) {
    const j = i + uniformBelow(next, ids.length - i);
    const a = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = a;
  }
  return ids.slice(0, n);
}
