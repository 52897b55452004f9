import type { Kysely, Transaction } from 'kysely';
import type {
  ElementCode,
  IcrLine,
  InventoryLine,
  MbrLine,
  NoticeBody,
  Report,
} from '../domain/reports/index.js';
import type { Db } from './db.js';
import type { ReportLineRow, ReportRow, Schema } from './schema.types.js';

type Q = Kysely<Schema> | Transaction<Schema>;

const LINE_COLUMNS = [
  'report_id',
  'mba',
  'report_type',
  'report_number',
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

/** One stored line per report line, whatever the report type (ICR, PIL/INITIAL, MBR). */
export function toLineRows(id: string, r: Report): ReportLineRow[] {
  const base = { report_id: id, mba: r.mba, report_type: r.type, report_number: r.reportNumber };
  const empty = {
    date: null,
    code: null,
    entry: null,
    item: null,
    batch: null,
    kmp: null,
    fissile_mg: null,
    isotope: null,
    basis: null,
    form: null,
    counterpart_state: null,
    counterpart_mba: null,
    notice: null,
    corrects_report: null,
    corrects_line: null,
    deletes_report: null,
    deletes_line: null,
  };
  switch (r.type) {
    case 'ICR':
      return r.lines.map((l) => ({
        ...base,
        ...empty,
        line: l.line,
        date: l.date,
        code: l.code,
        batch: l.batch,
        kmp: l.kmp,
        element: l.element,
        weight_mg: l.weightMg,
        fissile_mg: l.fissileMg ?? null,
        isotope: l.isotope ?? null,
        basis: l.basis ?? null,
        form: l.form ?? null,
        counterpart_state: l.counterpart?.state ?? null,
        counterpart_mba: l.counterpart?.mba ?? null,
        notice: l.notice ?? null,
        corrects_report: l.corrects?.reportNumber ?? null,
        corrects_line: l.corrects?.line ?? null,
        deletes_report: l.deletes?.reportNumber ?? null,
        deletes_line: l.deletes?.line ?? null,
      }));
    case 'PIL':
    case 'INITIAL':
      return r.lines.map((l) => ({
        ...base,
        ...empty,
        line: l.line,
        item: l.item ?? null,
        batch: l.batch,
        kmp: l.kmp,
        element: l.element,
        weight_mg: l.weightMg,
        fissile_mg: l.fissileMg ?? null,
        isotope: l.isotope ?? null,
        basis: l.basis ?? null,
        form: l.form ?? null,
      }));
    case 'MBR':
      return r.lines.map((l) => ({
        ...base,
        ...empty,
        line: l.line,
        entry: l.entry,
        element: l.element,
        weight_mg: l.weightMg,
        fissile_mg: l.fissileMg ?? null,
      }));
    default:
      return [];
  }
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

export function createReportsRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Store the lines in bulk: prepared statements on SQLite, multi-row inserts on PostgreSQL. */
    async insertLines(q: Q, rows: readonly ReportLineRow[]): Promise<void> {
      if (rows.length === 0) return;
      if (db.sqlite) {
        const stmt = db.sqlite.prepare(
          `insert into report_lines (${LINE_COLUMNS.join(',')}) values (${LINE_COLUMNS.map(() => '?').join(',')})`,
        );
        for (const r of rows) stmt.run(...LINE_COLUMNS.map((c) => r[c]));
        return;
      }
      // 24 columns × 2 000 rows stays under PostgreSQL's 65 535 bind parameters.
      for (let i = 0; i < rows.length; i += 2000)
        await q
          .insertInto('report_lines')
          .values(rows.slice(i, i + 2000))
          .execute();
    },
    async getReport(id: string) {
      return k.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async linesOf(id: string, q: Q = k): Promise<ReportLineRow[]> {
      return q.selectFrom('report_lines').selectAll().where('report_id', '=', id).orderBy('line').execute();
    },
    async body(id: string): Promise<Uint8Array | undefined> {
      const r = await k
        .selectFrom('report_bodies')
        .select('body')
        .where('report_id', '=', id)
        .executeTakeFirst();
      return r && new Uint8Array(r.body);
    },
  };
}

export type ReportsRepo = ReturnType<typeof createReportsRepo>;
