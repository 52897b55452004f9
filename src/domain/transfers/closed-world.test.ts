import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  endOfMonth,
  evaluateMba,
  type InventoryListing,
  type MbaEvaluationInput,
  type SourcedIcrLine,
} from '../accounting/index.js';
import type { ElementCode } from '../reports/report.types.js';
import { matchTransfers } from './match.js';
import type { TransferLine } from './transfer.types.js';

/**
 * A closed world: MBAs in two states that only move material between themselves (plus recorded
 * discards), every PIL equal to the book. With perfect measurements every MUF is 0 and every
 * transfer is matched; with real measurement errors nothing depends on report arrival order.
 */
const MBAS = [
  { state: 'AA', mba: 'AA1' },
  { state: 'AA', mba: 'AA2' },
  { state: 'BB', mba: 'BB1' },
  { state: 'BB', mba: 'BB2' },
] as const;
const ELEMENTS: readonly ElementCode[] = ['P', 'E'];

interface Move {
  from: number;
  to: number;
  period: number;
  element: number;
  weightMg: number;
  discard: boolean;
}

const worldArb = fc.record({
  periods: fc.integer({ min: 1, max: 4 }),
  moves: fc.array(
    fc.record({
      from: fc.integer({ min: 0, max: 3 }),
      to: fc.integer({ min: 0, max: 3 }),
      period: fc.integer({ min: 0, max: 3 }),
      element: fc.integer({ min: 0, max: 1 }),
      weightMg: fc.integer({ min: 1, max: 5_000_000 }),
      discard: fc.boolean(),
    }),
    { maxLength: 40 },
  ),
});

interface World {
  inputs: MbaEvaluationInput[];
  shipments: TransferLine[];
  receipts: TransferLine[];
}

function buildWorld(periods: number, moves: readonly Move[], error: number): World {
  const pits: string[] = ['2023-12-31'];
  for (let p = 0; p < periods; p++) pits.push(endOfMonth(addDays(pits[p]!, 1)));
  const book = MBAS.map(() => [1_000_000_000, 500_000_000]);
  const lines: SourcedIcrLine[][] = MBAS.map(() => []);
  const inventories: InventoryListing[][] = MBAS.map(() => []);
  const shipments: TransferLine[] = [];
  const receipts: TransferLine[] = [];
  const pil = (m: number, p: number): InventoryListing => ({
    date: pits[p]!,
    lines: ELEMENTS.map((element, e) => ({
      line: e + 1,
      batch: `${MBAS[m]!.mba}-${p}-${element}`,
      kmp: 'INV',
      element,
      weightMg: book[m]![e]!,
    })),
  });
  for (let m = 0; m < MBAS.length; m++) inventories[m]!.push(pil(m, 0));
  for (let p = 0; p < periods; p++) {
    moves.forEach((mv, i) => {
      if (mv.period % periods !== p) return;
      const element = ELEMENTS[mv.element]!;
      const date = addDays(pits[p]!, 1 + (i % 25));
      const s = MBAS[mv.from]!;
      const r = MBAS[mv.to]!;
      const push = (m: number, line: Omit<SourcedIcrLine, 'reportNumber' | 'line' | 'acceptedSeq'>): void => {
        lines[m]!.push({
          ...line,
          reportNumber: p + 1,
          acceptedSeq: p + 1,
          line: lines[m]!.filter((l) => l.reportNumber === p + 1).length + 1,
        });
      };
      if (mv.discard || mv.from === mv.to) {
        push(mv.from, { date, code: 'LD', batch: `D${i}`, kmp: 'OUT', element, weightMg: mv.weightMg });
        book[mv.from]![mv.element]! -= mv.weightMg;
        return;
      }
      const foreign = s.state !== r.state;
      const notice = foreign ? `N${i}` : undefined;
      const batch = `B${i}`;
      const base = { date, batch, element, weightMg: mv.weightMg, ...(notice ? { notice } : {}) };
      push(mv.from, {
        ...base,
        code: foreign ? 'SF' : 'SD',
        kmp: 'OUT',
        counterpart: { state: r.state, mba: r.mba },
      });
      push(mv.to, {
        ...base,
        code: foreign ? 'RF' : 'RD',
        kmp: 'IN',
        counterpart: { state: s.state, mba: s.mba },
      });
      book[mv.from]![mv.element]! -= mv.weightMg;
      book[mv.to]![mv.element]! += mv.weightMg;
      const errors = { random: error, systematic: error };
      shipments.push({
        id: `S${i}`,
        state: s.state,
        mba: s.mba,
        counterpart: { state: r.state, mba: r.mba },
        code: foreign ? 'SF' : 'SD',
        ...base,
        ...errors,
      });
      receipts.push({
        id: `R${i}`,
        state: r.state,
        mba: r.mba,
        counterpart: { state: s.state, mba: s.mba },
        code: foreign ? 'RF' : 'RD',
        ...base,
        ...errors,
      });
    });
    for (let m = 0; m < MBAS.length; m++) inventories[m]!.push(pil(m, p + 1));
  }
  const kmpErrors = {
    INV: { random: error, systematic: error / 2 },
    IN: { random: error, systematic: error },
    OUT: { random: error * 2, systematic: 0 },
  };
  return {
    inputs: MBAS.map((x, m) => ({
      mba: x.mba,
      inventories: inventories[m]!,
      icrLines: lines[m]!,
      kmpErrors,
    })),
    shipments,
    receipts,
  };
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let a = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    a = (Math.imul(a ^ (a >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    const j = a % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('closed world (property)', () => {
  it('with perfect measurements and no losses: MUF = 0, no alarm, every transfer matched', () => {
    fc.assert(
      fc.property(worldArb, ({ periods, moves }) => {
        const world = buildWorld(periods, moves, 0);
        for (const input of world.inputs) {
          for (const el of evaluateMba(input).elements) {
            expect(el.periods).toHaveLength(periods);
            for (const p of el.periods) {
              expect(p.exact.mufMg).toBe(0);
              expect(p.alarms).toEqual([]);
              expect(p.page).toBe(0);
            }
          }
        }
        const { matches, counts } = matchTransfers(world.shipments, world.receipts, { asOf: '2030-01-01' });
        expect(counts.matched).toBe(world.shipments.length);
        expect(matches.length).toBe(world.shipments.length);
        for (const m of matches) expect(m.srdMg).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('permuting report arrival order changes nothing', () => {
    fc.assert(
      fc.property(worldArb, fc.integer(), ({ periods, moves }, seed) => {
        const world = buildWorld(periods, moves, 0.01);
        for (const input of world.inputs) {
          const shuffled = {
            ...input,
            icrLines: shuffle(input.icrLines, seed),
            inventories: shuffle(input.inventories, seed + 1),
          };
          expect(evaluateMba(shuffled)).toEqual(evaluateMba(input));
        }
        const summary = (r: ReturnType<typeof matchTransfers>) =>
          new Map(
            r.matches.map((m) => [`${m.shipment?.id}/${m.receipt?.id}`, [m.status, m.srdMg, m.sigmaMg]]),
          );
        const a = matchTransfers(world.shipments, world.receipts, { asOf: '2024-02-15' });
        const b = matchTransfers(shuffle(world.shipments, seed), shuffle(world.receipts, seed + 2), {
          asOf: '2024-02-15',
        });
        expect(summary(b)).toEqual(summary(a));
        expect(b.counts).toEqual(a.counts);
      }),
      { numRuns: 60 },
    );
  });
});
