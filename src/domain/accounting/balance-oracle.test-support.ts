/**
 * The one-pass balance over every line: the oracle the accounting tests compare against. The
 * product evaluates from exact sums (sums.ts: sumMbaLines → evaluateSums); this stays with the
 * tests (issue 13: a test oracle lives with the tests) so nothing in production runs it.
 */
import { DomainError } from '../errors.js';
import type { IcrLine } from '../reports/report.types.js';
import {
  addSrdEntries,
  type BalanceInput,
  type CollectedElement,
  checkedSigns,
  ELEMENT_INDEX,
  ELEMENTS,
  type ElementBalance,
  type ElementBalanceSequence,
  figures,
  type KmpError,
  periodOf,
  type SequenceMoments,
  type SrdEntry,
  sortedInventories,
} from './balance.js';
import { type CodeSigns, DEFAULT_CODE_SIGNS } from './constants.js';
import { bookedReceiptOf, type EffectiveView } from './effective.js';

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
