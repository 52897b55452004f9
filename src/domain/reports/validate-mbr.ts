/** Checks of a material balance report (MBR): its entries, its arithmetic and its totals (domain.md §4). */
import { problemOf } from '../particulars.js';
import { MBR_BALANCE_ENTRIES, MBR_SIGNED_ENTRIES } from './codes.js';
import type { ProblemList } from './problems.js';
import type { Readable } from './readable.js';
import type { ElementCode, MbrReport, Milligrams } from './report.types.js';
import { checkPit, checkWeights } from './validate-lines.js';
import type { ValidationContext } from './validation.types.js';
import { formatWeight, formatWeightText as g } from './weight.js';

interface ElementBalance {
  readonly entries: Map<string, { path: string; line: number; w: bigint; f: bigint | undefined }>;
}

export function checkMbr(
  report: MbrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
  warnings: ProblemList,
): void {
  checkPit(report, ctx, readable, errors);
  const byElement = readEntries(report, ctx, readable, errors);
  // The balance of an element is only whole when every line was read: no arithmetic on a part.
  if (!readable.allLines) return;
  for (const [element, bal] of byElement) checkBalance(element, bal.entries, ctx, errors, warnings);
  compareTotals(ctx.previousPe, 'PB', 'PB_MISMATCH', 'the previous balance ended with PE', byElement, errors);
  compareTotals(ctx.pilTotals, 'PE', 'PE_MISMATCH', 'the PIL of this PIT totals', byElement, errors);
  if (ctx.icrTotals !== undefined) compareIcrTotals(ctx.icrTotals, byElement, errors);
}

/** Each line's own checks; the known entries of each element, each once. */
function readEntries(
  report: MbrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
): Map<ElementCode, ElementBalance> {
  const byElement = new Map<ElementCode, ElementBalance>();
  for (let i = 0; i < report.lines.length; i++) {
    const l = report.lines[i]!;
    const path = readable.path(i);
    const ln = l.line;
    if (ctx.elements !== undefined && !ctx.elements.has(l.element)) {
      errors.add(
        problemOf('UNKNOWN_ELEMENT', { element: l.element }),
        `${path}.element`,
        `element ${l.element} is not covered by the agreement`,
        ln,
      );
    }
    const known = MBR_BALANCE_ENTRIES.has(l.entry) || ctx.icCodes.has(l.entry);
    if (!known) {
      errors.add(
        problemOf('UNKNOWN_IC_CODE.entry', { entry: l.entry }),
        `${path}.entry`,
        `"${l.entry}" is neither a balance entry nor a change code`,
        ln,
      );
    }
    checkWeights(l.weightMg, l.fissileMg, MBR_SIGNED_ENTRIES.has(l.entry), path, ln, errors);
    let bal = byElement.get(l.element);
    if (bal === undefined) {
      bal = { entries: new Map() };
      byElement.set(l.element, bal);
    }
    if (bal.entries.has(l.entry)) {
      errors.add(
        problemOf('ENTRY_DUPLICATE', { element: l.element, entry: l.entry }),
        `${path}.entry`,
        `${l.element} ${l.entry} appears twice`,
        ln,
      );
    } else if (known) {
      const f = l.fissileMg === undefined ? undefined : BigInt(l.fissileMg);
      bal.entries.set(l.entry, { path, line: ln, w: BigInt(l.weightMg), f });
    }
  }
  return byElement;
}

/** One element's balance: the five entries are there and add up (BE = PB + X − Y, BEA, MUF). */
function checkBalance(
  element: ElementCode,
  e: ElementBalance['entries'],
  ctx: ValidationContext,
  errors: ProblemList,
  warnings: ProblemList,
): void {
  const missing = ['PB', 'BE', 'BEA', 'PE', 'MUF'].filter((k) => !e.has(k));
  if (missing.length > 0) {
    errors.add(
      problemOf('FIELD_MISSING.balanceEntries', { element, entries: missing }),
      'lines',
      `element ${element} has no ${missing.join(', ')} line`,
    );
    return;
  }
  for (const part of ['w', 'f'] as const) {
    const val = (k: string): bigint | undefined => {
      const x = e.get(k);
      return x === undefined ? 0n : x[part];
    };
    const field = part === 'w' ? 'weight' : 'fissileWeight';
    let x = 0n;
    let complete = true;
    for (const [entry, row] of e) {
      if (MBR_BALANCE_ENTRIES.has(entry)) continue;
      const v = row[part];
      if (v === undefined) complete = false;
      else x += BigInt(ctx.icCodes.get(entry)!.sign) * v;
    }
    const pb = val('PB');
    const be = val('BE');
    const srd = val('SRD');
    const bea = val('BEA');
    const pe = val('PE');
    const muf = val('MUF');
    if (!complete || [pb, be, srd, bea, pe, muf].some((v) => v === undefined)) continue;
    const at = (k: string) => e.get(k)!;
    const arith = (k: string, expected: bigint, formula: string) => {
      const row = at(k);
      if (row[part] !== expected) {
        errors.add(
          problemOf('BALANCE_ARITHMETIC', {
            element,
            entry: k,
            found: grams(row[part]!),
            formula,
            expected: grams(expected),
          }),
          `${row.path}.${field}`,
          `${element} ${k} is ${bg(row[part]!)} g but ${formula} = ${bg(expected)} g`,
          row.line,
        );
      }
    };
    arith('BE', pb! + x, 'PB + X − Y');
    arith('BEA', be! - srd!, 'BE − SRD');
    arith('MUF', bea! - pe!, 'BEA − PE');
  }
  if (ctx.mba?.isItemMba === true && at0(e, 'MUF') !== 0n) {
    const row = e.get('MUF')!;
    warnings.add(
      problemOf('ITEM_MUF_NONZERO', { element }),
      `${row.path}.weight`,
      `item MBA with ${element} MUF ≠ 0`,
      row.line,
    );
  }
}

/** Each change entry of the MBR equals the period's ICR lines of that code, and none is left out. */
function compareIcrTotals(
  icrTotals: NonNullable<ValidationContext['icrTotals']>,
  byElement: ReadonlyMap<ElementCode, ElementBalance>,
  errors: ProblemList,
): void {
  for (const [element, bal] of byElement) {
    const totals = icrTotals.get(element);
    for (const [entry, row] of bal.entries) {
      if (MBR_BALANCE_ENTRIES.has(entry)) continue;
      const icr = BigInt(totals?.get(entry) ?? 0);
      if (icr !== row.w) {
        errors.add(
          problemOf('ICR_MISMATCH', { element, entry, found: grams(row.w), expected: grams(icr) }),
          `${row.path}.weight`,
          `${element} ${entry} is ${bg(row.w)} g but the period's ICR lines total ${bg(icr)} g`,
          row.line,
        );
      }
    }
  }
  for (const [element, totals] of icrTotals) {
    for (const [code, mg] of totals) {
      if (mg !== 0 && byElement.get(element)?.entries.has(code) !== true) {
        errors.add(
          problemOf('ICR_MISMATCH.noEntry', { element, entry: code, expected: formatWeight(mg) }),
          'lines',
          `the period's ICR lines have ${g(mg)} g ${element} ${code}, the MBR none`,
        );
      }
    }
  }
}

function at0(e: ElementBalance['entries'], k: string): bigint {
  return e.get(k)?.w ?? 0n;
}

/** Milligrams → grams as a JSON number, for a problem's values (exact up to 15 digits, as weights are). */
function grams(v: bigint): number {
  return Number(v) / 1000;
}

function bg(v: bigint): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const digits = abs.toString().padStart(4, '0');
  const frac = digits.slice(-3).replace(/0+$/, '');
  return `${neg ? '-' : ''}${digits.slice(0, -3).replace(/^0+(?=\d)/, '')}${frac === '' ? '' : `.${frac}`}`;
}

function compareTotals(
  expected: ReadonlyMap<ElementCode, Milligrams> | undefined,
  entry: 'PB' | 'PE',
  code: 'PB_MISMATCH' | 'PE_MISMATCH',
  what: string,
  byElement: ReadonlyMap<ElementCode, ElementBalance>,
  errors: ProblemList,
): void {
  if (expected === undefined) return;
  for (const [element, bal] of byElement) {
    const row = bal.entries.get(entry);
    if (row === undefined) continue;
    const want = BigInt(expected.get(element) ?? 0);
    if (row.w !== want) {
      errors.add(
        problemOf(code, { element, found: grams(row.w), expected: grams(want) }),
        `${row.path}.weight`,
        `${element} ${entry} is ${bg(row.w)} g but ${what} ${bg(want)} g`,
        row.line,
      );
    }
  }
  for (const [element, mg] of expected) {
    if (mg !== 0 && !byElement.has(element)) {
      errors.add(
        problemOf(`${code}.noLines`, { element, expected: formatWeight(mg) }),
        'lines',
        `${what} ${g(mg)} g of ${element}, but the MBR has no ${element} lines`,
      );
    }
  }
}
