import { DomainError } from '../errors.js';
import type { ElementCode, IcrLine, InventoryLine, IsoDate, Milligrams } from '../reports/report.types.js';
import { type CodeSigns, DEFAULT_CODE_SIGNS } from './constants.js';
import { bookedReceiptOf, type EffectiveView } from './effective.js';

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

/**
 * One pass over inventories and lines giving, per element, the exact balances of every closed
 * period and (when `errors` is given) the measurement moments of domain.md §6. Weights are
 * summed as integers held in doubles; the sum of absolute values is checked against 2^53 so every
 * partial sum is exact.
 * @internal use computeBalances or evaluateMba.
 */
export function collectBalances(
  input: BalanceInput,
  errors?: Readonly<Record<string, KmpError>>,
): CollectedElement[] {
  const signsTable = input.codeSigns ?? DEFAULT_CODE_SIGNS;
  const codes = Object.keys(signsTable);
  const signs = codes.map((c) => signsTable[c]!);
  const codeIndex = new Map<string, number>();
  for (let c = 0; c < codes.length; c++) codeIndex.set(codes[c]!, c);
  const nCodes = codes.length;

  const inventories = sortedInventories(input.inventories);
  const dates = inventories.map((i) => i.date);
  const nInv = inventories.length;
  const n = Math.max(0, nInv - 1);
  const E = ELEMENTS.length;

  const seen = new Uint8Array(E);
  const isotopes: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  const inv = new Float64Array(E * nInv);
  const invF = new Float64Array(E * nInv);
  const flows = new Float64Array(E * n * nCodes);
  const flowsF = new Float64Array(E * n * nCodes);
  const srd = new Float64Array(E * n);
  const srdF = new Float64Array(E * n);
  let absTotal = 0;

  // Statistics strata are KMPs; looked up once per line.
  const kmpIndex = new Map<string, number>();
  const random: number[] = [];
  const systematic: number[] = [];
  const stratumOf = (kmp: string): number => {
    let s = kmpIndex.get(kmp);
    if (s === undefined) {
      const e = errors?.[kmp];
      if (e === undefined) throw new DomainError('UNKNOWN_KMP', `no measurement errors for KMP ${kmp}`);
      s = random.length;
      kmpIndex.set(kmp, s);
      random.push(e.random * e.random);
      systematic.push(e.systematic);
    }
    return s;
  };
  // Per element: stratum → signed sums, grown as strata appear.
  const withStats = errors !== undefined;
  const flowRandom = withStats ? new Float64Array(E * n) : undefined;
  const invRandom = withStats ? new Float64Array(E * nInv) : undefined;
  const flowSigned: Float64Array[] = [];
  const invSigned: Float64Array[] = [];
  const stratumArrays = (s: number): void => {
    while (flowSigned.length <= s) {
      flowSigned.push(new Float64Array(E * n));
      invSigned.push(new Float64Array(E * nInv));
    }
  };

  for (let j = 0; j < nInv; j++) {
    for (const item of inventories[j]!.lines) {
      const e = ELEMENT_INDEX[item.element];
      seen[e] = 1;
      if (item.isotope !== undefined) isotopes[e] ??= item.isotope;
      const w = item.weightMg;
      const f = item.fissileMg ?? 0;
      absTotal += Math.abs(w) + Math.abs(f);
      inv[e * nInv + j]! += w;
      invF[e * nInv + j]! += f;
      if (withStats) {
        const s = stratumOf(item.kmp);
        stratumArrays(s);
        const g = w / 1000;
        invRandom![e * nInv + j]! += random[s]! * g * g;
        invSigned[s]![e * nInv + j]! += g;
      }
    }
  }

  for (const line of input.lines) {
    const c = codeIndex.get(line.code);
    if (c === undefined) checkedSigns(signsTable, line.code);
    const e = ELEMENT_INDEX[line.element];
    seen[e] = 1;
    if (line.isotope !== undefined) isotopes[e] ??= line.isotope;
    const p = periodOf(dates, line.date);
    if (p < 0) continue;
    const w = line.weightMg;
    const f = line.fissileMg ?? 0;
    absTotal += Math.abs(w) + Math.abs(f);
    const at = (e * n + p) * nCodes + c!;
    flows[at]! += w;
    flowsF[at]! += f;
    if (withStats) {
      const s = stratumOf(line.kmp);
      stratumArrays(s);
      const g = w / 1000;
      flowRandom![e * n + p]! += random[s]! * g * g;
      flowSigned[s]![e * n + p]! += signs[c!]! * g;
    }
  }

  absTotal += addSrdEntries(input.srd ?? [], dates, n, seen, srd, srdF);

  // Each balance adds at most six such totals, hence the margin.
  if (absTotal * 8 > Number.MAX_SAFE_INTEGER) {
    throw new DomainError('INTERNAL', 'weights too large for exact milligram arithmetic');
  }

  const out: CollectedElement[] = [];
  const S = random.length;
  for (let e = 0; e < E; e++) {
    if (seen[e] === 0) continue;
    const element = ELEMENTS[e]!;
    const periods: ElementBalance[] = [];
    for (let p = 0; p < n; p++) {
      const base = (e * n + p) * nCodes;
      const el = figures(
        inv[e * nInv + p]!,
        inv[e * nInv + p + 1]!,
        srd[e * n + p]!,
        codes,
        signs,
        flows,
        base,
      );
      const fi = figures(
        invF[e * nInv + p]!,
        invF[e * nInv + p + 1]!,
        srdF[e * n + p]!,
        codes,
        signs,
        flowsF,
        base,
      );
      periods.push({ element, from: dates[p]!, to: dates[p + 1]!, ...el, fissile: fi });
    }
    let moments: SequenceMoments | undefined;
    if (withStats) {
      const fs = new Float64Array(S * n);
      const is = new Float64Array(S * nInv);
      for (let s = 0; s < S; s++) {
        for (let p = 0; p < n; p++) fs[s * n + p] = flowSigned[s]![e * n + p]!;
        for (let j = 0; j < nInv; j++) is[s * nInv + j] = invSigned[s]![e * nInv + j]!;
      }
      moments = {
        periods: n,
        strata: S,
        systematic: Float64Array.from(systematic),
        flowRandom: flowRandom!.slice(e * n, e * n + n),
        flowSigned: fs,
        inventoryRandom: invRandom!.slice(e * nInv, e * nInv + nInv),
        inventorySigned: is,
      };
    }
    const isotope = isotopes[e];
    out.push({ sequence: { element, ...(isotope !== undefined ? { isotope } : {}), periods }, moments });
  }
  return out;
}

/**
 * The lines and SRD adjustments a balance sums, from an effective view: every line in force,
 * except that a receipt measured by the receiver since it was booked at the shipper's value
 * (bookedReceiptOf) counts at its booked value, with SRD = booked − measured at its date
 * (domain.md §4), so BEA holds the measurement. This is what the evaluation's MBA book sums.
 */
export function balanceInputOf(
  view: EffectiveView,
  codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
): { lines: IcrLine[]; srd: SrdEntry[] } {
  const lines: IcrLine[] = [];
  const srd: SrdEntry[] = [];
  for (const entry of view.entries) {
    const line = entry.current;
    if (line === undefined) continue;
    const booked = bookedReceiptOf(entry, codeSigns);
    if (booked === undefined) {
      lines.push(line);
      continue;
    }
    const { fissileMg: _measuredFissile, ...rest } = line;
    lines.push({
      ...rest,
      weightMg: booked.weightMg,
      ...(booked.fissileMg === undefined ? {} : { fissileMg: booked.fissileMg }),
    });
    srd.push({
      date: line.date,
      element: line.element,
      srdMg: booked.weightMg - line.weightMg,
      fissileSrdMg: (booked.fissileMg ?? 0) - (line.fissileMg ?? 0),
    });
  }
  return { lines, srd };
}

/**
 * Material balances of one MBA per element and balance period (domain.md §4), computed by Custos
 * from the PILs (or initial report) and the effective ICR lines, in exact milligrams, with the
 * fissile isotope balance alongside. Periods run between consecutive PIT dates; a line dated D
 * falls in the period (PIT_i, PIT_i+1] holding D, since a PIL is taken as of 24:00.
 */
export function computeBalances(input: BalanceInput): ElementBalanceSequence[] {
  return collectBalances(input).map((c) => c.sequence);
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
