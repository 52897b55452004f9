import type { IcrLine, IcrReport, InventoryLine, IsoDate, PilReport } from '../reports/report.types.js';
import type { InventoryListing, KmpError } from './balance.js';
import { addDays, endOfMonth } from './dates.js';
import type { SourcedIcrLine } from './effective.js';
import type { MbaEvaluationInput } from './evaluate.js';

export interface ProtractedLossParameters {
  readonly seed: number;
  readonly mba?: string;
  readonly state?: string;
  /** First PIT (the initial report's date); PITs then fall at each following month end. */
  readonly start?: IsoDate;
  readonly periods?: number;
  /** Plutonium diverted each month, mg. Default 40 g ≈ 0.87 σMUF (σMUF ≈ 46 g here). */
  readonly lossPerPeriodMg?: number;
  /** The MBAs that feed and take the material (same state). */
  readonly upstreamMba?: string;
  readonly downstreamMba?: string;
}

export interface DemoKmp extends KmpError {
  readonly code: string;
  readonly kind: 'inventory' | 'flow';
  readonly description: string;
}

export interface ProtractedLossDataSet {
  readonly mba: string;
  readonly state: string;
  readonly kmps: readonly DemoKmp[];
  readonly initial: PilReport;
  readonly icrs: readonly IcrReport[];
  readonly pils: readonly PilReport[];
  readonly lossPerPeriodMg: number;
  /** The same data ready for evaluateMba. */
  readonly evaluationInput: MbaEvaluationInput;
}

/** mulberry32: a tiny deterministic generator; the seed is the only source of variation. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INVENTORY_BATCHES = 10;
const INVENTORY_BATCH_MG = 2_000_000;
const FLOW_BATCHES = 5;
const FLOW_BATCH_MG = 1_000_000;
/**
 * Measurement noise is drawn uniformly within ±NOISE_SCALE·δr of each batch, so that whatever
 * the seed the diversion, not the noise, decides the outcome the demo shows.
 */
const NOISE_SCALE = 0.1;

const KMPS: readonly DemoKmp[] = [
  {
    code: 'A',
    kind: 'flow',
    description: 'receipts, calorimetry + gamma spectrometry',
    random: 0.003,
    systematic: 0.001,
  },
  { code: 'B', kind: 'inventory', description: 'process inventory, NDA', random: 0.005, systematic: 0.002 },
  { code: 'C', kind: 'flow', description: 'shipments, titration', random: 0.003, systematic: 0.001 },
];

/**
 * A plutonium process MBA with monthly physical inventories from which a small amount is
 * diverted every month (default 40 g, about 0.9 σMUF): each MUF stays well inside 3·σMUF
 * (≤ 63 g against 3σ ≈ 139 g whatever the seed, since noise is bounded), but Page's test on
 * SITMUF (default k = 0.5, h = 5) accumulates the drift and alarms around the fifth month.
 * The year's total (480 g) stays below one SQ, so MUF_SQ and CUMUF_SQ stay silent too.
 * Deterministic in `seed`.
 */
export function generateProtractedLoss(params: ProtractedLossParameters): ProtractedLossDataSet {
  const random = createRandom(params.seed);
  const mba = params.mba ?? 'XPUP';
  const state = params.state ?? 'XX';
  const start = params.start ?? '2024-12-31';
  const periods = params.periods ?? 12;
  const loss = params.lossPerPeriodMg ?? 40_000;
  const upstream = params.upstreamMba ?? 'XFEED';
  const downstream = params.downstreamMba ?? 'XSTORE';
  const errorOf = (kmp: string): number => KMPS.find((k) => k.code === kmp)!.random;
  const measure = (trueMg: number, kmp: string): number =>
    Math.round(trueMg * (1 + (2 * random() - 1) * NOISE_SCALE * errorOf(kmp)));

  // True contents of the inventory batches; the diversion is taken evenly from them.
  const batches = Array.from({ length: INVENTORY_BATCHES }, () => INVENTORY_BATCH_MG);
  const listing = (p: number): InventoryLine[] =>
    batches.map((trueMg, i) => ({
      line: i + 1,
      batch: `${mba}-P${p}-${String(i + 1).padStart(2, '0')}`,
      kmp: 'B',
      element: 'P',
      weightMg: measure(trueMg, 'B'),
      basis: 'M',
      form: 'PH',
    }));
  const header = (reportNumber: number, reportDate: IsoDate) => ({
    mba,
    reportNumber,
    reportDate,
    reportingPerson: 'demo operator',
  });
  const initialLines = listing(0);
  const initial: PilReport = {
    ...header(1, addDays(start, 10)),
    type: 'INITIAL',
    pit: start,
    lineCount: initialLines.length,
    lines: initialLines,
  };
  const icrs: IcrReport[] = [];
  const pils: PilReport[] = [];
  let pit = start;
  for (let p = 1; p <= periods; p++) {
    const from = addDays(pit, 1);
    const to = endOfMonth(from);
    const lines: IcrLine[] = [];
    for (let i = 0; i < FLOW_BATCHES; i++) {
      lines.push({
        line: lines.length + 1,
        date: addDays(from, 2 + i),
        code: 'RD',
        batch: `${upstream}-${p}-${i + 1}`,
        kmp: 'A',
        element: 'P',
        weightMg: measure(FLOW_BATCH_MG, 'A'),
        basis: 'M',
        form: 'PH',
        counterpart: { state, mba: upstream },
      });
    }
    // The plant ships what it received less the month's diversion, so the true inventory holds.
    const shipped = FLOW_BATCHES * FLOW_BATCH_MG - loss;
    for (let i = 0; i < FLOW_BATCHES; i++) {
      const trueMg =
        Math.round(shipped / FLOW_BATCHES) +
        (i === 0 ? shipped - FLOW_BATCHES * Math.round(shipped / FLOW_BATCHES) : 0);
      lines.push({
        line: lines.length + 1,
        date: addDays(from, 15 + i),
        code: 'SD',
        batch: `${mba}-S-${p}-${i + 1}`,
        kmp: 'C',
        element: 'P',
        weightMg: measure(trueMg, 'C'),
        basis: 'M',
        form: 'PH',
        counterpart: { state, mba: downstream },
      });
    }
    icrs.push({
      ...header(p, addDays(to, 10)),
      type: 'ICR',
      period: { from, to },
      lineCount: lines.length,
      lines,
    });
    const pilLines = listing(p);
    pils.push({
      ...header(p, addDays(to, 10)),
      type: 'PIL',
      pit: to,
      lineCount: pilLines.length,
      lines: pilLines,
    });
    pit = to;
  }
  const inventories: InventoryListing[] = [
    { date: initial.pit, kind: 'INITIAL', lines: initial.lines },
    ...pils.map((r) => ({ date: r.pit, kind: 'PIL' as const, lines: r.lines })),
  ];
  const icrLines: SourcedIcrLine[] = icrs.flatMap((r) =>
    r.lines.map((l) => ({ ...l, reportNumber: r.reportNumber, acceptedSeq: r.reportNumber })),
  );
  const kmpErrors = Object.fromEntries(
    KMPS.map((k) => [k.code, { random: k.random, systematic: k.systematic }]),
  );
  return {
    mba,
    state,
    kmps: KMPS,
    initial,
    icrs,
    pils,
    lossPerPeriodMg: loss,
    evaluationInput: { mba, inventories, icrLines, kmpErrors },
  };
}
