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
  applyEffectiveLine,
  bookedReceiptOf,
  compareLines,
  createEffectiveState,
  type EffectiveState,
  type MutableEntry,
  type SourcedIcrLine,
} from './effective.js';

const E = ELEMENTS.length;

/** Sums of the effective lines of one element in one closed period (a cell of the balance). */
interface Cell {
  /** Entry indices of its lines, ascending (effective order). */
  readonly lines: number[];
  dirty: boolean;
  readonly flows: Float64Array;
  readonly flowsF: Float64Array;
  /** SRD of its receipts booked at the shipper's value and since measured (bookedReceiptOf), mg. */
  srd: number;
  srdF: number;
  /** Σ δr²·g² of its lines. */
  random: number;
  /** Σ ±g per KMP. */
  signed: Map<string, number>;
  abs: number;
}

/** Sums of one inventory listing per element (immutable once read). */
interface ListingSums {
  readonly w: Float64Array;
  readonly f: Float64Array;
  readonly random: Float64Array;
  readonly signed: Map<string, Float64Array>;
  readonly seen: Uint8Array;
  readonly isotopes: (string | undefined)[];
  readonly abs: number;
}

/**
 * The account of one MBA held between evaluations: the effective view of its ICR lines (built in
 * effective order, so a later report only appends) and, per element and closed period, the sums
 * the balance and its statistics need. A new report touches only the cells its lines fall in,
 * so re-evaluating an MBA of 100 000 lines after one new line costs the cells it changed plus
 * the per-period work (domain.md §4–§6), not a pass over every line.
 *
 * Every evaluation goes through a book (evaluateMba builds one from scratch), so an updated
 * book and a fresh one give bit-identical results: each cell sums its lines in effective order
 * exactly as one pass over all lines would.
 */
export interface MbaBook {
  readonly kmpErrors: Readonly<Record<string, KmpError>>;
  readonly codeSigns: CodeSigns;
  readonly codes: readonly string[];
  readonly codeIndex: ReadonlyMap<string, number>;
  readonly signs: readonly number[];
  readonly effective: EffectiveState;
  /** The last line applied, in effective order. */
  last: SourcedIcrLine | undefined;
  inventories: InventoryListing[];
  dates: IsoDate[];
  /** Key p·E + e. */
  cells: Map<number, Cell>;
  /** Effective lines per element (an element with lines is evaluated even without a period). */
  readonly elementLines: Int32Array;
  /** Effective lines whose code has no sign (evaluation refuses them). */
  unknownCodes: number;
  /** First isotope code per element in effective order; undefined when it must be rescanned. */
  lineIsotopes: (string | undefined)[] | undefined;
  readonly listings: WeakMap<InventoryListing, ListingSums>;
}

export function createMbaBook(input: {
  readonly inventories: readonly InventoryListing[];
  readonly kmpErrors: Readonly<Record<string, KmpError>>;
  readonly codeSigns?: CodeSigns;
}): MbaBook {
  const codeSigns = input.codeSigns ?? DEFAULT_CODE_SIGNS;
  const codes = Object.keys(codeSigns);
  const book: MbaBook = {
    kmpErrors: input.kmpErrors,
    codeSigns,
    codes,
    codeIndex: new Map(codes.map((c, i) => [c, i])),
    signs: codes.map((c) => codeSigns[c]!),
    effective: createEffectiveState(),
    last: undefined,
    inventories: [],
    dates: [],
    cells: new Map(),
    elementLines: new Int32Array(E),
    unknownCodes: 0,
    lineIsotopes: [undefined, undefined, undefined, undefined, undefined],
    listings: new WeakMap(),
  };
  setBookInventories(book, input.inventories);
  return book;
}

function cellOf(book: MbaBook, line: SourcedIcrLine): Cell | undefined {
  if (!book.codeIndex.has(line.code)) return undefined;
  const p = periodOf(book.dates, line.date);
  if (p < 0) return undefined;
  const key = p * E + ELEMENT_INDEX[line.element];
  let cell = book.cells.get(key);
  if (cell === undefined) {
    const nCodes = book.codes.length;
    cell = {
      lines: [],
      dirty: true,
      flows: new Float64Array(nCodes),
      flowsF: new Float64Array(nCodes),
      srd: 0,
      srdF: 0,
      random: 0,
      signed: new Map(),
      abs: 0,
    };
    book.cells.set(key, cell);
  }
  return cell;
}

function insertSorted(list: number[], x: number): void {
  if (list.length === 0 || list[list.length - 1]! < x) {
    list.push(x);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
}

function removeLine(book: MbaBook, index: number, line: SourcedIcrLine): void {
  book.elementLines[ELEMENT_INDEX[line.element]]!--;
  if (!book.codeIndex.has(line.code)) book.unknownCodes--;
  const cell = cellOf(book, line);
  if (cell !== undefined) {
    const at = cell.lines.indexOf(index);
    if (at >= 0) cell.lines.splice(at, 1);
    cell.dirty = true;
  }
}

function addLine(book: MbaBook, index: number, line: SourcedIcrLine): void {
  book.elementLines[ELEMENT_INDEX[line.element]]!++;
  if (!book.codeIndex.has(line.code)) book.unknownCodes++;
  const cell = cellOf(book, line);
  if (cell !== undefined) {
    insertSorted(cell.lines, index);
    cell.dirty = true;
  }
}

/** An entry of the effective view that a batch of lines created or changed. */
export interface BookChange {
  readonly entry: MutableEntry;
  readonly previous: SourcedIcrLine | undefined;
}

/**
 * Adds ICR lines (one or more new reports). Returns the entries created or changed, or
 * undefined, changing nothing, when a line does not come after every line already applied in
 * effective order (an earlier report number arriving late): the caller then builds a new book.
 */
export function addBookLines(book: MbaBook, lines: readonly SourcedIcrLine[]): BookChange[] | undefined {
  const sorted = [...lines].sort(compareLines);
  const first = sorted[0];
  if (first === undefined) return [];
  if (book.last !== undefined && compareLines(first, book.last) <= 0) return undefined;
  const changes: BookChange[] = [];
  for (const line of sorted) {
    const r = applyEffectiveLine(book.effective, line);
    if (r === undefined) continue;
    const { entry, previous } = r;
    if (previous !== undefined) {
      removeLine(book, entry.index, previous);
      // The first isotope of an element may have moved: rescan when next evaluated.
      book.lineIsotopes = undefined;
    }
    const current = entry.current;
    if (current !== undefined) {
      addLine(book, entry.index, current);
      // A new entry is the last in effective order: it sets an element's isotope only if none yet.
      const iso = book.lineIsotopes;
      if (iso !== undefined && current.isotope !== undefined) {
        iso[ELEMENT_INDEX[current.element]] ??= current.isotope;
      }
    }
    changes.push(r);
  }
  book.last = sorted[sorted.length - 1];
  return changes;
}

/** Replaces the physical inventories (a new PIL moves the periods: every cell is rebuilt). */
export function setBookInventories(book: MbaBook, inventories: readonly InventoryListing[]): void {
  book.inventories = [...inventories].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  book.dates = book.inventories.map((i) => i.date);
  book.cells = new Map();
  for (const entry of book.effective.entries) {
    const line = entry.current;
    if (line === undefined) continue;
    const cell = cellOf(book, line);
    if (cell !== undefined) cell.lines.push(entry.index);
  }
}

function errorOf(book: MbaBook, kmp: string): KmpError {
  const e = book.kmpErrors[kmp];
  if (e === undefined) throw new DomainError('UNKNOWN_KMP', `no measurement errors for KMP ${kmp}`);
  return e;
}

function recompute(book: MbaBook, cell: Cell): void {
  cell.flows.fill(0);
  cell.flowsF.fill(0);
  let random = 0;
  let abs = 0;
  let srd = 0;
  let srdF = 0;
  const signed = new Map<string, number>();
  const entries = book.effective.entries;
  for (const index of cell.lines) {
    const entry = entries[index]!;
    const line = entry.current!;
    const c = book.codeIndex.get(line.code)!;
    const w = line.weightMg;
    const f = line.fissileMg ?? 0;
    abs += Math.abs(w) + Math.abs(f);
    // A receipt measured since it was booked at the shipper's value stays in BE at the booked
    // value and enters SRD = booked − measured (domain.md §4). bookedReceiptOf requires the same
    // date, so the SRD falls in this cell's period.
    const booked = line.corrects === undefined ? undefined : bookedReceiptOf(entry, book.codeSigns);
    if (booked === undefined) {
      cell.flows[c]! += w;
      cell.flowsF[c]! += f;
    } else {
      const bw = booked.weightMg;
      const bf = booked.fissileMg ?? 0;
      abs += Math.abs(bw) + Math.abs(bf) + Math.abs(bw - w) + Math.abs(bf - f);
      cell.flows[c]! += bw;
      cell.flowsF[c]! += bf;
      srd += bw - w;
      srdF += bf - f;
    }
    // The statistics take the measurement in BEA: the receiver's, at its KMP (domain.md §6).
    const err = errorOf(book, line.kmp);
    const r2 = err.random * err.random;
    const g = w / 1000;
    random += r2 * g * g;
    signed.set(line.kmp, (signed.get(line.kmp) ?? 0) + book.signs[c]! * g);
  }
  cell.random = random;
  cell.srd = srd;
  cell.srdF = srdF;
  cell.signed = signed;
  cell.abs = abs;
  cell.dirty = false;
}

function listingSums(book: MbaBook, listing: InventoryListing): ListingSums {
  const cached = book.listings.get(listing);
  if (cached !== undefined) return cached;
  const w = new Float64Array(E);
  const f = new Float64Array(E);
  const random = new Float64Array(E);
  const signed = new Map<string, Float64Array>();
  const seen = new Uint8Array(E);
  const isotopes: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  let abs = 0;
  for (const item of listing.lines) {
    const e = ELEMENT_INDEX[item.element];
    seen[e] = 1;
    if (item.isotope !== undefined) isotopes[e] ??= item.isotope;
    const wi = item.weightMg;
    const fi = item.fissileMg ?? 0;
    abs += Math.abs(wi) + Math.abs(fi);
    w[e]! += wi;
    f[e]! += fi;
    const err = errorOf(book, item.kmp);
    const g = wi / 1000;
    random[e]! += err.random * err.random * g * g;
    let s = signed.get(item.kmp);
    if (s === undefined) {
      s = new Float64Array(E);
      signed.set(item.kmp, s);
    }
    s[e]! += g;
  }
  const sums: ListingSums = { w, f, random, signed, seen, isotopes, abs };
  book.listings.set(listing, sums);
  return sums;
}

function lineIsotopes(book: MbaBook): (string | undefined)[] {
  if (book.lineIsotopes !== undefined) return book.lineIsotopes;
  const iso: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  for (const entry of book.effective.entries) {
    const line = entry.current;
    if (line?.isotope !== undefined) iso[ELEMENT_INDEX[line.element]] ??= line.isotope;
  }
  book.lineIsotopes = iso;
  return iso;
}

/**
 * @internal The balances of every element and closed period with their statistics moments,
 * the same as collectBalances over the book's effective lines (strata in KMP code order).
 */
export function collectBookBalances(book: MbaBook, srdEntries: readonly SrdEntry[] = []): CollectedElement[] {
  if (book.unknownCodes > 0) {
    for (const entry of book.effective.entries) {
      if (entry.current !== undefined) checkedSigns(book.codeSigns, entry.current.code);
    }
  }
  const { inventories, dates, codes, signs } = book;
  for (let i = 1; i < dates.length; i++) {
    if (dates[i] === dates[i - 1])
      throw new DomainError('CONFLICT', `two physical inventories as of ${dates[i]}`);
  }
  const nInv = inventories.length;
  const n = Math.max(0, nInv - 1);
  const seen = new Uint8Array(E);
  const isotopes: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  const kmps = new Set<string>();
  let absTotal = 0;
  const sums = inventories.map((l) => listingSums(book, l));
  for (const ls of sums) {
    for (let e = 0; e < E; e++) {
      if (ls.seen[e] === 1) seen[e] = 1;
      isotopes[e] ??= ls.isotopes[e];
    }
    for (const k of ls.signed.keys()) kmps.add(k);
    absTotal += ls.abs;
  }
  const fromLines = lineIsotopes(book);
  for (let e = 0; e < E; e++) {
    if (book.elementLines[e]! > 0) {
      seen[e] = 1;
      isotopes[e] ??= fromLines[e];
    }
  }
  const srd = new Float64Array(E * n);
  const srdF = new Float64Array(E * n);
  for (const [key, cell] of book.cells) {
    if (cell.dirty) recompute(book, cell);
    for (const k of cell.signed.keys()) kmps.add(k);
    absTotal += cell.abs;
    // Key p·E + e (cellOf); cells exist only for closed periods.
    const p = Math.floor(key / E);
    const e = key - p * E;
    srd[e * n + p]! += cell.srd;
    srdF[e * n + p]! += cell.srdF;
  }
  absTotal += addSrdEntries(srdEntries, dates, n, seen, srd, srdF);
  if (absTotal * 8 > Number.MAX_SAFE_INTEGER) {
    throw new DomainError('INTERNAL', 'weights too large for exact milligram arithmetic');
  }
  const strata = [...kmps].sort();
  const S = strata.length;
  const systematic = Float64Array.from(strata, (k) => errorOf(book, k).systematic);
  const zeros = new Float64Array(codes.length);
  const out: CollectedElement[] = [];
  for (let e = 0; e < E; e++) {
    if (seen[e] === 0) continue;
    const element: ElementCode = ELEMENTS[e]!;
    const periods: ElementBalance[] = [];
    const flowRandom = new Float64Array(n);
    const fs = new Float64Array(S * n);
    for (let p = 0; p < n; p++) {
      const cell = book.cells.get(p * E + e);
      const el = figures(
        sums[p]!.w[e]!,
        sums[p + 1]!.w[e]!,
        srd[e * n + p]!,
        codes,
        signs,
        cell?.flows ?? zeros,
        0,
      );
      const fi = figures(
        sums[p]!.f[e]!,
        sums[p + 1]!.f[e]!,
        srdF[e * n + p]!,
        codes,
        signs,
        cell?.flowsF ?? zeros,
        0,
      );
      periods.push({ element, from: dates[p]!, to: dates[p + 1]!, ...el, fissile: fi });
      if (cell !== undefined) {
        flowRandom[p] = cell.random;
        for (let s = 0; s < S; s++) fs[s * n + p] = cell.signed.get(strata[s]!) ?? 0;
      }
    }
    const is = new Float64Array(S * nInv);
    const inventoryRandom = new Float64Array(nInv);
    for (let j = 0; j < nInv; j++) {
      const ls = sums[j]!;
      inventoryRandom[j] = ls.random[e]!;
      for (let s = 0; s < S; s++) is[s * nInv + j] = ls.signed.get(strata[s]!)?.[e] ?? 0;
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
    const isotope = isotopes[e];
    out.push({ sequence: { element, ...(isotope !== undefined ? { isotope } : {}), periods }, moments });
  }
  return out;
}
