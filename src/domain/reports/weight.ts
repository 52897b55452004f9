/**
 * Exact weights (domain.md §1: "exact decimals with at most 3 decimal places, stored as integers
 * of milligrams"). Weights are parsed from their decimal text, never through floating-point
 * arithmetic, so "125000.5" is exactly 125000500 mg.
 */
import type { DetailCode } from '../errors.js';
import { type ParticularsOf, type ProblemKind, problemOf } from '../particulars.js';
import type { Milligrams } from './report.types.js';

/**
 * Largest weight Custos accepts: 15 significant digits of milligrams (10^12 g − 1 mg). Every
 * double with at most 15 significant digits prints back to the same decimal, so a weight written
 * as a JSON number (`formatWeight`) always parses back to the same milligrams.
 */
export const MAX_WEIGHT_MG: Milligrams = 999_999_999_999_999;

export type WeightProblem = Extract<
  DetailCode,
  'WEIGHT_PRECISION' | 'NEGATIVE_WEIGHT' | 'OUT_OF_RANGE' | 'FIELD_FORMAT' | 'FIELD_TYPE'
>;

export type WeightResult =
  | { readonly ok: true; readonly mg: Milligrams }
  | {
      readonly ok: false;
      readonly code: WeightProblem;
      readonly rule?: string;
      readonly values: Readonly<Record<string, string | number | readonly string[]>>;
      readonly message: string;
    };

export interface ParseWeightOptions {
  /** Negative weights are allowed (MBR SRD and MUF). Default false: negative → NEGATIVE_WEIGHT. */
  readonly signed?: boolean;
  /** Accept one decimal comma instead of a point (semicolon-separated CSV from European spreadsheets). */
  readonly decimalComma?: boolean;
}

// Exponent digits are bounded so a hostile "1e999999999" cannot make us build a huge string.
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

type WeightKind = Extract<
  ProblemKind,
  | 'FIELD_TYPE'
  | 'FIELD_FORMAT.notGrams'
  | 'FIELD_FORMAT.tooLong'
  | 'FIELD_FORMAT.decimalComma'
  | 'WEIGHT_PRECISION'
  | 'OUT_OF_RANGE.weight'
  | 'NEGATIVE_WEIGHT'
>;

function fail<K extends WeightKind>(kind: K, values: ParticularsOf<K>, message: string): WeightResult {
  const p = problemOf(kind, values);
  return { ok: false, ...p, code: p.code as WeightProblem, message };
}

/**
 * Grams (decimal text, or a JSON number read through its shortest round-trip text) → integer
 * milligrams. Trailing zeros beyond the third decimal are tolerated ("1.5000" is exactly 1500 mg);
 * any non-zero digit below the milligram is WEIGHT_PRECISION. Never throws.
 */
export function parseWeight(input: string | number, options: ParseWeightOptions = {}): WeightResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input))
      return fail('FIELD_FORMAT.notGrams', { value: String(input) }, 'weight must be a finite number');
    // Fast path, equivalent to reading String(input): when the double nearest to mg/1000 is the
    // input and |mg| has at most 15 digits, String(input) is exactly the decimal mg/1000.
    const rounded = Math.round(input * 1000);
    if (rounded <= MAX_WEIGHT_MG && rounded >= -MAX_WEIGHT_MG && rounded / 1000 === input) {
      if (rounded < 0 && options.signed !== true) {
        return fail('NEGATIVE_WEIGHT', {}, `weight "${String(input)}" is negative`);
      }
      return { ok: true, mg: rounded === 0 ? 0 : rounded };
    }
    // String(n) is the shortest text that reads back as n (ECMA-262 Number::toString).
    text = String(input);
  } else if (typeof input === 'string') {
    text = options.decimalComma === true && input.indexOf(',') >= 0 ? input.replace(',', '.') : input;
  } else {
    return fail(
      'FIELD_TYPE',
      { expected: 'grams', found: typeof input },
      'weight must be a number or a decimal string',
    );
  }
  if (text.length > 64) return fail('FIELD_FORMAT.tooLong', { max: 64 }, 'weight text is too long');
  const m = DECIMAL_RE.exec(text);
  if (m === null) {
    // A comma where a decimal point belongs (issue 16): say so, the file is comma-separated.
    const message = `weight "${text}" is not a decimal number of grams`;
    if (/^[+-]?\d*,\d+$/.test(text)) {
      const suggested = text.replace(',', '.');
      return fail(
        'FIELD_FORMAT.decimalComma',
        { value: text, suggested },
        `${message}; the decimal separator is a point (${suggested}), or separate the file with semicolons to write decimal commas`,
      );
    }
    return fail('FIELD_FORMAT.notGrams', { value: text }, message);
  }
  const negative = m[1] === '-';
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart.length === 0 && fracPart.length === 0) {
    return fail('FIELD_FORMAT.notGrams', { value: text }, `weight "${text}" has no digits`);
  }
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  const digits = (intPart + fracPart).replace(/^0+/, '');
  if (digits.length === 0) return { ok: true, mg: 0 };
  // digits × 10^(exponent − fracPart.length) grams = digits × 10^(shift) milligrams
  const shift = 3 + exponent - fracPart.length;
  let mgDigits: string;
  if (shift < 0) {
    const drop = -shift;
    const kept = drop >= digits.length ? '' : digits.slice(0, digits.length - drop);
    const dropped = drop >= digits.length ? digits : digits.slice(digits.length - drop);
    if (!/^0*$/.test(dropped)) {
      return fail(
        'WEIGHT_PRECISION',
        { value: text },
        `weight "${text}" has more than 3 decimals (milligram precision)`,
      );
    }
    mgDigits = kept.length === 0 ? '0' : kept;
  } else {
    if (digits.length + shift > 15) {
      return fail(
        'OUT_OF_RANGE.weight',
        { value: text, max: MAX_WEIGHT_MG / 1000 },
        `weight "${text}" exceeds ${formatWeightText(MAX_WEIGHT_MG)} g`,
      );
    }
    mgDigits = digits + '0'.repeat(shift);
  }
  if (mgDigits.length > 15) {
    return fail(
      'OUT_OF_RANGE.weight',
      { value: text, max: MAX_WEIGHT_MG / 1000 },
      `weight "${text}" exceeds ${formatWeightText(MAX_WEIGHT_MG)} g`,
    );
  }
  const mg = Number(mgDigits);
  if (negative && mg !== 0) {
    if (options.signed !== true) return fail('NEGATIVE_WEIGHT', {}, `weight "${text}" is negative`);
    return { ok: true, mg: -mg };
  }
  return { ok: true, mg };
}

/** Milligrams → grams as a JSON number; exact in print because |mg| ≤ MAX_WEIGHT_MG (15 digits). */
export function formatWeight(mg: Milligrams): number {
  return mg / 1000;
}

/** Milligrams → exact decimal text of grams without trailing zeros ("125000.5"), for CSV cells. */
export function formatWeightText(mg: Milligrams): string {
  const negative = mg < 0;
  const abs = String(Math.abs(Math.trunc(mg))).padStart(4, '0');
  const whole = abs.slice(0, -3).replace(/^0+(?=\d)/, '');
  const frac = abs.slice(-3).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}
