/**
 * Timing of the evaluation engine (not a test): `npx tsx src/domain/accounting/evaluate.bench.ts`.
 * Builds 1 000 MBAs × 12 monthly periods × 100 ICR lines (1.2 M lines) synthetically, evaluates
 * them all (effective view, balances, σMUF, covariance, SITMUF, Page, alarms), re-evaluates one
 * MBA after one new ICR, and matches 1 M transfers.
 */
import { performance } from 'node:perf_hooks';
import type { TransferLine } from '../transfers/index.js';
import { matchTransfers } from '../transfers/index.js';
import { addDays, endOfMonth } from './dates.js';
import type { SourcedIcrLine } from './effective.js';
import { evaluateMba, type MbaEvaluationInput } from './evaluate.js';

const MBAS = 1000;
const PERIODS = 12;
const LINES = 100;
const INVENTORY_ITEMS = 20;
const CODES = ['RD', 'RF', 'SD', 'SF', 'LD', 'TW'];
const kmpErrors = {
  I: { random: 0.005, systematic: 0.002 },
  R: { random: 0.003, systematic: 0.001 },
  S: { random: 0.003, systematic: 0.001 },
  W: { random: 0.2, systematic: 0.1 },
};

let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};

const pits = ['2023-12-31'];
for (let p = 0; p < PERIODS; p++) pits.push(endOfMonth(addDays(pits[p]!, 1)));
const days: string[][] = pits
  .slice(0, PERIODS)
  .map((pit) => Array.from({ length: 28 }, (_, d) => addDays(pit, d + 1)));

function buildMba(m: number): MbaEvaluationInput {
  const icrLines: SourcedIcrLine[] = [];
  const inventories = pits.map((date, p) => ({
    date,
    lines: Array.from({ length: INVENTORY_ITEMS }, (_, i) => ({
      line: i + 1,
      batch: `M${m}-${p}-${i}`,
      kmp: 'I',
      element: 'E' as const,
      weightMg: 50_000_000 + Math.floor(rand() * 1_000_000),
      fissileMg: 2_000_000,
    })),
  }));
  for (let p = 0; p < PERIODS; p++) {
    for (let l = 0; l < LINES; l++) {
      const code = CODES[l % CODES.length]!;
      icrLines.push({
        reportNumber: p + 1,
        acceptedSeq: p + 1,
        line: l + 1,
        date: days[p]![l % 28]!,
        code,
        batch: `M${m}-${p}-L${l}`,
        kmp: code[0] === 'R' ? 'R' : code[0] === 'S' ? 'S' : 'W',
        element: 'E',
        weightMg: 1_000_000 + Math.floor(rand() * 100_000),
        fissileMg: 40_000,
      });
    }
  }
  return { mba: `M${m}`, inventories, icrLines, kmpErrors };
}

function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  console.log(`${label}: ${(performance.now() - t0).toFixed(0)} ms`);
  return out;
}

const inputs = time('build 1 000 MBAs × 12 periods × 100 lines (1.2 M lines)', () =>
  Array.from({ length: MBAS }, (_, m) => buildMba(m)),
);
let alarms = 0;
time('full evaluation (effective view, balances, σMUF, covariance, SITMUF, Page, alarms)', () => {
  for (const input of inputs) {
    for (const el of evaluateMba(input).elements) for (const p of el.periods) alarms += p.alarms.length;
  }
});
console.log(`  alarms raised: ${alarms}`);

const one = inputs[0]!;
const withNew: MbaEvaluationInput = {
  ...one,
  icrLines: [
    ...one.icrLines,
    {
      reportNumber: 13,
      acceptedSeq: 13,
      line: 1,
      date: '2024-06-10',
      code: 'LD',
      batch: 'new',
      kmp: 'W',
      element: 'E',
      weightMg: 5_000,
      corrects: { reportNumber: 6, line: 5 },
    },
  ],
};
evaluateMba(withNew);
const runs = 50;
const t0 = performance.now();
for (let i = 0; i < runs; i++) evaluateMba(withNew);
console.log(`re-evaluation of one MBA after one new ICR: ${((performance.now() - t0) / runs).toFixed(2)} ms`);

const N = 1_000_000;
const { shipments, receipts } = time('build 1 M transfers', () => {
  const shipments: TransferLine[] = new Array(N);
  const receipts: TransferLine[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const foreign = i % 3 === 0;
    const s = `S${i % 500}`;
    const r = `R${(i * 7) % 500}`;
    const date = days[i % PERIODS]![i % 28]!;
    const w = 1_000_000 + (i % 1000);
    const common = {
      batch: `B${i}`,
      element: 'E' as const,
      date,
      weightMg: w,
      random: 0.003,
      systematic: 0.001,
    };
    const notice = foreign ? { notice: `N${i}` } : {};
    shipments[i] = {
      id: `s${i}`,
      state: 'AA',
      mba: s,
      counterpart: { state: foreign ? 'BB' : 'AA', mba: r },
      code: foreign ? 'SF' : 'SD',
      ...common,
      ...notice,
    };
    receipts[N - 1 - i] = {
      id: `r${i}`,
      state: foreign ? 'BB' : 'AA',
      mba: r,
      counterpart: { state: 'AA', mba: s },
      code: foreign ? 'RF' : 'RD',
      ...common,
      weightMg: w - (i % 5),
      ...notice,
    };
  }
  return { shipments, receipts };
});
const result = time('matching of 1 M transfers', () =>
  matchTransfers(shipments, receipts, { asOf: '2025-06-01' }),
);
console.log('  statuses:', JSON.stringify(result.counts));
console.log(`  heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
