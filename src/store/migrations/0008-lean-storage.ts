import { type Kysely, sql } from 'kysely';
import { packBodySync } from '../body-codec.js';
import type { Dialect } from '../db.js';

/**
 * Lean storage and validation by query (scale issue, docs/decisions/0011):
 *
 * - `report_lines` loses the columns its report row already holds (mba, report type, report
 *   number) and the index on them; on SQLite it becomes a WITHOUT ROWID table clustered on its
 *   primary key (report id, line), so there is no second copy of that key in an index. A partial
 *   index on `batch` answers "is this batch on the book" for the lines that name batches.
 * - `icr_revisions`: one row per original ICR line that a later line corrected or deleted, naming
 *   the line now in force (or that it is deleted). With it "is this line in force" is an index
 *   look-up, so validation needs no copy of the account (domain/accounting/effective.ts is the
 *   rule it follows; built here for existing databases).
 * - `report_bodies` keeps the signed bytes compressed (brotli); `codec` says how.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('report_lines_lean')
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('line', 'integer', (c) => c.notNull())
      .addColumn('date', 'text')
      .addColumn('code', 'text')
      .addColumn('entry', 'text')
      .addColumn('item', 'text')
      .addColumn('batch', 'text')
      .addColumn('kmp', 'text')
      .addColumn('element', 'text', (c) => c.notNull())
      .addColumn('weight_mg', 'bigint', (c) => c.notNull())
      .addColumn('fissile_mg', 'bigint')
      .addColumn('isotope', 'text')
      .addColumn('basis', 'text')
      .addColumn('form', 'text')
      .addColumn('counterpart_state', 'text')
      .addColumn('counterpart_mba', 'text')
      .addColumn('notice', 'text')
      .addColumn('corrects_report', 'integer')
      .addColumn('corrects_line', 'integer')
      .addColumn('deletes_report', 'integer')
      .addColumn('deletes_line', 'integer')
      .addPrimaryKeyConstraint('report_lines_key', ['report_id', 'line'])
      .$call((b) => (dialect === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
      .execute();
    await sql`insert into report_lines_lean
      select report_id, line, date, code, entry, item, batch, kmp, element, weight_mg, fissile_mg,
        isotope, basis, form, counterpart_state, counterpart_mba, notice, corrects_report,
        corrects_line, deletes_report, deletes_line
      from report_lines`.execute(db);
    await s.dropTable('report_lines').execute();
    await s.alterTable('report_lines_lean').renameTo('report_lines').execute();
    await s
      .createIndex('report_lines_batch')
      .on('report_lines')
      .column('batch')
      .where(sql.ref('batch'), 'is not', null)
      .execute();

    await s
      .createTable('icr_revisions')
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('origin_report', 'integer', (c) => c.notNull())
      .addColumn('origin_line', 'integer', (c) => c.notNull())
      .addColumn('current_report', 'integer', (c) => c.notNull())
      .addColumn('current_line', 'integer', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('icr_revisions_key', ['mba', 'origin_report', 'origin_line'])
      .execute();
    await s
      .createIndex('icr_revisions_current')
      .on('icr_revisions')
      .columns(['mba', 'current_report', 'current_line'])
      .execute();
    await rebuildRevisions(db);

    await s
      .alterTable('report_bodies')
      .addColumn('codec', 'text', (c) => c.notNull().defaultTo('identity'))
      .execute();
    await compressBodies(db);
  };
}

interface RevisionLine {
  mba: string;
  report_number: number;
  line: number;
  corrects_report: number | null;
  corrects_line: number | null;
  deletes_report: number | null;
  deletes_line: number | null;
}

/**
 * The revisions of the lines already stored, folded in effective order (report number, line) as
 * domain/accounting/effective.ts does: a correction of a correction revises the same original; a
 * reference to no earlier line (an orphan, which validation never accepted) is left out.
 */
export async function rebuildRevisions(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<RevisionLine>`
    select r.mba, r.report_number, l.line, l.corrects_report, l.corrects_line, l.deletes_report,
      l.deletes_line
    from report_lines l join reports r on r.id = l.report_id
    where r.type = 'ICR' and (l.corrects_report is not null or l.deletes_report is not null)
    order by r.mba, r.report_number, l.line`.execute(db);
  /** Revision line "mba rn:line" → its origin "rn:line" (absent: an orphan). */
  const originOf = new Map<string, string>();
  const current = new Map<
    string,
    { mba: string; origin: string; rn: number; line: number; deleted: boolean }
  >();
  for (const r of rows) {
    const target =
      r.corrects_report !== null
        ? { rn: r.corrects_report, line: r.corrects_line }
        : { rn: r.deletes_report as number, line: r.deletes_line };
    if (target.line === null) continue;
    const targetKey = `${r.mba} ${target.rn}:${target.line}`;
    let origin = originOf.get(targetKey);
    if (origin === undefined) {
      const before = target.rn < r.report_number || (target.rn === r.report_number && target.line < r.line);
      if (!before || !(await isOriginal(db, r.mba, target.rn, target.line))) continue;
      origin = `${target.rn}:${target.line}`;
    }
    originOf.set(`${r.mba} ${r.report_number}:${r.line}`, origin);
    current.set(`${r.mba} ${origin}`, {
      mba: r.mba,
      origin,
      rn: r.report_number,
      line: r.line,
      deleted: r.deletes_report !== null && r.corrects_report === null,
    });
  }
  for (const c of current.values()) {
    const [rn, line] = c.origin.split(':').map(Number) as [number, number];
    await sql`insert into icr_revisions
      (mba, origin_report, origin_line, current_report, current_line, deleted)
      values (${c.mba}, ${rn}, ${line}, ${c.rn}, ${c.line}, ${c.deleted ? 1 : 0})`.execute(db);
  }
}

/** Whether the MBA's ICR line (report number, line) is stored and revises nothing (also 0044's fold). */
export async function isOriginal(
  db: Kysely<unknown>,
  mba: string,
  rn: number,
  line: number,
): Promise<boolean> {
  const { rows } = await sql<{ corrects_report: number | null; deletes_report: number | null }>`
    select l.corrects_report, l.deletes_report from report_lines l join reports r on r.id = l.report_id
    where r.mba = ${mba} and r.type = 'ICR' and r.report_number = ${rn} and l.line = ${line}`.execute(db);
  const row = rows[0];
  return row !== undefined && row.corrects_report === null && row.deletes_report === null;
}

/** Existing bodies compressed a few at a time, so a large node's migration does not hold them all. */
async function compressBodies(db: Kysely<unknown>): Promise<void> {
  let after = '';
  for (;;) {
    const { rows } = await sql<{ report_id: string; body: Uint8Array }>`
      select report_id, body from report_bodies where report_id > ${after} and codec = 'identity'
      order by report_id limit 50`.execute(db);
    if (rows.length === 0) return;
    for (const r of rows) {
      const packed = packBodySync(r.body);
      await sql`update report_bodies set body = ${packed.data}, codec = ${packed.codec}
        where report_id = ${r.report_id}`.execute(db);
    }
    after = (rows.at(-1) as { report_id: string }).report_id;
  }
}
