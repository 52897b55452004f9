import {
  bookedReceiptOf,
  computeEffectiveLines,
  DEFAULT_CODE_SIGNS,
  type FlowSums,
  type InventoryCell,
  type InventoryListing,
  KmpDayCounts,
  type SourcedIcrLine,
  sumMbaLines,
} from '../domain/accounting/index.js';
import {
  isNoticeFlow,
  matchHashOf,
  SHIPMENT_CODES,
  transferFlowOf,
  transferLineOf,
} from '../domain/transfers/index.js';
import { readRevisionLinesOfMba } from '../store/account-lines.repo.js';
import {
  readAccountingReports,
  readBuildStatus,
  readMbaFacts,
  readReportLines,
} from '../store/accounting.repo.js';
import type { DbOrTx } from '../store/db.js';
import { differingEventFigures } from '../store/device-events.repo.js';
import { differingDeliveredFigures } from '../store/federation.repo.js';
import { readKmpDays } from '../store/kmp-days.repo.js';
import { readNoticeLinesOfMba, readNoticeRefsOfMba } from '../store/notice-lines.repo.js';
import { differingUnreadFigures } from '../store/notifications.repo.js';
import { readJudgedReportsOfMba, readObligationFirstsOfMba, subjectOf } from '../store/obligations.repo.js';
import { toIcrLine, toInventoryLine } from '../store/reports.repo.js';
import { COUNT_KIND, readCounts } from '../store/transfer-counts.repo.js';
import { countRowsPerMba, readRowsByKeys } from '../store/transfers.repo.js';
import { readMbaSums } from './evaluation/balances.js';
import { CountDeltas, countsOf, factsReader, recsOf } from './evaluation/transfer-lines.js';

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
  const rowsPerMba = await countRowsPerMba(q);
  const fx = factsReader(q);
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
    const inForce = computeEffectiveLines(icrLines).entries;
    findings.push(...(await auditKmpDays(q, mba, inForce)));
    findings.push(...(await auditRevisionLines(q, mba, inForce)));
    findings.push(...(await auditObligationFirsts(q, mba)));
    findings.push(...(await auditTransfers(q, facts, inForce, rowsPerMba.get(mba) ?? 0, fx)));
    rowsPerMba.delete(mba);
  }
  for (const [mba, n] of rowsPerMba) {
    findings.push({ where: `${mba} transfers`, message: `${n} transfer lines are held for an unknown MBA` });
  }
  for (const u of await differingUnreadFigures(q)) {
    findings.push({
      where: `user ${u.user} inbox`,
      message: `the inbox holds ${u.counted} unread items, the figure kept says ${u.kept}`,
    });
  }
  for (const d of await differingDeliveredFigures(q)) {
    findings.push({
      where: `peer ${d.peer} delivered`,
      message: `its outbox holds ${d.counted} delivered rows (last ${d.countedAt ?? 'never'}), the figures kept say ${d.kept} (last ${d.keptAt ?? 'never'})`,
    });
  }
  for (const d of await differingEventFigures(q)) {
    findings.push({
      where: `device ${d.device} events`,
      message:
        d.kept === null
          ? `${d.counted} events are held for an unknown device`
          : `it holds ${d.counted} events, the figure kept says ${d.kept}`,
    });
  }
  return findings;
}

/** An MBA's gate counts (lines in force per KMP, day and code) against its lines in force. */
async function auditKmpDays(
  q: DbOrTx,
  mba: string,
  inForce: ReturnType<typeof computeEffectiveLines>['entries'],
): Promise<DerivedFinding[]> {
  const counts = new KmpDayCounts();
  for (const entry of inForce) if (entry.current !== undefined) counts.add(entry.current);
  const key = (c: { kmp: string; day: string; code: string }) => `${c.kmp} ${c.day} ${c.code}`;
  return compareCounts(
    new Map([...counts.values()].map((c) => [key(c), c.n])),
    (await readKmpDays(q, mba)).map((c) => [key(c), c.n]),
    `${mba} KMP day`,
    'its lines in force',
  );
}

/**
 * An MBA's correction histories (icr_revision_lines, decision 0088) against its lines: each line
 * that corrected or deleted another is held under the original the effective account folds it
 * into, and no other line is held.
 */
async function auditRevisionLines(
  q: DbOrTx,
  mba: string,
  inForce: ReturnType<typeof computeEffectiveLines>['entries'],
): Promise<DerivedFinding[]> {
  const want = new Set<string>();
  for (const e of inForce) {
    for (const h of e.history.slice(1))
      want.add(`${e.origin.reportNumber}:${e.origin.line} <- ${h.reportNumber}:${h.line}`);
  }
  return compareKeys(
    want,
    (await readRevisionLinesOfMba(q, mba)).map(
      (r) => `${r.origin_report}:${r.origin_line} <- ${r.report_number}:${r.line}`,
    ),
    `${mba} revision`,
    {
      extra: 'its lines do not revise that original so',
      missing: 'a correction or deletion is not in its history',
    },
  );
}

/**
 * An MBA's first acceptances (obligation_firsts, decision 0089) against its accepted reports:
 * per state, type and subject, the earliest submission, and no row for a subject without one.
 */
async function auditObligationFirsts(q: DbOrTx, mba: string): Promise<DerivedFinding[]> {
  const first = new Map<string, string>();
  for (const r of await readJudgedReportsOfMba(q, mba)) {
    const k = `${r.state} ${r.type} ${subjectOf(r)}`;
    const at = first.get(k);
    if (at === undefined || r.submitted_at < at) first.set(k, r.submitted_at);
  }
  return compareKeys(
    new Set([...first].map(([k, at]) => `${k} at ${at}`)),
    (await readObligationFirstsOfMba(q, mba)).map(
      (r) => `${r.state} ${r.type} ${r.subject} at ${r.first_at}`,
    ),
    `${mba} first acceptance`,
    {
      extra: 'no accepted report is the first of that subject at that time',
      missing: 'the first accepted report of that subject is not held',
    },
  );
}

/**
 * Held entries against the entries their source gives (`want`): each held one the source does
 * not give (`extra`), and each the source gives that is not held (`missing`), named `<where> <key>`.
 */
function compareKeys(
  want: ReadonlySet<string>,
  held: Iterable<string>,
  where: string,
  messages: { readonly extra: string; readonly missing: string },
): DerivedFinding[] {
  const findings: DerivedFinding[] = [];
  const left = new Set(want);
  for (const k of held)
    if (!left.delete(k)) findings.push({ where: `${where} ${k}`, message: messages.extra });
  for (const k of left) findings.push({ where: `${where} ${k}`, message: messages.missing });
  return findings;
}

/**
 * Held counts against the counts their source gives (`want`, by key): each held count that
 * differs, and each count the source gives that is not held, named `<where> <key>`.
 */
function compareCounts(
  want: Map<string, number>,
  held: Iterable<readonly [string, number]>,
  where: string,
  source: string,
): DerivedFinding[] {
  const findings: DerivedFinding[] = [];
  const left = new Map(want);
  for (const [k, n] of held) {
    if (left.get(k) !== n)
      findings.push({
        where: `${where} ${k}`,
        message: `${source} give ${left.get(k) ?? 0}, the count is ${n}`,
      });
    left.delete(k);
  }
  for (const [k, n] of left)
    findings.push({ where: `${where} ${k}`, message: `${source} give ${n}, no count is held` });
  return findings;
}

/**
 * An MBA's transfer rows against its lines: every transfer line in force has its row (found by
 * its match key's hash and origin) and reads back equal, no other row is held for the MBA, and
 * the MBA's counts equal what its rows add up to.
 */
async function auditTransfers(
  q: DbOrTx,
  facts: Parameters<typeof transferLineOf>[0] & { code: string },
  inForce: ReturnType<typeof computeEffectiveLines>['entries'],
  held: number,
  fx: ReturnType<typeof factsReader>,
): Promise<DerivedFinding[]> {
  const mba = facts.code;
  const findings: DerivedFinding[] = [];
  const expected = new Map<string, ReturnType<typeof transferLineOf> & object>();
  for (const entry of inForce) {
    if (entry.current === undefined) continue;
    const line = transferLineOf(facts, entry.current, bookedReceiptOf(entry, DEFAULT_CODE_SIGNS));
    if (line !== undefined) expected.set(`${entry.origin.reportNumber}:${entry.origin.line}`, line);
  }
  const keys = [...expected.values()].map((l) => matchHashOf(l, SHIPMENT_CODES.has(l.code)));
  const rows = (await readRowsByKeys(q, undefined, [...new Set(keys)])).filter((r) => r.mba === mba);
  const recs = await recsOf(q, rows, fx);
  const deltas = new CountDeltas();
  for (const x of recs) {
    countsOf(x, 1, deltas);
    const want = expected.get(`${x.report}:${x.line}`);
    if (want === undefined || JSON.stringify(want) !== JSON.stringify(x.t)) {
      findings.push({
        where: `${mba} transfer ${x.t.id}`,
        message: 'the transfer line in force differs from its lines',
      });
    } else if (x.flow !== (transferFlowOf(want, x.ship) ?? null)) {
      findings.push({
        where: `${mba} transfer ${x.t.id}`,
        message: `the row's flow is ${JSON.stringify(x.flow)}, its line gives ${JSON.stringify(transferFlowOf(want, x.ship) ?? null)}`,
      });
    }
    expected.delete(`${x.report}:${x.line}`);
  }
  for (const line of expected.values()) {
    findings.push({ where: `${mba} transfer ${line.id}`, message: 'a transfer line in force has no row' });
  }
  if (held !== recs.length) {
    findings.push({
      where: `${mba} transfers`,
      message: `${held} transfer lines are held, its lines give ${recs.length}`,
    });
  }
  findings.push(...(await auditNoticeLines(q, mba, recs)));
  findings.push(
    ...compareCounts(
      new Map(
        [...deltas.values()].filter((d) => d.n !== 0).map((d) => [`${d.kind} ${d.day} ${d.element}`, d.n]),
      ),
      (await readCounts(q, [mba], Object.values(COUNT_KIND))).map((c) => [
        `${c.kind} ${c.day} ${c.element}`,
        c.n,
      ]),
      `${mba} transfer count`,
      'its rows',
    ),
  );
  return findings;
}

/**
 * An MBA's entries by date of its rows in notice flows (eval_notice_lines, decision 0086) against
 * its rows: one entry per row of an export or import flow, dated as its line in force, and no
 * other; and the same entries of the lines that name a notice under that notice (eval_notice_refs,
 * decision 0091).
 */
async function auditNoticeLines(
  q: DbOrTx,
  mba: string,
  recs: readonly {
    flow: string | null;
    report: number;
    line: number;
    t: { date: string; notice?: string };
  }[],
): Promise<DerivedFinding[]> {
  const key = (flow: string, day: string, report: number, line: number) =>
    `${flow.replaceAll('\u0001', '>')} ${day} ${report}:${line}`;
  const want = new Set<string>();
  const wantRefs = new Set<string>();
  for (const x of recs) {
    if (x.flow === null || !isNoticeFlow(x.flow)) continue;
    want.add(key(x.flow, x.t.date, x.report, x.line));
    if (x.t.notice !== undefined) wantRefs.add(`${x.t.notice} ${key(x.flow, x.t.date, x.report, x.line)}`);
  }
  return [
    ...compareKeys(
      want,
      (await readNoticeLinesOfMba(q, mba)).map((e) => key(e.flow, e.day, e.report, e.line)),
      `${mba} notice line`,
      { extra: 'no row of its flow is dated so', missing: 'a row of a notice flow has no entry by date' },
    ),
    ...compareKeys(
      wantRefs,
      (await readNoticeRefsOfMba(q, mba)).map((e) => `${e.notice} ${key(e.flow, e.day, e.report, e.line)}`),
      `${mba} notice reference`,
      {
        extra: 'no row of its flow names that notice so',
        missing: 'a row naming a notice is not held under it',
      },
    ),
  ];
}
