import { DomainError } from '../errors.js';
import type { ElementCode, IsoDate } from '../reports/report.types.js';
import {
  addSrdEntries,
  type CollectedElement,
  checkedSigns,
  ELEMENT_INDEX,
  ELEMENTS,
  type ElementBalance,
  figures,
  type InventoryListing,
  type KmpError,
  periodOf,
  type SequenceMoments,
  type SrdEntry,
} from './balance.js';
import { type CodeSigns, DEFAULT_CODE_SIGNS } from './constants.js';
import {
  bookedReceiptOf,
  computeEffectiveLines,
  type EffectiveEntry,
  type OrphanCorrection,
  type SourcedIcrLine,
} from './effective.js';

/**
 * Exact sums of effective ICR lines: what the balance and its statistics need of them
 * (domain.md §4–§6), in integer milligrams. Sums of integers are exact whatever the order they
 * are added in, so the same sums kept in the database as reports arrive (docs/decisions/0010)
 * and summed here from every line give the same evaluation, bit for bit: floating point enters
 * only in evaluateSums, from these integers.
 */
export interface FlowSums {
  /** Effective lines summed. */
  n: number;
  /** Σ weight as booked (a receipt measured since it was booked at the shipper's value counts at the booked value). */
  w: number;
  f: number;
  /** Σ weight as measured (the line in force): the x of the statistics. */
  sw: number;
  /** Σ (measured weight)², mg²: beyond 2^53, hence a bigint. */
  sq: bigint;
  /** Σ SRD = booked − measured of receipts booked at the shipper's value and since measured. */
  srd: number;
  srdF: number;
  /** Σ |w| + |f| (and of the booked and SRD figures): the exactness check of the balance. */
  abs: number;
  /** Lines carrying isotope code J (U-233, domain.md §1). */
  isoJ: number;
}

/** The sums of the effective lines of one element and KMP with one code in one period (−1: outside every period). */
export interface FlowCell extends FlowSums {
  readonly element: ElementCode;
  readonly period: number;
  readonly code: string;
  readonly kmp: string;
}

/** The sums of the items of one element and KMP in one physical inventory. */
export interface InventoryCell {
  readonly pit: IsoDate;
  readonly element: ElementCode;
  readonly kmp: string;
  n: number;
  w: number;
  f: number;
  /** Σ weight², mg². */
  sq: bigint;
  abs: number;
  isoJ: number;
}

/** Everything the evaluation of one MBA reads: O(periods × codes × KMPs), not O(lines). */
export interface MbaSums {
  /** Dates of the initial report and PILs, ascending. */
  readonly pits: readonly IsoDate[];
  readonly inventories: readonly InventoryCell[];
  readonly cells: readonly FlowCell[];
  readonly orphans: readonly OrphanCorrection[];
}

export function emptyFlowSums(): FlowSums {
  return { n: 0, w: 0, f: 0, sw: 0, sq: 0n, srd: 0, srdF: 0, abs: 0, isoJ: 0 };
}

/**
 * What one effective line adds to its cell: `booked` is the version a receipt was booked at
 * before the receiver measured it (bookedReceiptOf), which stays in BE with SRD = booked −
 * measured (domain.md §4, docs/decisions/0009).
 */
export function lineSums(line: SourcedIcrLine, booked: SourcedIcrLine | undefined): FlowSums {
  const w = line.weightMg;
  const f = line.fissileMg ?? 0;
  const bw = booked?.weightMg ?? w;
  const bf = booked === undefined ? f : (booked.fissileMg ?? 0);
  let abs = Math.abs(w) + Math.abs(f);
  if (booked !== undefined) abs += Math.abs(bw) + Math.abs(bf) + Math.abs(bw - w) + Math.abs(bf - f);
  const big = BigInt(w);
  return {
    n: 1,
    w: bw,
    f: bf,
    sw: w,
    sq: big * big,
    srd: bw - w,
    srdF: bf - f,
    abs,
    isoJ: line.isotope === 'J' ? 1 : 0,
  };
}

/** target += sign · delta. */
export function addFlowSums(target: FlowSums, delta: FlowSums, sign: 1 | -1 = 1): void {
  target.n += sign * delta.n;
  target.w += sign * delta.w;
  target.f += sign * delta.f;
  target.sw += sign * delta.sw;
  target.sq += sign === 1 ? delta.sq : -delta.sq;
  target.srd += sign * delta.srd;
  target.srdF += sign * delta.srdF;
  target.abs += sign * delta.abs;
  target.isoJ += sign * delta.isoJ;
}

/** The sums of one inventory listing per element and KMP. */
export function inventorySums(listing: InventoryListing): InventoryCell[] {
  const out = new Map<string, InventoryCell>();
  for (const item of listing.lines) {
    const key = `${item.element}\u0001${item.kmp}`;
    let cell = out.get(key);
    if (cell === undefined) {
      cell = {
        pit: listing.date,
        element: item.element,
        kmp: item.kmp,
        n: 0,
        w: 0,
        f: 0,
        sq: 0n,
        abs: 0,
        isoJ: 0,
      };
      out.set(key, cell);
    }
    const w = item.weightMg;
    const f = item.fissileMg ?? 0;
    cell.n++;
    cell.w += w;
    cell.f += f;
    cell.sq += BigInt(w) * BigInt(w);
    cell.abs += Math.abs(w) + Math.abs(f);
    if (item.isotope === 'J') cell.isoJ++;
  }
  return [...out.values()];
}

/**
 * The flow cells of lines in force, one effective entry at a time: each line in force summed into
 * the cell of its element, period, code and KMP, at its booked value when it is a measured
 * receipt. sumMbaLines folds every entry of an MBA; `custos audit` folds them a chunk of lines at
 * a time (services/audit-derived.ts), so it never holds an MBA's history.
 */
export class FlowCellSums {
  readonly #cells = new Map<string, FlowCell>();
  constructor(
    private readonly pits: readonly IsoDate[],
    private readonly codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
  ) {}

  add(entry: Pick<EffectiveEntry, 'current' | 'history'>): void {
    const line = entry.current;
    if (line === undefined) return;
    const period = periodOf(this.pits, line.date);
    const key = `${line.element}\u0001${period}\u0001${line.code}\u0001${line.kmp}`;
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      cell = { element: line.element, period, code: line.code, kmp: line.kmp, ...emptyFlowSums() };
      this.#cells.set(key, cell);
    }
    addFlowSums(cell, lineSums(line, bookedReceiptOf(entry, this.codeSigns)));
  }

  cells(): FlowCell[] {
    return [...this.#cells.values()];
  }
}

/**
 * The reference computation (the oracle of the sums kept in the database): the effective view of
 * every ICR line (computeEffectiveLines), each line in force summed into its cell (FlowCellSums).
 */
export function sumMbaLines(
  inventories: readonly InventoryListing[],
  icrLines: readonly SourcedIcrLine[],
  codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
): MbaSums {
  const pits = inventories.map((i) => i.date).sort();
  const view = computeEffectiveLines(icrLines);
  const cells = new FlowCellSums(pits, codeSigns);
  for (const entry of view.entries) cells.add(entry);
  return {
    pits,
    inventories: inventories.flatMap(inventorySums),
    cells: cells.cells(),
    orphans: view.orphans,
  };
}

/** Σ δr²·x² in g² of one stratum's Σ x² in mg². */
function randomOf(r: number, sqMg: bigint): number {
  return r * r * (Number(sqMg) / 1e6);
}

const E = ELEMENTS.length;

/** The exact sums of an MBA gathered per element, period / inventory and KMP (collectSums). */
interface Tally {
  readonly dates: readonly IsoDate[];
  readonly n: number;
  readonly nInv: number;
  readonly codes: readonly string[];
  readonly signs: readonly number[];
  readonly seen: Uint8Array;
  readonly isoJ: Uint8Array;
  readonly kmps: ReadonlySet<string>;
  readonly errorOf: (kmp: string) => KmpError;
  readonly inv: Float64Array;
  readonly invF: Float64Array;
  readonly flows: Float64Array;
  readonly flowsF: Float64Array;
  readonly srd: Float64Array;
  readonly srdF: Float64Array;
  /** Per (element, period / inventory, KMP): Σ x² (mg²) and Σ ±x (mg), exact. */
  readonly flowSq: ReadonlyMap<string, bigint>;
  readonly flowSigned: ReadonlyMap<string, number>;
  readonly invSq: ReadonlyMap<string, bigint>;
  readonly invSigned: ReadonlyMap<string, number>;
}

function tally(
  sums: MbaSums,
  kmpErrors: Readonly<Record<string, KmpError>>,
  codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
  srdEntries: readonly SrdEntry[] = [],
): Tally {
  const errorOf = (kmp: string): KmpError => {
    const e = kmpErrors[kmp];
    if (e === undefined) throw new DomainError('UNKNOWN_KMP', `no measurement errors for KMP ${kmp}`);
    return e;
  };
  for (const c of sums.cells) if (c.n > 0) checkedSigns(codeSigns, c.code);
  const dates = sums.pits;
  for (let i = 1; i < dates.length; i++) {
    if (dates[i] === dates[i - 1])
      throw new DomainError('CONFLICT', `two physical inventories as of ${dates[i]}`);
  }
  const codes = Object.keys(codeSigns);
  const codeIndex = new Map(codes.map((c, i) => [c, i]));
  const signs = codes.map((c) => codeSigns[c]!);
  const nInv = dates.length;
  const n = Math.max(0, nInv - 1);
  const invIndex = new Map(dates.map((d, j) => [d, j]));
  const seen = new Uint8Array(E);
  const isoJ = new Uint8Array(E);
  const kmps = new Set<string>();
  let absTotal = 0;
  // Per (element, period / inventory, KMP): Σ x² (mg²) and Σ ±x (mg), exact.
  const flowSq = new Map<string, bigint>();
  const flowSigned = new Map<string, number>();
  const invSq = new Map<string, bigint>();
  const invSigned = new Map<string, number>();
  const inv = new Float64Array(E * nInv);
  const invF = new Float64Array(E * nInv);
  for (const c of sums.inventories) {
    if (c.n === 0) continue;
    const j = invIndex.get(c.pit);
    if (j === undefined) continue;
    const e = ELEMENT_INDEX[c.element];
    seen[e] = 1;
    if (c.isoJ > 0) isoJ[e] = 1;
    absTotal += c.abs;
    inv[e * nInv + j]! += c.w;
    invF[e * nInv + j]! += c.f;
    kmps.add(c.kmp);
    const key = `${e}\u0001${j}\u0001${c.kmp}`;
    invSq.set(key, (invSq.get(key) ?? 0n) + c.sq);
    invSigned.set(key, (invSigned.get(key) ?? 0) + c.w);
  }
  const nCodes = codes.length;
  const flows = new Float64Array(E * n * nCodes);
  const flowsF = new Float64Array(E * n * nCodes);
  const srd = new Float64Array(E * n);
  const srdF = new Float64Array(E * n);
  for (const c of sums.cells) {
    if (c.n === 0) continue;
    const e = ELEMENT_INDEX[c.element];
    seen[e] = 1;
    if (c.isoJ > 0) isoJ[e] = 1;
    const p = c.period;
    if (p < 0 || p >= n) continue;
    errorOf(c.kmp);
    kmps.add(c.kmp);
    absTotal += c.abs;
    const at = (e * n + p) * nCodes + codeIndex.get(c.code)!;
    flows[at]! += c.w;
    flowsF[at]! += c.f;
    srd[e * n + p]! += c.srd;
    srdF[e * n + p]! += c.srdF;
    const key = `${e}\u0001${p}\u0001${c.kmp}`;
    flowSq.set(key, (flowSq.get(key) ?? 0n) + c.sq);
    flowSigned.set(key, (flowSigned.get(key) ?? 0) + signs[codeIndex.get(c.code)!]! * c.sw);
  }
  absTotal += addSrdEntries(srdEntries, dates, n, seen, srd, srdF);
  // Each balance adds at most six such totals, hence the margin.
  if (absTotal * 8 > Number.MAX_SAFE_INTEGER) {
    throw new DomainError('INTERNAL', 'weights too large for exact milligram arithmetic');
  }
  return {
    dates,
    n,
    nInv,
    codes,
    signs,
    seen,
    isoJ,
    kmps,
    errorOf,
    inv,
    invF,
    flows,
    flowsF,
    srd,
    srdF,
    flowSq,
    flowSigned,
    invSq,
    invSigned,
  };
}

/**
 * The balances of every element and closed period with their statistics moments (strata in KMP
 * code order), from exact sums. Per period and KMP the Σx² and Σ±x are summed as integers first,
 * then weighted by δr² and δs², so the result does not depend on the order lines arrived in.
 */
export function collectSums(
  sums: MbaSums,
  kmpErrors: Readonly<Record<string, KmpError>>,
  codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
  srdEntries: readonly SrdEntry[] = [],
): CollectedElement[] {
  const t = tally(sums, kmpErrors, codeSigns, srdEntries);
  const { dates, n, nInv, codes, signs, seen, isoJ, kmps, errorOf, inv, invF, flows, flowsF, srd, srdF } = t;
  const { flowSq, flowSigned, invSq, invSigned } = t;
  const nCodes = codes.length;
  const strata = [...kmps].sort();
  const S = strata.length;
  const errors = strata.map(errorOf);
  const systematic = Float64Array.from(errors, (x) => x.systematic);
  const out: CollectedElement[] = [];
  for (let e = 0; e < E; e++) {
    if (seen[e] === 0) continue;
    const element: ElementCode = ELEMENTS[e]!;
    const periods: ElementBalance[] = [];
    const flowRandom = new Float64Array(n);
    const fs = new Float64Array(S * n);
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
      for (let s = 0; s < S; s++) {
        const key = `${e}\u0001${p}\u0001${strata[s]}`;
        const sq = flowSq.get(key);
        if (sq !== undefined) flowRandom[p]! += randomOf(errors[s]!.random, sq);
        fs[s * n + p] = (flowSigned.get(key) ?? 0) / 1000;
      }
    }
    const is = new Float64Array(S * nInv);
    const inventoryRandom = new Float64Array(nInv);
    for (let j = 0; j < nInv; j++) {
      for (let s = 0; s < S; s++) {
        const key = `${e}\u0001${j}\u0001${strata[s]}`;
        const sq = invSq.get(key);
        if (sq !== undefined) inventoryRandom[j]! += randomOf(errors[s]!.random, sq);
        is[s * nInv + j] = (invSigned.get(key) ?? 0) / 1000;
      }
    }
    const moments: SequenceMoments = {
      periods: n,
      strata: S,
      systematic,
      flowRandom,
      flowSigned: fs,
      inventoryRandom,
      inventorySigned: is,
    };
    // Only J (U-233) changes the category of E (domain.md §5): any line or item saying J decides.
    const isotope = isoJ[e] === 1 ? 'J' : undefined;
    out.push({ sequence: { element, ...(isotope !== undefined ? { isotope } : {}), periods }, moments });
  }
  return out;
}

/** How many lines in force one KMP saw on one day under one inventory change code. */
export interface KmpDayCount {
  readonly kmp: string;
  readonly day: string;
  readonly code: string;
  n: number;
}

/**
 * Lines in force counted per KMP, day and inventory change code: what gate monitoring compares a
 * device's counts through that KMP with (domain/monitoring gateMismatch). Gathered as differences
 * (a correction takes its line's old version out, −1, and puts the new one in, +1); a line missing
 * its KMP, date or code counts nowhere.
 */
export class KmpDayCounts {
  readonly #counts = new Map<string, KmpDayCount>();

  add(
    l: { readonly kmp: string | null; readonly date: string | null; readonly code: string | null },
    sign: 1 | -1 = 1,
  ): void {
    if (typeof l.kmp !== 'string' || typeof l.date !== 'string' || typeof l.code !== 'string') return;
    const key = `${l.kmp}\u0001${l.date}\u0001${l.code}`;
    const c = this.#counts.get(key);
    if (c === undefined) this.#counts.set(key, { kmp: l.kmp, day: l.date, code: l.code, n: sign });
    else c.n += sign;
  }

  /** The counts (or differences) that are not zero. */
  *values(): IterableIterator<KmpDayCount> {
    for (const c of this.#counts.values()) if (c.n !== 0) yield c;
  }
}
