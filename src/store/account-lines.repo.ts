import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { ElementCode } from '../domain/reports/index.js';
import type { Db, DbOrTx } from './db.js';
import { inForceAsAccepted, revisedLinesInForce, revisionLines } from './lines-in-force.js';
import { countOf, type PageRequest, textMatches } from './paging.js';
import type { ReportLineRow } from './schema.types.js';

/**
 * An MBA's ICR lines as the API lists them (GET /api/mbas/:code/lines), paged in SQL so a request
 * holds one page whatever the MBA's history (issue 14; docs/decisions/0011).
 *
 * The effective view follows domain/accounting/effective.ts through `icr_revisions`: a line that
 * revises nothing and that nothing revised is in force as accepted, at its own place; a revised
 * original is in force as its revision row's current line (unless deleted), at the original's
 * place. The history is every line as accepted, at its own place. Place = (report number, line),
 * the effective order; it is also the tie-breaker after a requested sort, so pages never overlap.
 */

/** Fields the lines sort on; without one, lines come in effective order. */
export const LINE_SORTS = ['date', 'code', 'batch', 'kmp', 'element', 'weight', 'reportNumber'] as const;
export type LineSort = (typeof LINE_SORTS)[number];

/** The column of each sort field (of the listed row `e`), and whether it is text. */
const SORT_COLUMNS: Readonly<Record<LineSort, { column: string; text: boolean }>> = {
  date: { column: 'e.date', text: true },
  code: { column: 'e.code', text: true },
  batch: { column: 'e.batch', text: true },
  kmp: { column: 'e.kmp', text: true },
  element: { column: 'e.element', text: true },
  weight: { column: 'e.weight_mg', text: false },
  reportNumber: { column: 'e.report_number', text: false },
};

export interface LinesQuery extends PageRequest<LineSort> {
  /** The lines in force (true) or every line as accepted (false). */
  readonly effective: boolean;
  /** Lines dated on or before this date. */
  readonly asOf?: string | undefined;
  /** Lines dated strictly after this date (with asOf: the lines of a balance period (after, asOf]). */
  readonly after?: string | undefined;
  readonly element?: ElementCode | undefined;
}

/** A stored ICR line with its report's number, id (report_id), time and sender. */
export type AccountLineRow = ReportLineRow & {
  report_number: number;
  submitted_at: string;
  submitted_by: string;
};

/** One original line that later lines corrected or deleted: the original, then each revision. */
export interface RevisedLine {
  readonly origin: { readonly reportNumber: number; readonly line: number };
  /** The last revision deleted it: nothing of it is in force. */
  readonly deleted: boolean;
  readonly history: readonly AccountLineRow[];
}

/** The filters of a request, over the line `l` of either branch. */
function conditions(f: LinesQuery): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (f.asOf !== undefined) out.push(sql<SqlBool>`${sql.ref('l.date')} <= ${f.asOf}`);
  if (f.after !== undefined) out.push(sql<SqlBool>`${sql.ref('l.date')} > ${f.after}`);
  if (f.element !== undefined) out.push(sql<SqlBool>`${sql.ref('l.element')} = ${f.element}`);
  if (f.q !== undefined) {
    out.push(
      textMatches(
        ['l.batch', 'l.code', 'l.kmp', 'l.notice', 'l.counterpart_state', 'l.counterpart_mba'],
        f.q,
      ),
    );
  }
  return out;
}

/** The lines of the MBA's ICRs with their report's columns, placed at their own (report, line). */
function ownPlace(k: DbOrTx, mba: string) {
  return k
    .selectFrom('report_lines as l')
    .innerJoin('reports as r', 'r.id', 'l.report_id')
    .selectAll('l')
    .select(['r.report_number', 'r.submitted_at', 'r.submitted_by'])
    .select(['r.report_number as pos_report', 'l.line as pos_line'])
    .where('r.mba', '=', mba)
    .where('r.type', '=', 'ICR');
}

/** The listed lines as one relation `e`: the effective view or the history, filtered. */
function listed(k: DbOrTx, mba: string, f: LinesQuery) {
  const where = conditions(f);
  const unrevised = ownPlace(k, mba)
    .$call((q) => where.reduce((acc, c) => acc.where(c), q))
    .$if(f.effective, (q) => q.where(inForceAsAccepted(mba, 'r.report_number')));
  if (!f.effective) return unrevised;
  const revised = revisedLinesInForce(k, mba)
    .selectAll('l')
    .select(['r.report_number', 'r.submitted_at', 'r.submitted_by'])
    .select(['v.origin_report as pos_report', 'v.origin_line as pos_line'])
    .$call((q) => where.reduce((acc, c) => acc.where(c), q));
  return unrevised.unionAll(revised);
}

/**
 * The order of a page: the requested field (nulls last on both dialects; text in code-point
 * order, as the browser compares strings: PostgreSQL's default collation may not be), then the
 * effective place.
 */
function orderOf(db: Db, f: LinesQuery): RawBuilder<unknown>[] {
  const terms: RawBuilder<unknown>[] = [];
  const spec = f.sort === undefined ? undefined : SORT_COLUMNS[f.sort];
  if (spec !== undefined) {
    const ref = sql.ref(spec.column);
    const value = spec.text && db.dialect === 'postgres' ? sql`${ref} collate "C"` : sql`${ref}`;
    terms.push(sql`(${ref} is null)`);
    terms.push(f.desc ? sql`${value} desc` : sql`${value} asc`);
  }
  terms.push(sql`${sql.ref('e.pos_report')}`, sql`${sql.ref('e.pos_line')}`);
  return terms;
}

/** How many lines the request lists, counted over the listed lines themselves. */
export async function countListed(k: DbOrTx, mba: string, f: LinesQuery): Promise<number> {
  const counted = await k
    .selectFrom(listed(k, mba, f).as('e'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return countOf(counted);
}

/**
 * How many lines the request lists, from what is kept per MBA when the request allows
 * (decision 0109): the lines in force are what its cells count (every ICR line in force adds 1
 * to its cell's n, a correction moves it, a deletion takes it out: services/evaluation/derive.ts),
 * per element if asked; every line as accepted is the sum of its ICR headers' line counts. A date
 * range or a search answers undefined: they are counted over the lines.
 */
export async function keptTotal(k: DbOrTx, mba: string, f: LinesQuery): Promise<number | undefined> {
  if (f.q !== undefined || f.asOf !== undefined || f.after !== undefined) return undefined;
  if (f.effective) {
    let q = k
      .selectFrom('eval_cells')
      .select((eb) => eb.fn.sum<number | string | null>('n').as('n'))
      .where('mba', '=', mba);
    if (f.element !== undefined) q = q.where('element', '=', f.element);
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }
  if (f.element !== undefined) return undefined;
  const r = await k
    .selectFrom('reports')
    .select((eb) => eb.fn.sum<number | string | null>('line_count').as('n'))
    .where('mba', '=', mba)
    .where('type', '=', 'ICR')
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

async function pageLines(
  db: Db,
  mba: string,
  f: LinesQuery,
): Promise<{ total: number; rows: AccountLineRow[] }> {
  const k = db.kysely;
  // Counting the listed lines read every line of the MBA on every page (the page itself, in
  // effective order, is a merge of two index walks that stops at its window).
  const total = (await keptTotal(k, mba, f)) ?? (await countListed(k, mba, f));
  const rows = await k
    .selectFrom(listed(k, mba, f).as('e'))
    .selectAll('e')
    .$call((q) => orderOf(db, f).reduce((acc, t) => acc.orderBy(t), q))
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const out: AccountLineRow[] = rows.map(({ pos_report: _r, pos_line: _l, ...row }) => row);
  return { total, rows: out };
}

/**
 * One page of the MBA's revised originals, in effective order, each with its history (the
 * original, then every line that corrected or deleted it or one of its corrections, in effective
 * order), and how many revised originals it has: what the correction-history table shows. The
 * originals are a range of icr_revisions' key, their revising lines one range of
 * icr_revision_lines' (decision 0088): a page reads its own lines, never the MBA's others.
 */
async function revisedPage(
  db: Db,
  mba: string,
  page: { readonly limit: number; readonly offset: number },
): Promise<{ total: number; items: RevisedLine[] }> {
  const k = db.kysely;
  const counted = await k
    .selectFrom('icr_revisions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('mba', '=', mba)
    .executeTakeFirst();
  const origins = await revisionLines(k, mba, 'origin')
    .selectAll('l')
    .select(['r.report_number', 'r.submitted_at', 'r.submitted_by', 'v.deleted'])
    .orderBy('v.origin_report')
    .orderBy('v.origin_line')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const first = origins[0];
  const last = origins.at(-1);
  if (first === undefined || last === undefined) return { total: countOf(counted), items: [] };
  const revisions = await k
    .selectFrom('icr_revision_lines as x')
    .innerJoin('reports as r', (j) =>
      j
        .onRef('r.mba', '=', 'x.mba')
        .on('r.type', '=', 'ICR')
        .onRef('r.report_number', '=', 'x.report_number'),
    )
    .innerJoin('report_lines as l', (j) => j.onRef('l.report_id', '=', 'r.id').onRef('l.line', '=', 'x.line'))
    .selectAll('l')
    .select(['r.report_number', 'r.submitted_at', 'r.submitted_by', 'x.origin_report', 'x.origin_line'])
    .where('x.mba', '=', mba)
    .where(
      sql<SqlBool>`(x.origin_report, x.origin_line) >= (${first.report_number}, ${first.line})
        and (x.origin_report, x.origin_line) <= (${last.report_number}, ${last.line})`,
    )
    .orderBy('x.origin_report')
    .orderBy('x.origin_line')
    .orderBy('x.report_number')
    .orderBy('x.line')
    .execute();
  const histories = new Map<string, AccountLineRow[]>();
  for (const { origin_report, origin_line, ...l } of revisions) {
    const key = `${origin_report}:${origin_line}`;
    const h = histories.get(key);
    if (h === undefined) histories.set(key, [l]);
    else h.push(l);
  }
  return {
    total: countOf(counted),
    items: origins.map(({ deleted, ...o }) => ({
      origin: { reportNumber: o.report_number, line: o.line },
      deleted: deleted === 1,
      history: [o, ...(histories.get(`${o.report_number}:${o.line}`) ?? [])],
    })),
  };
}

/** Every revising line of the MBA under its original (the audit compares them with its lines). */
export function readRevisionLinesOfMba(q: DbOrTx, mba: string) {
  return q.selectFrom('icr_revision_lines').selectAll().where('mba', '=', mba).execute();
}

/** The lines of an MBA as the API lists them, bound to a database. */
export function createAccountLinesRepo(db: Db) {
  return {
    /** One page of the effective view or the history, and how many lines match in all. */
    page: (mba: string, f: LinesQuery) => pageLines(db, mba, f),
    revised: (mba: string, page: { readonly limit: number; readonly offset: number }) =>
      revisedPage(db, mba, page),
  };
}
