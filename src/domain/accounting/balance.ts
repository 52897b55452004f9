import { DomainError } from '../errors.js';
import type { ElementCode, IcrLine, InventoryLine, IsoDate, Milligrams } from '../reports/report.types.js';
import { type CodeSigns, DEFAULT_CODE_SIGNS } from './constants.js';

/** A physical inventory as of 24:00 of `date`: the initial report or a PIL (domain.md §2). */
export interface InventoryListing {
  readonly date: IsoDate;
  readonly kind?: 'INITIAL' | 'PIL';
  readonly lines: readonly InventoryLine[];
}

/**
 * A shipper/receiver difference that adjusts this MBA's book (domain.md §4: a receipt booked at
 * the shipper's value, adjusted once the receiver has measured it). SRD = shipper − receiver.
 * The evaluation finds these itself in the ICR lines (bookedReceiptOf, balanceInputOf); an
 * SrdEntry passed in adds to them.
 */
export interface SrdEntry {
  readonly date: IsoDate;
  readonly element: ElementCode;
  readonly srdMg: Milligrams;
  readonly fissileSrdMg?: Milligrams;
}

export interface BalanceInput {
  /** Initial report and PILs of one MBA, in any order; consecutive dates bound the periods. */
  readonly inventories: readonly InventoryListing[];
  /** Effective ICR lines (see computeEffectiveLines). */
  readonly lines: readonly IcrLine[];
  /** Sign of each inventory change code; defaults to DEFAULT_CODE_SIGNS (domain.md §3). */
  readonly codeSigns?: CodeSigns;
  readonly srd?: readonly SrdEntry[];
}

/** The balance lines of domain.md §4 for one quantity (element or fissile isotope), in mg. */
export interface BalanceFigures {
  readonly pbMg: Milligrams;
  readonly increasesMg: Readonly<Record<string, Milligrams>>;
  readonly decreasesMg: Readonly<Record<string, Milligrams>>;
  /** X, sum of increases. */
  readonly xMg: Milligrams;
  /** Y, sum of decreases. */
  readonly yMg: Milligrams;
  readonly beMg: Milligrams;
  readonly srdMg: Milligrams;
  readonly beaMg: Milligrams;
  readonly peMg: Milligrams;
  /** MUF = BEA − PE; positive is an apparent loss (Custos decides, domain.md §4). */
  readonly mufMg: Milligrams;
}

export interface ElementBalance extends BalanceFigures {
  readonly element: ElementCode;
  /** PIT date that opens the period (exclusive: inventory as of 24:00). */
  readonly from: IsoDate;
  /** PIT date that closes the period (inclusive). */
  readonly to: IsoDate;
  readonly fissile: BalanceFigures;
}

export interface ElementBalanceSequence {
  readonly element: ElementCode;
  /** Isotope code seen on the element's lines (G or J), if any. */
  readonly isotope?: string;
  readonly periods: readonly ElementBalance[];
}

export const ELEMENTS: readonly ElementCode[] = ['P', 'E', 'N', 'D', 'T'];
/** @internal */
export const ELEMENT_INDEX: Readonly<Record<ElementCode, number>> = { P: 0, E: 1, N: 2, D: 3, T: 4 };

/** Relative standard deviations of one measurement stratum (a KMP with its method, domain.md §6). */
export interface KmpError {
  readonly random: number;
  readonly systematic: number;
}

/**
 * Sufficient statistics of the measurements of one element over a sequence of n periods with
 * S strata (domain.md §6), in grams: what the covariance matrix needs, without keeping lines.
 */
export interface SequenceMoments {
  readonly periods: number;
  readonly strata: number;
  /** δs per stratum. */
  readonly systematic: Float64Array;
  /** Σ δr²·x² of the flow measurements of period p (length n). */
  readonly flowRandom: Float64Array;
  /** Σ ±x of the flows of stratum s in period p, at s·n + p (increases +, decreases −). */
  readonly flowSigned: Float64Array;
  /** Σ δr²·x² of the items of inventory j (length n + 1; inventory j closes period j − 1). */
  readonly inventoryRandom: Float64Array;
  /** Σ x of the items of stratum s in inventory j, at s·(n + 1) + j. */
  readonly inventorySigned: Float64Array;
}

/** @internal Balances of every element plus, when errors are given, their statistics moments. */
export interface CollectedElement {
  readonly sequence: ElementBalanceSequence;
  readonly moments: SequenceMoments | undefined;
}

/** @internal */
export function checkedSigns(codeSigns: CodeSigns, code: string): 1 | -1 {
  const sign = codeSigns[code];
  if (sign === undefined) throw new DomainError('UNKNOWN_IC_CODE', `unknown inventory change code ${code}`);
  return sign;
}

/** @internal */
export function sortedInventories(inventories: readonly InventoryListing[]): InventoryListing[] {
  const sorted = [...inventories].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.date === sorted[i - 1]!.date) {
      throw new DomainError('CONFLICT', `two physical inventories as of ${sorted[i]!.date}`);
    }
  }
  return sorted;
}

/** @internal Index p of the period (dates[p], dates[p+1]] holding `date`, or −1 outside every period. */
export function periodOf(dates: readonly IsoDate[], date: IsoDate): number {
  const n = dates.length - 1;
  if (n < 1 || date <= dates[0]! || date > dates[n]!) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (date > dates[mid + 1]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** @internal */
export function figures(
  pb: number,
  pe: number,
  srd: number,
  codes: readonly string[],
  signs: readonly number[],
  byCode: Float64Array,
  base: number,
): BalanceFigures {
  const increasesMg: Record<string, Milligrams> = {};
  const decreasesMg: Record<string, Milligrams> = {};
  let x = 0;
  let y = 0;
  for (let c = 0; c < codes.length; c++) {
    const v = byCode[base + c]!;
    if (v === 0) continue;
    if (signs[c]! > 0) {
      increasesMg[codes[c]!] = v;
      x += v;
    } else {
      decreasesMg[codes[c]!] = v;
      y += v;
    }
  }
  const be = pb + x - y;
  const bea = be - srd;
  return {
    pbMg: pb,
    increasesMg,
    decreasesMg,
    xMg: x,
    yMg: y,
    beMg: be,
    srdMg: srd,
    beaMg: bea,
    peMg: pe,
    mufMg: bea - pe,
  };
}

export interface BookInventory {
  readonly element: ElementCode;
  readonly date: IsoDate;
  readonly weightMg: Milligrams;
  readonly fissileMg: Milligrams;
  /** Date of the physical inventory the book starts from, or undefined when none precedes `date`. */
  readonly basedOn: IsoDate | undefined;
}

/**
 * Book inventory of one element as of 24:00 of `date`: the latest physical inventory on or
 * before `date` (initial report or PIL: the book is reset to the physical inventory at each PIT)
 * plus the signed changes dated after it up to `date`, less the SRD adjustments in that range.
 */
export function computeBookInventory(
  input: BalanceInput,
  element: ElementCode,
  date: IsoDate,
): BookInventory {
  const signs = input.codeSigns ?? DEFAULT_CODE_SIGNS;
  let base: InventoryListing | undefined;
  for (const listing of input.inventories) {
    if (listing.date <= date && (base === undefined || listing.date > base.date)) base = listing;
  }
  let w = 0;
  let f = 0;
  if (base !== undefined) {
    for (const item of base.lines) {
      if (item.element !== element) continue;
      w += item.weightMg;
      f += item.fissileMg ?? 0;
    }
  }
  const after = base?.date;
  for (const line of input.lines) {
    const sign = checkedSigns(signs, line.code);
    if (line.element !== element || line.date > date || (after !== undefined && line.date <= after)) continue;
    w += sign * line.weightMg;
    f += sign * (line.fissileMg ?? 0);
  }
  for (const entry of input.srd ?? []) {
    if (entry.element !== element || entry.date > date || (after !== undefined && entry.date <= after))
      continue;
    w -= entry.srdMg;
    f -= entry.fissileSrdMg ?? 0;
  }
  return { element, date, weightMg: w, fissileMg: f, basedOn: after };
}

/**
 * @internal SRD adjustments passed in, added to the per (element, period) sums `srd`/`srdF`
 * (index element·n + period, n periods) of computeBalances and of the MBA book; marks
 * their elements in `seen` and returns their absolute total for the exactness check.
 */
export function addSrdEntries(
  entries: readonly SrdEntry[],
  dates: readonly IsoDate[],
  n: number,
  seen: Uint8Array,
  srd: Float64Array,
  srdF: Float64Array,
): number {
  let abs = 0;
  for (const entry of entries) {
    const p = periodOf(dates, entry.date);
    if (p < 0) continue;
    const e = ELEMENT_INDEX[entry.element];
    seen[e] = 1;
    abs += Math.abs(entry.srdMg) + Math.abs(entry.fissileSrdMg ?? 0);
    srd[e * n + p]! += entry.srdMg;
    srdF[e * n + p]! += entry.fissileSrdMg ?? 0;
  }
  return abs;
}
