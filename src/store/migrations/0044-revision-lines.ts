import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';
import { isOriginal } from './0008-lean-storage.js';

/**
 * The corrections and deletions of each revised original (docs/decisions/0088).
 *
 * `icr_revisions` names, per revised original line, the line now in force; the history of an
 * original — every line that corrected or deleted it or one of its corrections — was found by
 * reading every revising line of the MBA and folding them (store/account-lines.repo.ts), on every
 * request for a page of its lines. `icr_revision_lines` holds one row per revising line, under
 * the original its chain leads to (domain/accounting/effective.ts), so a page of revised originals
 * reads its histories by key. Intake writes it with icr_revisions (report-account.repo.ts
 * recordRevisions).
 *
 * Filled here from the stored lines, one MBA at a time, each MBA's revising lines folded in
 * effective order (report number, line) as rebuildRevisions (0008) folds them, a page at a time:
 * the fold holds the MBA's revising lines' origins, never its other lines.
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    await sql`create table icr_revision_lines (
      mba text not null,
      origin_report integer not null,
      origin_line integer not null,
      report_number integer not null,
      line integer not null,
      constraint icr_revision_lines_key primary key (mba, origin_report, origin_line, report_number, line)
    ) ${sql.raw(dialect === 'sqlite' ? 'without rowid' : '')}`.execute(db);
    const { rows: mbas } = await sql<{ mba: string }>`
      select distinct mba from icr_revisions order by mba`.execute(db);
    for (const { mba } of mbas) await fillMba(db, mba);
  };

interface RevisingLine {
  report_number: number;
  line: number;
  corrects_report: number | null;
  corrects_line: number | null;
  deletes_report: number | null;
  deletes_line: number | null;
}

const PAGE = 5000;

async function fillMba(db: Kysely<unknown>, mba: string): Promise<void> {
  /** A revising line "rn:line" → the original "rn:line" its chain leads to. */
  const originOf = new Map<string, string>();
  let after: readonly [number, number] = [-1, -1];
  for (;;) {
    const { rows } = await sql<RevisingLine>`
      select r.report_number, l.line, l.corrects_report, l.corrects_line, l.deletes_report, l.deletes_line
      from report_lines l join reports r on r.id = l.report_id
      where r.mba = ${mba} and r.type = 'ICR'
        and (l.corrects_report is not null or l.deletes_report is not null)
        and (r.report_number > ${after[0]} or (r.report_number = ${after[0]} and l.line > ${after[1]}))
      order by r.report_number, l.line
      limit ${PAGE}`.execute(db);
    const values: ReturnType<typeof sql>[] = [];
    for (const r of rows) {
      const target =
        r.corrects_report !== null
          ? { rn: r.corrects_report, line: r.corrects_line }
          : { rn: r.deletes_report as number, line: r.deletes_line };
      if (target.line === null) continue;
      const key = `${target.rn}:${target.line}`;
      let origin = originOf.get(key);
      if (origin === undefined) {
        // Not a revising line folded before: the original itself, if it is an earlier original
        // line (validation accepted nothing else; anything else is left out, as in 0008).
        const before = target.rn < r.report_number || (target.rn === r.report_number && target.line < r.line);
        if (!before || !(await isOriginal(db, mba, target.rn, target.line))) continue;
        origin = key;
      }
      originOf.set(`${r.report_number}:${r.line}`, origin);
      const [orn, oline] = origin.split(':').map(Number) as [number, number];
      values.push(sql`(${mba}, ${orn}, ${oline}, ${r.report_number}, ${r.line})`);
    }
    for (let i = 0; i < values.length; i += 500) {
      await sql`insert into icr_revision_lines (mba, origin_report, origin_line, report_number, line)
        values ${sql.join(values.slice(i, i + 500))}`.execute(db);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) return;
    after = [last.report_number, last.line];
  }
}
