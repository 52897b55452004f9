import {
  bookedReceiptOf,
  computeEffectiveLines,
  DEFAULT_CODE_SIGNS,
  type FlowSums,
  type InventoryCell,
  type InventoryListing,
  type SourcedIcrLine,
  sumMbaLines,
} from '../domain/accounting/index.js';
import { transferLineOf } from '../domain/transfers/index.js';
import {
  readAccountingReports,
  readBuildStatus,
  readMbaFacts,
  readReportLines,
} from '../store/accounting.repo.js';
import type { DbOrTx } from '../store/db.js';
import { toIcrLine, toInventoryLine } from '../store/reports.repo.js';
import { readTransfersOf } from '../store/transfers.repo.js';
import { readMbaSums } from './evaluation/balances.js';

export interface DerivedFinding {
  /** The MBA and what of its derived state. */
  readonly where: string;
  readonly message: string;
}

const FIELDS = ['n', 'w', 'f', 'sw', 'sq', 'srd', 'srdF', 'abs', 'isoJ'] as const;

function describe(s: Partial<FlowSums> | undefined): string {
  return s === undefined ? 'nothing' : FIELDS.map((k) => `${k}=${String(s[k] ?? '-')}`).join(' ');
}

function differs(a: Partial<FlowSums> | undefined, b: Partial<FlowSums> | undefined): boolean {
  return FIELDS.some((k) => String(a?.[k] ?? '') !== String(b?.[k] ?? ''));
}

function keyed<T extends Partial<FlowSums>>(
  rows: readonly T[],
  key: (r: T) => string,
): Map<string, Partial<FlowSums>> {
  const out = new Map<string, Partial<FlowSums>>();
  for (const r of rows) {
    if (r.n === 0) continue;
    const k = key(r);
    const acc = out.get(k) ?? { n: 0, w: 0, f: 0, sw: 0, sq: 0n, srd: 0, srdF: 0, abs: 0, isoJ: 0 };
    for (const f of FIELDS) {
      const v = r[f];
      if (v === undefined) continue;
      if (f === 'sq') acc.sq = (acc.sq ?? 0n) + (v as bigint);
      else (acc as Record<string, number>)[f] = ((acc as Record<string, number>)[f] ?? 0) + (v as number);
    }
    out.set(k, acc);
  }
  return out;
}

/**
 * `custos audit`, derived state (docs/decisions/0010): for every MBA, the sums its evaluation
 * reads — cells per period, element, code and KMP, inventory sums — and its transfer lines in
 * force are computed again from its stored lines by the pure engine (sumMbaLines, the oracle)
 * and compared with the tables. One MBA at a time: the audit holds one MBA's lines, the
 * evaluation never does. A derived state still being built (eval_status) is not compared.
 */
export async function auditDerivedState(q: DbOrTx): Promise<DerivedFinding[]> {
  if (!(await readBuildStatus(q)))
    return [{ where: 'eval_status', message: 'the derived state is still being built' }];
  const findings: DerivedFinding[] = [];
  const transfers = new Map((await readTransfersOf(q)).map((t) => [t.line.id, t]));
  for (const facts of await readMbaFacts(q)) {
    const mba = facts.code;
    const inventories: InventoryListing[] = [];
    const icrLines: SourcedIcrLine[] = [];
    for (const r of await readAccountingReports(q, mba)) {
      const rows = await readReportLines(q, r.id);
      if (r.type === 'ICR')
        for (const row of rows) icrLines.push({ ...toIcrLine(row), reportNumber: r.reportNumber });
      else if (r.pit !== null) inventories.push({ date: r.pit, lines: rows.map(toInventoryLine) });
    }
    const expected = sumMbaLines(inventories, icrLines);
    const stored = await readMbaSums(q, mba);
    const cellKey = (c: { element: string; period: number; code: string; kmp: string }) =>
      `${c.element} period ${c.period} ${c.code} ${c.kmp}`;
    const invKey = (c: InventoryCell) => `${c.pit} ${c.element} ${c.kmp}`;
    for (const [what, want, have] of [
      ['cell', keyed(expected.cells, cellKey), keyed(stored.cells, cellKey)],
      ['inventory', keyed(expected.inventories, invKey), keyed(stored.inventories, invKey)],
    ] as const) {
      for (const k of new Set([...want.keys(), ...have.keys()])) {
        if (differs(want.get(k), have.get(k))) {
          findings.push({
            where: `${mba} ${what} ${k}`,
            message: `its lines give ${describe(want.get(k))}, the derived state holds ${describe(have.get(k))}`,
          });
        }
      }
    }
    const view = computeEffectiveLines(icrLines);
    for (const entry of view.entries) {
      if (entry.current === undefined) continue;
      const line = transferLineOf(facts, entry.current, bookedReceiptOf(entry, DEFAULT_CODE_SIGNS));
      if (line === undefined) continue;
      const t = transfers.get(line.id);
      if (t === undefined || JSON.stringify(t.line) !== JSON.stringify(line)) {
        findings.push({
          where: `${mba} transfer ${line.id}`,
          message: 'the transfer line in force differs from its lines',
        });
      }
      transfers.delete(line.id);
    }
  }
  for (const id of transfers.keys()) {
    findings.push({
      where: `transfer ${id}`,
      message: 'a transfer line is held that no line in force gives',
    });
  }
  return findings;
}
