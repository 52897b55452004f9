import { type Insertable, sql } from 'kysely';
import type {
  ElementCode,
  IcrLine,
  InventoryLine,
  MbrLine,
  NoticeBody,
  Report,
} from '../domain/reports/index.js';
import { type PackedBody, unpackBody } from './body-codec.js';
import { insertRowsSqlite, Pacer } from './bulk.js';
import type { Db, DbOrTx } from './db.js';
import { pgArray } from './pg-arrays.js';
import { reportLists } from './report-lists.repo.js';
import type { NoticeRow, ReportLineRow, ReportRejectionRow, ReportRow } from './schema.types.js';

const LINE_COLUMNS = [
  'report_id',
  'line',
  'date',
  'code',
  'entry',
  'item',
  'batch',
  'kmp',
  'element',
  'weight_mg',
  'fissile_mg',
  'isotope',
  'basis',
  'form',
  'counterpart_state',
  'counterpart_mba',
  'notice',
  'corrects_report',
  'corrects_line',
  'deletes_report',
  'deletes_line',
] as const;

/** PostgreSQL's type of each of LINE_COLUMNS (migrations 0008 and 0029), for unnest's arrays. */
const LINE_PG_TYPES = [
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'int',
  'int',
  'int',
] as const satisfies { length: (typeof LINE_COLUMNS)['length'] };

type LineColumn = (typeof LINE_COLUMNS)[number];
/** Mapped over a type parameter so that TypeScript keeps it a tuple (homomorphic mapped type). */
type RowTuple<T extends readonly LineColumn[]> = {
  -readonly [I in keyof T]: ReportLineRow[T[I] & LineColumn];
};
type LineTuple = RowTuple<typeof LINE_COLUMNS>;

/**
 * The stored columns of every line of a report, in LINE_COLUMNS order, one tuple at a time. A
 * 100 000-line report is stored straight from its parsed model (no intermediate row objects:
 * building them all cost more than parsing the report and dominated peak memory).
 */
export function* lineTuples(id: string, r: Report): Generator<LineTuple> {
  switch (r.type) {
    case 'ICR':
      for (const l of r.lines) {
        yield [
          id,
          l.line,
          l.date,
          l.code,
          null,
          null,
          l.batch,
          l.kmp,
          l.element,
          l.weightMg,
          l.fissileMg ?? null,
          l.isotope ?? null,
          l.basis ?? null,
          l.form ?? null,
          l.counterpart?.state ?? null,
          l.counterpart?.mba ?? null,
          l.notice ?? null,
          l.corrects?.reportNumber ?? null,
          l.corrects?.line ?? null,
          l.deletes?.reportNumber ?? null,
          l.deletes?.line ?? null,
        ];
      }
      return;
    case 'PIL':
    case 'INITIAL':
      for (const l of r.lines) {
        yield [
          id,
          l.line,
          null,
          null,
          null,
          l.item ?? null,
          l.batch,
          l.kmp,
          l.element,
          l.weightMg,
          l.fissileMg ?? null,
          l.isotope ?? null,
          l.basis ?? null,
          l.form ?? null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
        ];
      }
      return;
    case 'MBR':
      for (const l of r.lines) {
        yield [
          id,
          l.line,
          null,
          null,
          l.entry,
          null,
          null,
          null,
          l.element,
          l.weightMg,
          l.fissileMg ?? null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
        ];
      }
      return;
    default:
      return;
  }
}

function toRow(t: LineTuple): ReportLineRow {
  const row: Partial<Record<LineColumn, unknown>> = {};
  LINE_COLUMNS.forEach((c, i) => {
    row[c] = t[i];
  });
  return row as ReportLineRow;
}

/** One stored line per report line, whatever the report type (ICR, PIL/INITIAL, MBR). */
export function toLineRows(id: string, r: Report): ReportLineRow[] {
  return Array.from(lineTuples(id, r), toRow);
}

function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

export function toIcrLine(row: ReportLineRow): IcrLine {
  const l: Record<string, unknown> = {
    line: row.line,
    date: row.date,
    code: row.code,
    batch: row.batch,
    kmp: row.kmp,
    element: row.element,
    weightMg: Number(row.weight_mg),
  };
  if (row.fissile_mg !== null) l.fissileMg = Number(row.fissile_mg);
  if (row.isotope !== null) l.isotope = row.isotope;
  if (row.basis !== null) l.basis = row.basis;
  if (row.form !== null) l.form = row.form;
  if (row.counterpart_state !== null) {
    l.counterpart =
      row.counterpart_mba === null
        ? { state: row.counterpart_state }
        : { state: row.counterpart_state, mba: row.counterpart_mba };
  }
  if (row.notice !== null) l.notice = row.notice;
  if (row.corrects_report !== null)
    l.corrects = { reportNumber: row.corrects_report, line: opt(row.corrects_line) };
  if (row.deletes_report !== null)
    l.deletes = { reportNumber: row.deletes_report, line: opt(row.deletes_line) };
  return l as unknown as IcrLine;
}

export function toInventoryLine(row: ReportLineRow): InventoryLine {
  const l: Record<string, unknown> = {
    line: row.line,
    batch: row.batch,
    kmp: row.kmp,
    element: row.element,
    weightMg: Number(row.weight_mg),
  };
  if (row.item !== null) l.item = row.item;
  if (row.fissile_mg !== null) l.fissileMg = Number(row.fissile_mg);
  if (row.isotope !== null) l.isotope = row.isotope;
  if (row.basis !== null) l.basis = row.basis;
  if (row.form !== null) l.form = row.form;
  return l as unknown as InventoryLine;
}

export function toMbrLine(row: ReportLineRow): MbrLine {
  const l: Record<string, unknown> = {
    line: row.line,
    element: row.element as ElementCode,
    entry: row.entry,
    weightMg: Number(row.weight_mg),
  };
  if (row.fissile_mg !== null) l.fissileMg = Number(row.fissile_mg);
  return l as unknown as MbrLine;
}

/** Rebuild the report model from its rows (the inverse of insertReport). */
export function toReport(row: ReportRow, lines: readonly ReportLineRow[]): Report {
  const header: Record<string, unknown> = {
    type: row.type,
    mba: row.mba,
    reportNumber: row.report_number,
    reportDate: row.report_date,
    reportingPerson: row.reporting_person,
    lineCount: row.line_count,
  };
  if (row.note !== null) header.note = row.note;
  switch (row.type) {
    case 'ICR':
      return {
        ...header,
        period: { from: row.period_from, to: row.period_to },
        lines: lines.map(toIcrLine),
      } as unknown as Report;
    case 'PIL':
    case 'INITIAL':
      return { ...header, pit: row.pit, lines: lines.map(toInventoryLine) } as unknown as Report;
    case 'MBR':
      return { ...header, pit: row.pit, lines: lines.map(toMbrLine) } as unknown as Report;
    default:
      return {
        ...header,
        notice: JSON.parse(row.notice_json ?? '{}') as NoticeBody,
        lines: [],
      } as unknown as Report;
  }
}

/** A stored line with the number of its report (the report row's; migration 0008). */
export type StoredLineRow = ReportLineRow & { report_number: number };

/** How a report's row, body, lines, notice and refusals are written (in the caller's transaction). */
function reportWrites(db: Db) {
  return {
    /**
     * Store a report's lines in bulk, straight from the parsed model: one prepared statement on
     * SQLite (inside the caller's transaction: better-sqlite3 shares the connection), multi-row
     * inserts on PostgreSQL.
     */
    async insertLines(q: DbOrTx, id: string, report: Report): Promise<void> {
      if (db.sqlite) {
        // Multi-row prepared statements (store/bulk.ts), 1 000 lines' values at a time: one
        // statement per line cost a VM run each, the largest share of storing a big ICR.
        // Between chunks the event loop gets a turn (Pacer): a 900 000-line report's inserts
        // take seconds, and the transaction holds the writer lock meanwhile (decision 0035).
        const width = LINE_COLUMNS.length;
        const pacer = new Pacer();
        let values: unknown[] = [];
        for (const t of lineTuples(id, report)) {
          for (let c = 0; c < width; c++) values.push(t[c]);
          if (values.length === width * 1000) {
            insertRowsSqlite(db.sqlite, 'report_lines', LINE_COLUMNS, values, true);
            values = [];
            if (pacer.due()) await pacer.pause();
          }
        }
        if (values.length > 0) insertRowsSqlite(db.sqlite, 'report_lines', LINE_COLUMNS, values, true);
        return;
      }
      // PostgreSQL: one array per column (unnest), 10 000 lines a statement. Multi-row VALUES of
      // 63 000 parameters cost more to build, send and parse than the insert (decision 0050).
      // The lines are stored under their report's number in report_keys (migration 0040,
      // decision 0062); report_lines is a view that joins the two. The id column is not sent.
      const { rows: keyRows } = await sql<{ seq: number }>`insert into report_keys (id) values (${id})
        returning seq`.execute(q);
      const seq = (keyRows[0] as { seq: number }).seq;
      const columns = sql.join(LINE_COLUMNS.slice(1).map((c) => sql.ref(c)));
      const flush = async (arrays: unknown[][]): Promise<void> => {
        const params = sql.join(
          arrays.map(
            (a, i) =>
              sql`${pgArray(a as (string | number | null)[])}::${sql.raw(LINE_PG_TYPES[i + 1] as string)}[]`,
          ),
        );
        await sql`insert into report_lines_data (report_seq, ${columns})
          select ${seq}::int, * from unnest(${params})`.execute(q);
      };
      const fresh = () => LINE_COLUMNS.slice(1).map((): unknown[] => []);
      let arrays = fresh();
      for (const t of lineTuples(id, report)) {
        for (let c = 1; c < t.length; c++) (arrays[c - 1] as unknown[]).push(t[c]);
        if ((arrays[0] as unknown[]).length === 10_000) {
          await flush(arrays);
          arrays = fresh();
        }
      }
      if ((arrays[0] as unknown[]).length > 0) await flush(arrays);
    },
    async insertReport(q: DbOrTx, row: Insertable<ReportRow>): Promise<void> {
      await q.insertInto('reports').values(row).execute();
    },
    /** The signed bytes, as packed by store/body-codec.ts (packBody). */
    async insertBody(q: DbOrTx, id: string, body: PackedBody): Promise<void> {
      await q
        .insertInto('report_bodies')
        .values({ report_id: id, body: body.data, codec: body.codec })
        .execute();
    },
    /** Many reports' bodies, a few per statement (a peer's batch, decision 0057). */
    async insertBodies(q: DbOrTx, bodies: readonly { id: string; body: PackedBody }[]): Promise<void> {
      for (let i = 0; i < bodies.length; i += 50)
        await q
          .insertInto('report_bodies')
          .values(
            bodies.slice(i, i + 50).map((b) => ({ report_id: b.id, body: b.body.data, codec: b.body.codec })),
          )
          .execute();
    },
    async insertNotice(q: DbOrTx, row: Insertable<NoticeRow>): Promise<void> {
      await q.insertInto('notices').values(row).execute();
    },
    /** The fact of a refusal (who, when, body hash, codes), in the transaction that logs it. */
    async insertRejection(q: DbOrTx, row: Insertable<ReportRejectionRow>): Promise<void> {
      await q.insertInto('report_rejections').values(row).execute();
    },
  };
}

/** Lines a page of `linePages` holds: a few hundred kilobytes of rows. */
const LINE_PAGE = 2000;

/**
 * A report's lines in line order, a page at a time (keyset on the line number): what a reader
 * holds is one page, whatever the report's size (issue 14: no stored data in the heap).
 */
export async function* reportLinePages(
  q: DbOrTx,
  id: string,
  size = LINE_PAGE,
): AsyncGenerator<StoredLineRow[]> {
  let after: number | undefined;
  for (;;) {
    let lines = q
      .selectFrom('report_lines as l')
      .innerJoin('reports as r', 'r.id', 'l.report_id')
      .selectAll('l')
      .select('r.report_number')
      .where('l.report_id', '=', id);
    if (after !== undefined) lines = lines.where('l.line', '>', after);
    const page = await lines.orderBy('l.line').limit(size).execute();
    if (page.length > 0) yield page;
    if (page.length < size) return;
    after = (page[page.length - 1] as StoredLineRow).line;
  }
}

/** One repository per aggregate (architecture.md): a report's row, body, lines and notices and their reads. */
export function createReportsRepo(db: Db) {
  const k = db.kysely;
  return {
    ...reportLists(k),
    ...reportWrites(db),
    async getReport(id: string) {
      return k.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async linesOf(id: string, q: DbOrTx = k): Promise<StoredLineRow[]> {
      return q
        .selectFrom('report_lines as l')
        .innerJoin('reports as r', 'r.id', 'l.report_id')
        .selectAll('l')
        .select('r.report_number')
        .where('l.report_id', '=', id)
        .orderBy('l.line')
        .execute();
    },
    /** A report's lines a page at a time (reportLinePages). */
    linePages(id: string, size = LINE_PAGE): AsyncGenerator<StoredLineRow[]> {
      return reportLinePages(k, id, size);
    },
    /** The exact signed bytes. */
    async body(id: string): Promise<Uint8Array | undefined> {
      const r = await this.packedBody(id);
      return r && unpackBody(r.codec, r.data);
    },
    /** The signed bytes as stored (packed by store/body-codec.ts), not unpacked. */
    async packedBody(id: string): Promise<{ codec: string; data: Uint8Array } | undefined> {
      const r = await k
        .selectFrom('report_bodies')
        .select(['body', 'codec'])
        .where('report_id', '=', id)
        .executeTakeFirst();
      return r && { codec: r.codec, data: r.body };
    },
  };
}
