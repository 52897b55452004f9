import {
  bookedReceiptOf,
  computeEffectiveLines,
  DEFAULT_CODE_SIGNS,
  type EffectiveEntry,
  FlowCellSums,
  type FlowSums,
  type InventoryCell,
  inventorySums,
  KmpDayCounts,
  type SourcedIcrLine,
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
  readRevisingLines,
} from '../store/accounting.repo.js';
import type { DbOrTx } from '../store/db.js';
import { differingEventFigures } from '../store/device-events.repo.js';
import { differingDeliveredFigures } from '../store/federation.repo.js';
import { readKmpDays } from '../store/kmp-days.repo.js';
import { readNoticeLinesOfMba, readNoticeRefsOfMba } from '../store/notice-lines.repo.js';
import { differingUnreadFigures } from '../store/notifications.repo.js';
import { readJudgedReportsOfMba, readObligationFirstsOfMba, subjectOf } from '../store/obligations.repo.js';
import { reportLinePages, toIcrLine, toInventoryLine } from '../store/reports.repo.js';
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

/** Lines read per statement, and transfer lines in force looked up at once, by the audit (tests make it small). */
const CHUNK = 5000;

/** (report number, line) as a key. */
const placeOf = (reportNumber: number, line: number | undefined) => `${reportNumber}:${line}`;

/**
 * `custos audit`, derived state (docs/decisions/0010): for every MBA, the sums its evaluation
 * reads — cells per period, element, code and KMP, inventory sums — and its transfer lines in
 * force are computed again from its stored lines by the pure engine's rules (the effective
 * account and FlowCellSums, sumMbaLines' fold) and compared with the tables. One MBA at a time,
 * a chunk of its lines at a time (decision 0111). A derived state still being built
 * (eval_status) is not compared.
 */
export async function auditDerivedState(
  q: DbOrTx,
  options: { readonly chunk?: number } = {},
): Promise<DerivedFinding[]> {
  const chunk = options.chunk ?? CHUNK;
  if (!(await readBuildStatus(q)))
    return [{ where: 'eval_status', message: 'the derived state is still being built' }];
  const findings: DerivedFinding[] = [];
  const rowsPerMba = await countRowsPerMba(q);
  const fx = factsReader(q);
  for (const facts of await readMbaFacts(q)) {
    findings.push(...(await auditMba(q, facts, rowsPerMba.get(facts.code) ?? 0, fx, chunk)));
    rowsPerMba.delete(facts.code);
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

/**
 * One MBA's derived state against its lines, holding a chunk of its lines at a time whatever its
 * history (decision 0111). The lines that correct or delete another and the lines they name go
 * through the effective account together (computeEffectiveLines: a correction follows its chain
 * to the original); every other ICR line is in force as accepted, so it is folded in as it is
 * read. Report numbers are unique per MBA and type, so that split gives the entries
 * computeEffectiveLines gives over all of the MBA's lines.
 */
async function auditMba(
  q: DbOrTx,
  facts: Parameters<typeof transferLineOf>[0] & { code: string },
  held: number,
  fx: ReturnType<typeof factsReader>,
  chunk: number,
): Promise<DerivedFinding[]> {
  const mba = facts.code;
  const findings: DerivedFinding[] = [];
  const reports = await readAccountingReports(q, mba);
  const pits: string[] = [];
  const inventories: InventoryCell[] = [];
  for (const r of reports) {
    if (r.type === 'ICR' || r.pit === null) continue;
    pits.push(r.pit);
    // A chunk's cells add up with the other chunks' (keyed).
    for await (const rows of reportLinePages(q, r.id, chunk))
      inventories.push(...inventorySums({ date: r.pit, lines: rows.map(toInventoryLine) }));
  }
  pits.sort();
  const icr = reports.filter((r) => r.type === 'ICR');
  const revising: SourcedIcrLine[] = [];
  const named = new Set<string>();
  for (const r of icr) {
    for (const row of await readRevisingLines(q, r.id)) {
      const line: SourcedIcrLine = { ...toIcrLine(row), reportNumber: r.reportNumber };
      revising.push(line);
      const target = line.corrects ?? line.deletes;
      if (target !== undefined) named.add(placeOf(target.reportNumber, target.line));
    }
  }
  const revisingPlaces = new Set(revising.map((l) => placeOf(l.reportNumber, l.line)));
  const cells = new FlowCellSums(pits);
  const kmpDays = new KmpDayCounts();
  const transfers = transferAudit(q, facts, fx);
  const fold = (entry: EffectiveEntry) => {
    cells.add(entry);
    if (entry.current !== undefined) kmpDays.add(entry.current);
    transfers.expect(entry);
  };
  const revised: SourcedIcrLine[] = [...revising];
  for (const r of icr) {
    for await (const rows of reportLinePages(q, r.id, chunk)) {
      for (const row of rows) {
        const place = placeOf(r.reportNumber, row.line);
        if (revisingPlaces.has(place)) continue;
        const line: SourcedIcrLine = { ...toIcrLine(row), reportNumber: r.reportNumber };
        if (named.has(place)) revised.push(line);
        else
          fold({ origin: { reportNumber: r.reportNumber, line: row.line }, current: line, history: [line] });
      }
      await transfers.check(chunk);
    }
  }
  const revisions = new Set<string>();
  for (const e of computeEffectiveLines(revised).entries) {
    fold(e);
    for (const h of e.history.slice(1))
      revisions.add(`${e.origin.reportNumber}:${e.origin.line} <- ${h.reportNumber}:${h.line}`);
  }
  await transfers.check(0);
  const stored = await readMbaSums(q, mba);
  const cellKey = (c: { element: string; period: number; code: string; kmp: string }) =>
    `${c.element} period ${c.period} ${c.code} ${c.kmp}`;
  const invKey = (c: InventoryCell) => `${c.pit} ${c.element} ${c.kmp}`;
  for (const [what, want, have] of [
    ['cell', keyed(cells.cells(), cellKey), keyed(stored.cells, cellKey)],
    ['inventory', keyed(inventories, invKey), keyed(stored.inventories, invKey)],
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
  findings.push(...(await auditKmpDays(q, mba, kmpDays)));
  findings.push(...(await auditRevisionLines(q, mba, revisions)));
  findings.push(...(await auditObligationFirsts(q, mba)));
  findings.push(...(await transfers.finish(held)));
  return findings;
}

/** An MBA's gate counts (lines in force per KMP, day and code) against its lines in force. */
async function auditKmpDays(q: DbOrTx, mba: string, counts: KmpDayCounts): Promise<DerivedFinding[]> {
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
 * into (`want`: "origin <- revising line"), and no other line is held.
 */
async function auditRevisionLines(
  q: DbOrTx,
  mba: string,
  want: ReadonlySet<string>,
): Promise<DerivedFinding[]> {
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
 * An MBA's transfer rows against its lines, a chunk of lines in force at a time: every transfer
 * line in force has its row (found by its match key's hash and origin) and reads back equal, a
 * row is held once, the MBA holds no other row (`held`, its rows counted), and the MBA's counts
 * equal what its rows add up to. `check(n)` looks up the expected lines once `n` are waiting.
 */
function transferAudit(
  q: DbOrTx,
  facts: Parameters<typeof transferLineOf>[0] & { code: string },
  fx: ReturnType<typeof factsReader>,
) {
  const mba = facts.code;
  const findings: DerivedFinding[] = [];
  const deltas = new CountDeltas();
  const flows: Parameters<typeof auditNoticeLines>[2][number][] = [];
  let waiting = new Map<string, ReturnType<typeof transferLineOf> & object>();
  let seen = 0;
  return {
    expect(entry: EffectiveEntry): void {
      if (entry.current === undefined) return;
      const line = transferLineOf(facts, entry.current, bookedReceiptOf(entry, DEFAULT_CODE_SIGNS));
      if (line !== undefined) waiting.set(placeOf(entry.origin.reportNumber, entry.origin.line), line);
    },
    async check(atLeast: number): Promise<void> {
      if (waiting.size === 0 || waiting.size < atLeast) return;
      const expected = waiting;
      waiting = new Map();
      const places = new Set(expected.keys());
      const keys = [...expected.values()].map((l) => matchHashOf(l, SHIPMENT_CODES.has(l.code)));
      // A key's rows of other lines of the MBA are checked with their own chunk.
      const rows = (await readRowsByKeys(q, undefined, [...new Set(keys)])).filter(
        (r) => r.mba === mba && places.has(placeOf(r.report, r.line)),
      );
      for (const x of await recsOf(q, rows, fx)) {
        seen++;
        countsOf(x, 1, deltas);
        const want = expected.get(placeOf(x.report, x.line));
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
        expected.delete(placeOf(x.report, x.line));
        if (x.flow !== null && isNoticeFlow(x.flow))
          flows.push({
            flow: x.flow,
            report: x.report,
            line: x.line,
            t: { date: x.t.date, notice: x.t.notice },
          });
      }
      for (const line of expected.values()) {
        findings.push({
          where: `${mba} transfer ${line.id}`,
          message: 'a transfer line in force has no row',
        });
      }
    },
    async finish(held: number): Promise<DerivedFinding[]> {
      if (held !== seen) {
        findings.push({
          where: `${mba} transfers`,
          message: `${held} transfer lines are held, its lines give ${seen}`,
        });
      }
      findings.push(...(await auditNoticeLines(q, mba, flows)));
      findings.push(
        ...compareCounts(
          new Map(
            [...deltas.values()]
              .filter((d) => d.n !== 0)
              .map((d) => [`${d.kind} ${d.day} ${d.element}`, d.n]),
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
    },
  };
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
