import { sql } from 'kysely';
import type { ElementCode, IcrLine, LineRef, Milligrams, ReportType } from '../domain/reports/index.js';
import type { Db, DbOrTx, Dialect } from './db.js';
import { inForceAsAccepted, revisedLinesInForce } from './lines-in-force.js';
import { pgArray } from './pg-arrays.js';
import { withIndexProbes } from './pg-probes.js';
import type { ReportLineRow } from './schema.types.js';

/**
 * What validation asks of an MBA's account, answered by indexed queries (docs/decisions/0011):
 * only about the report numbers, lines, batches and notices the submitted report names, and
 * the effective ICR lines of one balance period. Nothing here reads an MBA's whole history.
 *
 * "In force" follows domain/accounting/effective.ts: a line nobody revised is in force as
 * accepted; for a revised original, `icr_revisions` names the line now in force (or that it was
 * deleted), kept in the transaction that stores each ICR (recordRevisions).
 */

/** Where a line stands in effective order: the (report number, line) of its original. */
export interface Position {
  readonly reportNumber: number;
  readonly line: number;
}

export function comparePositions(a: Position, b: Position): number {
  return a.reportNumber - b.reportNumber || a.line - b.line;
}

/** An ICR line in force that names one of the asked batches, at its place in effective order. */
export interface BatchLineInForce {
  readonly batch: string;
  readonly element: ElementCode;
  readonly code: string;
  readonly position: Position;
}

export interface PeriodTotal {
  readonly element: ElementCode;
  readonly code: string;
  readonly mg: Milligrams;
  /** The first line in force (effective order) that the total sums. */
  readonly first: Position;
}

const CHUNK = 500;

/**
 * Let other requests run every few chunks (issue 15 item 9): on SQLite each query runs
 * synchronously and awaiting it only queues a microtask, so the thousands of chunk queries a big
 * report's lookups make would otherwise hold the event loop end to end. Outside a transaction
 * each query takes the connection and gives it back, so another request's queries go in between.
 */
const CHUNKS_PER_PAUSE = 8;
async function pauseAfter(chunk: number): Promise<void> {
  if ((chunk + 1) % CHUNKS_PER_PAUSE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

function group<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const list = m.get(key(x));
    if (list) list.push(x);
    else m.set(key(x), [x]);
  }
  return m;
}

async function reportIds(k: DbOrTx, mba: string, types: readonly ReportType[], numbers?: readonly number[]) {
  let q = k
    .selectFrom('reports')
    .select(['id', 'type', 'report_number'])
    .where('mba', '=', mba)
    .where('type', 'in', [...types]);
  if (numbers !== undefined) q = q.where('report_number', 'in', [...numbers]);
  return q.execute();
}

/** The revision rows of these lines, as originals (by origin) and as lines in force (by current). */
async function revisionsOf(k: DbOrTx, mba: string, lines: readonly Position[]) {
  const asOrigin = new Set<string>();
  const asCurrent = new Map<string, Position>();
  for (const [rn, list] of group(lines, (l) => l.reportNumber)) {
    for (const part of chunks(list.map((l) => l.line))) {
      const origins = await k
        .selectFrom('icr_revisions')
        .select(['origin_line'])
        .where('mba', '=', mba)
        .where('origin_report', '=', rn)
        .where('origin_line', 'in', part)
        .execute();
      for (const o of origins) asOrigin.add(`${rn}:${o.origin_line}`);
      const currents = await k
        .selectFrom('icr_revisions')
        .select(['origin_report', 'origin_line', 'current_line'])
        .where('mba', '=', mba)
        .where('current_report', '=', rn)
        .where('current_line', 'in', part)
        .where('deleted', '=', 0)
        .execute();
      for (const c of currents) {
        asCurrent.set(`${rn}:${c.current_line}`, {
          reportNumber: c.origin_report,
          line: c.origin_line,
        });
      }
    }
  }
  return { asOrigin, asCurrent };
}

/** The line (report number, line) of an MBA's ICR, with what it revises; undefined if none. */
async function icrLine(q: DbOrTx, mba: string, ref: LineRef) {
  return q
    .selectFrom('report_lines as l')
    .innerJoin('reports as r', 'r.id', 'l.report_id')
    .select(['l.corrects_report', 'l.corrects_line', 'l.deletes_report', 'l.deletes_line'])
    .where('r.mba', '=', mba)
    .where('r.type', '=', 'ICR')
    .where('r.report_number', '=', ref.reportNumber)
    .where('l.line', '=', ref.line)
    .executeTakeFirst();
}

/** Highest report number of this MBA and type; 0 when none. */
async function lastReportNumber(k: DbOrTx, mba: string, type: ReportType): Promise<number> {
  const r = await k
    .selectFrom('reports')
    .select((eb) => eb.fn.max('report_number').as('n'))
    .where('mba', '=', mba)
    .where('type', '=', type)
    .executeTakeFirst();
  return r?.n === null || r?.n === undefined ? 0 : Number(r.n);
}

async function hasReportNumber(
  k: DbOrTx,
  mba: string,
  type: ReportType,
  reportNumber: number,
): Promise<boolean> {
  const r = await k
    .selectFrom('reports')
    .select('id')
    .where('mba', '=', mba)
    .where('type', '=', type)
    .where('report_number', '=', reportNumber)
    .executeTakeFirst();
  return r !== undefined;
}

/** Which of these notice references a state knows: its own notices and those naming it. */
async function knownNotices(k: DbOrTx, state: string, references: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const [i, part] of chunks([...new Set(references)]).entries()) {
    const rows = await k
      .selectFrom('notices')
      .select('reference')
      .where('reference', 'in', part)
      .where((eb) => eb.or([eb('state', '=', state), eb('other_state', '=', state)]))
      .execute();
    for (const r of rows) known.add(r.reference);
    await pauseAfter(i);
  }
  return known;
}

/** Which of these (report number, line) pairs are accepted ICR lines of the MBA, as "rn:line". */
async function existingIcrLines(k: DbOrTx, mba: string, refs: readonly LineRef[]): Promise<Set<string>> {
  const found = new Set<string>();
  const byReport = group(refs, (r) => r.reportNumber);
  if (byReport.size === 0) return found;
  for (const part of chunks([...byReport.keys()])) {
    for (const r of await reportIds(k, mba, ['ICR'], part)) {
      const lines = [...new Set((byReport.get(r.report_number) ?? []).map((x) => x.line))];
      for (const [i, linePart] of chunks(lines).entries()) {
        const rows = await k
          .selectFrom('report_lines')
          .select('line')
          .where('report_id', '=', r.id)
          .where('line', 'in', linePart)
          .execute();
        for (const l of rows) found.add(`${r.report_number}:${l.line}`);
        await pauseAfter(i);
      }
    }
  }
  return found;
}

/**
 * The lines of the MBA's INITIAL reports, and its ICR lines in force, that name these
 * batches (any element): what decides whether a batch is on the book.
 */
async function batchLines(
  k: DbOrTx,
  dialect: Dialect,
  mba: string,
  /** Distinct batch names (a Set, or a map keyed by them): a 900 000-line ICR names as many, asked CHUNK at a time. */
  batches: { readonly size: number; keys(): Iterator<string> },
): Promise<{ initial: { batch: string; element: ElementCode }[]; inForce: BatchLineInForce[] }> {
  const initial: { batch: string; element: ElementCode }[] = [];
  const icr: (Position & { batch: string; element: ElementCode; code: string; revises: boolean })[] = [];
  if (batches.size === 0) return { initial, inForce: [] };
  const reports = new Map((await reportIds(k, mba, ['ICR', 'INITIAL'])).map((r) => [r.id, r]));
  const names = batches.keys();
  const perRead = dialect === 'postgres' ? CHUNK_PG : CHUNK;
  for (let i = 0; ; i++) {
    const part: string[] = [];
    for (let n = names.next(); !n.done; n = names.next()) if (part.push(n.value) === perRead) break;
    if (part.length === 0) break;
    await pauseAfter(i);
    const rows =
      dialect === 'postgres'
        ? await batchLinesPg(k, part, [...reports.keys()])
        : await k
            .selectFrom('report_lines')
            .select(['report_id', 'line', 'batch', 'element', 'code', 'corrects_report', 'deletes_report'])
            .where('batch', 'is not', null)
            .where('batch', 'in', part)
            // Only this MBA's reports (their ids are `MBA:TYPE:n`): the index holds (batch,
            // report id, line), so the range is part of each probe. Other MBAs' lines naming the
            // batch — every receipt's shipment — were read and then dropped below (decision 0066).
            .where('report_id', '>', `${mba}:`)
            .where('report_id', '<', `${mba};`)
            .execute();
    for (const l of rows) {
      const r = reports.get(l.report_id);
      if (r === undefined || l.batch === null) continue;
      const element = l.element as ElementCode;
      if (r.type === 'INITIAL') initial.push({ batch: l.batch, element });
      else
        icr.push({
          reportNumber: r.report_number,
          line: l.line,
          batch: l.batch,
          element,
          code: l.code ?? '',
          revises: l.corrects_report !== null || l.deletes_report !== null,
        });
    }
  }
  const { asOrigin, asCurrent } = await revisionsOf(k, mba, icr);
  const inForce: BatchLineInForce[] = [];
  for (const l of icr) {
    const key = `${l.reportNumber}:${l.line}`;
    const position = l.revises
      ? asCurrent.get(key)
      : asOrigin.has(key)
        ? undefined
        : { reportNumber: l.reportNumber, line: l.line };
    if (position) inForce.push({ batch: l.batch, element: l.element, code: l.code, position });
  }
  return { initial, inForce };
}

/** Batch names per read on PostgreSQL: one array parameter. */
const CHUNK_PG = 10_000;

/**
 * The lines of these reports (the MBA's INITIAL and ICR reports) naming these batches, on
 * PostgreSQL: one index probe per name through a lateral join fenced by `offset 0`. `batch in (…)`
 * was planned without statistics as a full scan of report_lines per 500 names, so a 100 000-line
 * ICR's check read the table 200 times (decision 0050). The index is a B-tree on the batch's hash
 * (migration 0036), probed with the name's hash in hash order, the name then rechecked. The lines
 * are read from report_lines' own table (migration 0040, decision 0062) and kept only if their
 * report key is one of the MBA's:
 * other MBAs' lines naming the batch — every receipt's shipment — were returned with their
 * report's id (a probe of report_keys each) and then dropped in JS (decision 0072, as 0066 on
 * SQLite). The key filter stays outside the fence, so the probe is the batch index's whatever the
 * statistics (inside, `report_seq = any(…)` could be planned on the lines' primary key instead).
 */
async function batchLinesPg(k: DbOrTx, names: readonly string[], reportIds: readonly string[]) {
  if (reportIds.length === 0) return [];
  const keys = await sql<{ seq: number; id: string }>`select seq, id from report_keys
    where id = any(${pgArray([...reportIds])}::text[])`.execute(k);
  if (keys.rows.length === 0) return [];
  const idOf = new Map(keys.rows.map((r) => [r.seq, r.id]));
  // A plain index scan per name, not a bitmap scan (decision 0077).
  const { rows } = await withIndexProbes(k, (k) =>
    sql<
      Omit<
        Pick<
          ReportLineRow,
          'report_id' | 'line' | 'batch' | 'element' | 'code' | 'corrects_report' | 'deletes_report'
        >,
        'report_id'
      > & { report_seq: number }
    >`select l.report_seq, l.line, l.batch, l.element, l.code, l.corrects_report, l.deletes_report
    from (select name from unnest(${pgArray([...names])}::text[]) name order by hashtext(name)) b
    cross join lateral (select * from report_lines_data z where z.batch is not null
      and hashtext(z.batch) = hashtext(b.name) and z.batch = b.name offset 0) l
    where l.report_seq = any(${pgArray([...idOf.keys()])}::int[])`.execute(k),
  );
  return rows.map(({ report_seq, ...l }) => ({ ...l, report_id: idOf.get(report_seq) as string }));
}

/**
 * The MBA's ICR lines in force dated in (after, through], summed per element and code. Every
 * line is dated no later than its report's period end, so only reports ending after `after`
 * can hold one.
 */
async function icrPeriodTotals(
  k: DbOrTx,
  mba: string,
  after: string,
  through: string,
): Promise<PeriodTotal[]> {
  const totals = new Map<string, { element: ElementCode; code: string; mg: number; first: Position }>();
  const add = (element: string, code: string, mg: number, first: Position) => {
    const key = `${element}|${code}`;
    const t = totals.get(key);
    if (t === undefined) totals.set(key, { element: element as ElementCode, code, mg, first });
    else {
      t.mg += mg;
      if (comparePositions(first, t.first) < 0) t.first = first;
    }
  };
  const reports = await k
    .selectFrom('reports')
    .select(['id', 'report_number'])
    .where('mba', '=', mba)
    .where('type', '=', 'ICR')
    .where('period_to', '>', after)
    .execute();
  for (const r of reports) {
    const rows = await k
      .selectFrom('report_lines as l')
      .select((eb) => [
        'l.element',
        'l.code',
        eb.fn.sum<number | string>('l.weight_mg').as('mg'),
        eb.fn.min<number>('l.line').as('first'),
      ])
      .where('l.report_id', '=', r.id)
      .where('l.date', '>', after)
      .where('l.date', '<=', through)
      .where(inForceAsAccepted(mba, r.report_number))
      .groupBy(['l.element', 'l.code'])
      .execute();
    for (const g of rows) {
      add(g.element, g.code ?? '', Number(g.mg), {
        reportNumber: r.report_number,
        line: Number(g.first),
      });
    }
  }
  // A revised original's line in force is one of those reports' lines too: its revisions are
  // found by their current report (icr_revisions_current), not by walking every revision of the MBA.
  const numbers = reports.map((r) => r.report_number);
  for (let i = 0; i < numbers.length; i += 500) {
    const revised = await revisedLinesInForce(k, mba)
      .select(['v.origin_report', 'v.origin_line', 'l.element', 'l.code', 'l.weight_mg'])
      .where('v.current_report', 'in', numbers.slice(i, i + 500))
      .where('l.date', '>', after)
      .where('l.date', '<=', through)
      .execute();
    for (const l of revised) {
      add(l.element, l.code ?? '', Number(l.weight_mg), {
        reportNumber: l.origin_report,
        line: l.origin_line,
      });
    }
  }
  return [...totals.values()].sort((a, b) => comparePositions(a.first, b.first));
}

/** The MBA's inventory-dated reports (PIL, MBR, INITIAL) with their PITs. */
async function inventoryReports(k: DbOrTx, mba: string) {
  return k
    .selectFrom('reports')
    .select(['id', 'type', 'pit'])
    .where('mba', '=', mba)
    .where('type', 'in', ['PIL', 'MBR', 'INITIAL'])
    .execute();
}

/** A report's line weights summed per element, in the order elements first appear. */
async function elementTotals(k: DbOrTx, reportId: string): Promise<Map<ElementCode, Milligrams>> {
  const rows = await k
    .selectFrom('report_lines')
    .select((eb) => [
      'element',
      eb.fn.sum<number | string>('weight_mg').as('mg'),
      eb.fn.min<number>('line').as('first'),
    ])
    .where('report_id', '=', reportId)
    .groupBy('element')
    .execute();
  rows.sort((a, b) => Number(a.first) - Number(b.first));
  return new Map(rows.map((r) => [r.element as ElementCode, Number(r.mg)] as const));
}

/** One entry (PB, PE…) of an MBR per element, as its lines state it (the last line wins). */
async function mbrEntry(k: DbOrTx, reportId: string, entry: string): Promise<Map<ElementCode, Milligrams>> {
  const rows = await k
    .selectFrom('report_lines')
    .select(['element', 'weight_mg'])
    .where('report_id', '=', reportId)
    .where('entry', '=', entry)
    .orderBy('line')
    .execute();
  return new Map(rows.map((r) => [r.element as ElementCode, Number(r.weight_mg)] as const));
}

/**
 * In the transaction that stores an ICR, after its lines: each correction or deletion, in line
 * order, joins the history of the original it revises (icr_revision_lines) and becomes what is in
 * force for it (a chain of corrections leads to the original; domain/accounting/effective.ts).
 * Validation refused any reference to a line that is not an earlier line of this MBA, so every
 * chain ends at an original.
 */
async function recordRevisions(
  tx: DbOrTx,
  mba: string,
  reportNumber: number,
  lines: readonly Pick<IcrLine, 'line' | 'corrects' | 'deletes'>[],
): Promise<void> {
  const revisions = lines.filter((l) => l.corrects !== undefined || l.deletes !== undefined);
  revisions.sort((a, b) => a.line - b.line);
  for (const l of revisions) {
    let origin = (l.corrects ?? l.deletes) as LineRef;
    for (let hops = 0; ; hops++) {
      const row = await icrLine(tx, mba, origin);
      if (row === undefined || hops > 10_000) {
        throw new Error(`ICR line ${origin.reportNumber}:${origin.line} of ${mba} to revise is not stored`);
      }
      const next =
        row.corrects_report !== null
          ? { reportNumber: row.corrects_report, line: row.corrects_line }
          : row.deletes_report !== null
            ? { reportNumber: row.deletes_report, line: row.deletes_line }
            : undefined;
      if (next === undefined) break;
      if (next.line === null)
        throw new Error(`ICR line ${origin.reportNumber}:${origin.line} has no target line`);
      origin = { reportNumber: next.reportNumber, line: next.line };
    }
    const deleted = l.deletes !== undefined && l.corrects === undefined ? 1 : 0;
    // The revising line under its original: the original's history, read by key (decision 0088).
    await tx
      .insertInto('icr_revision_lines')
      .values({
        mba,
        origin_report: origin.reportNumber,
        origin_line: origin.line,
        report_number: reportNumber,
        line: l.line,
      })
      .execute();
    await tx
      .insertInto('icr_revisions')
      .values({
        mba,
        origin_report: origin.reportNumber,
        origin_line: origin.line,
        current_report: reportNumber,
        current_line: l.line,
        deleted,
      })
      .onConflict((oc) =>
        oc
          .columns(['mba', 'origin_report', 'origin_line'])
          .doUpdateSet({ current_report: reportNumber, current_line: l.line, deleted }),
      )
      .execute();
  }
}

/** The queries validation needs, bound to a database (recordRevisions takes the storing transaction). */
export function createReportAccountRepo(db: Db) {
  const k = db.kysely;
  return {
    lastReportNumber: lastReportNumber.bind(null, k),
    hasReportNumber: hasReportNumber.bind(null, k),
    knownNotices: knownNotices.bind(null, k),
    existingIcrLines: existingIcrLines.bind(null, k),
    batchLines: (mba: string, batches: Parameters<typeof batchLines>[3]) =>
      batchLines(k, db.dialect, mba, batches),
    icrPeriodTotals: icrPeriodTotals.bind(null, k),
    inventoryReports: inventoryReports.bind(null, k),
    elementTotals: elementTotals.bind(null, k),
    mbrEntry: mbrEntry.bind(null, k),
    recordRevisions,
  };
}

export type ReportAccountRepo = ReturnType<typeof createReportAccountRepo>;
