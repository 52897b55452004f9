import type { ElementCode, InventoryLine } from '../reports/report.types.js';
import type { InventoryListing } from './balance.js';
import type { SourcedIcrLine } from './effective.js';
import type { MbaEvaluationInput } from './evaluate.js';

/** Test fixture helpers (not exported from index.ts). */
export function item(
  batch: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
  fissileMg?: number,
): InventoryLine {
  return { line: 1, batch, kmp, element, weightMg, ...(fissileMg !== undefined ? { fissileMg } : {}) };
}

export function icr(
  reportNumber: number,
  line: number,
  date: string,
  code: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
  extra: Partial<SourcedIcrLine> = {},
): SourcedIcrLine {
  return {
    reportNumber,
    acceptedSeq: reportNumber,
    line,
    date,
    code,
    batch: `B${reportNumber}-${line}`,
    kmp,
    element,
    weightMg,
    ...extra,
  };
}

/**
 * The golden multi-period sequence (hand computation in statistics.test.ts): one plutonium MBA,
 * three monthly periods, a shared inventory KMP with a systematic error.
 *   KMP INV (inventory): δr = 1 %,  δs = 0.5 %
 *   KMP IN  (receipts):  δr = 2 %,  δs = 1 %
 *   KMP OUT (shipments): δr = 1 %,  δs = 0
 *   inventories 1000, 1000, 1100, 1000 g; receipts 500 g a month; shipments 460, 360, 560 g
 *   MUF_p = 40 g in every period.
 */
export function goldenSequence(): MbaEvaluationInput {
  const inv = (date: string, g: number): InventoryListing => ({
    date,
    lines: [item(`I-${date}`, 'INV', 'P', g * 1000)],
  });
  return {
    mba: 'GOLD',
    inventories: [
      inv('2024-01-31', 1000),
      inv('2024-02-29', 1000),
      inv('2024-03-31', 1100),
      inv('2024-04-30', 1000),
    ],
    icrLines: [
      icr(1, 1, '2024-02-05', 'RD', 'IN', 'P', 500_000),
      icr(1, 2, '2024-02-20', 'SD', 'OUT', 'P', 460_000),
      icr(2, 1, '2024-03-05', 'RD', 'IN', 'P', 500_000),
      icr(2, 2, '2024-03-20', 'SD', 'OUT', 'P', 360_000),
      icr(3, 1, '2024-04-05', 'RD', 'IN', 'P', 500_000),
      icr(3, 2, '2024-04-20', 'SD', 'OUT', 'P', 560_000),
    ],
    kmpErrors: {
      INV: { random: 0.01, systematic: 0.005 },
      IN: { random: 0.02, systematic: 0.01 },
      OUT: { random: 0.01, systematic: 0 },
    },
  };
}
