import { describe, expect, it } from 'vitest';
import type { InventoryListing } from './balance.js';
import { balanceInputOf, computeBalances } from './balance.js';
import { addBookLines, createMbaBook, setBookInventories } from './book.js';
import type { SourcedIcrLine } from './effective.js';
import { computeEffectiveLines } from './effective.js';
import { evaluateBook, evaluateMba } from './evaluate.js';

const kmpErrors = {
  A: { random: 0.01, systematic: 0.004 },
  B: { random: 0.002, systematic: 0.001 },
  I: { random: 0.005, systematic: 0.002 },
};

function generator(seed: number) {
  let x = seed >>> 0;
  return (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 4294967296) * n);
  };
}

/**
 * Twelve monthly ICRs with corrections and deletions of earlier lines, and four PITs. Receipts
 * come from another MBA, booked at the shipper's value (basis N) or measured here (M); some
 * corrections are the receiver's measurement of a receipt (an SRD adjustment, bookedReceiptOf).
 */
function world(seed: number) {
  const rnd = generator(seed);
  const pits = ['2024-01-31', '2024-04-30', '2024-07-31', '2024-10-31'];
  const inventories: InventoryListing[] = pits.map((date, j) => ({
    date,
    lines: Array.from({ length: 3 + rnd(4) }, (_, i) => ({
      line: i + 1,
      batch: `I${j}-${i}`,
      kmp: 'I',
      element: i % 3 === 0 ? ('P' as const) : ('E' as const),
      weightMg: 1_000_000 + rnd(500_000),
      fissileMg: 30_000 + rnd(1000),
      ...(i % 3 === 0 ? {} : { isotope: 'G' }),
    })),
  }));
  const reports: SourcedIcrLine[][] = [];
  const byRef = new Map<string, SourcedIcrLine>();
  for (let r = 1; r <= 12; r++) {
    const month = String(r).padStart(2, '0');
    const lines: SourcedIcrLine[] = [];
    for (let l = 1; l <= 6; l++) {
      const code = ['RD', 'SD', 'LD', 'RF'][rnd(4)]!;
      const base: SourcedIcrLine = {
        reportNumber: r,
        line: l,
        date: `2024-${month}-${String(1 + rnd(28)).padStart(2, '0')}`,
        code,
        batch: `B${r}-${l}`,
        kmp: rnd(2) === 0 ? 'A' : 'B',
        element: rnd(4) === 0 ? ('P' as const) : ('E' as const),
        weightMg: 10_000 + rnd(90_000),
        fissileMg: rnd(3000),
        ...(code[0] === 'R'
          ? { basis: rnd(2) === 0 ? 'N' : 'M', counterpart: { state: 'XB', mba: 'XB-F1' } }
          : {}),
      };
      const target = r > 1 && rnd(3) === 0 ? { reportNumber: 1 + rnd(r - 1), line: 1 + rnd(6) } : undefined;
      const kind = rnd(3);
      const targeted = target && byRef.get(`${target.reportNumber}/${target.line}`);
      let out: SourcedIcrLine = base;
      if (target && kind === 0) out = { ...base, deletes: target };
      else if (target && kind === 1) out = { ...base, corrects: target };
      else if (target && targeted) {
        // The receiver's measurement of the target (an SRD adjustment if it was a receipt
        // booked at the shipper's value): same transfer, new weights, basis M.
        const { deletes: _deletes, ...rest } = targeted;
        out = {
          ...rest,
          reportNumber: r,
          line: l,
          kmp: base.kmp,
          weightMg: targeted.weightMg - 500 + rnd(1000),
          fissileMg: rnd(3000),
          basis: 'M',
          corrects: target,
        };
      }
      byRef.set(`${r}/${l}`, out);
      lines.push(out);
    }
    reports.push(lines);
  }
  return { inventories, reports };
}

describe('MbaBook (incremental evaluation of one MBA)', () => {
  it('gives, report by report and PIL by PIL, exactly what a fresh evaluation gives', () => {
    let adjusted = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const { inventories, reports } = world(seed);
      const book = createMbaBook({ inventories: inventories.slice(0, 1), kmpErrors });
      const applied: SourcedIcrLine[] = [];
      let pils = 1;
      for (const [r, lines] of reports.entries()) {
        expect(addBookLines(book, lines)).toBeDefined();
        applied.push(...lines);
        // A PIL arrives every third month, after that month's ICR.
        if (r % 3 === 2 && pils < inventories.length) {
          pils++;
          setBookInventories(book, inventories.slice(0, pils));
        }
        const input = { mba: 'M', inventories: inventories.slice(0, pils), icrLines: applied, kmpErrors };
        const incremental = evaluateBook(book, input);
        expect(incremental).toEqual(evaluateMba(input));
        // And the exact balances are those of the one-pass computation.
        const exact = computeBalances({
          inventories: input.inventories,
          ...balanceInputOf(computeEffectiveLines(applied)),
        });
        expect(incremental.elements.map((e) => e.periods.map((p) => p.exact))).toEqual(
          exact.map((e) => e.periods),
        );
        for (const e of incremental.elements) for (const p of e.periods) if (p.exact.srdMg !== 0) adjusted++;
      }
    }
    // The worlds do hold SRD adjustments (the comparison above covers them).
    expect(adjusted).toBeGreaterThan(10);
  });

  it('refuses, changing nothing, a report that comes before one already applied', () => {
    const { inventories, reports } = world(7);
    const book = createMbaBook({ inventories, kmpErrors });
    expect(addBookLines(book, reports[1]!)).toBeDefined();
    const before = evaluateBook(book, { mba: 'M' });
    expect(addBookLines(book, reports[0]!)).toBeUndefined();
    expect(evaluateBook(book, { mba: 'M' })).toEqual(before);
  });
});
