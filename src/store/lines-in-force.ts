import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { DbOrTx } from './db.js';
import type { Schema } from './schema.types.js';

/**
 * Which stored ICR lines are in force, said once for every query that needs it (the MBA's line
 * list, the validation account's batch and period totals). It follows
 * domain/accounting/effective.ts through `icr_revisions`: a line that revises nothing and that
 * nothing revised is in force as accepted, at its own place; a revised original is in force as its
 * revision row's current line (unless deleted), at the original's place.
 */

/**
 * The line `l` of the MBA's ICR numbered `reportNumber` (a column of the query, or a value) is in
 * force as accepted: it corrects and deletes nothing, and no later line revised it.
 */
export function inForceAsAccepted(
  mba: string,
  reportNumber: number | 'r.report_number',
): (eb: ExpressionBuilder<Schema & { l: Schema['report_lines'] }, 'l'>) => Expression<SqlBool> {
  const number = typeof reportNumber === 'number' ? sql`${reportNumber}` : sql.ref(reportNumber);
  return ({ and, not, exists, selectFrom }) =>
    and([
      sql<SqlBool>`${sql.ref('l.corrects_report')} is null`,
      sql<SqlBool>`${sql.ref('l.deletes_report')} is null`,
      not(
        exists(
          selectFrom('icr_revisions as v')
            .select('v.mba')
            .where('v.mba', '=', mba)
            .where(sql<SqlBool>`${sql.ref('v.origin_report')} = ${number}`)
            .whereRef('v.origin_line', '=', 'l.line'),
        ),
      ),
    ]);
}

/**
 * The MBA's revisions joined to the line now in force for each (`current`) or to the original it
 * revises (`origin`), as `v`, `r` (its report) and `l` (the line).
 */
export function revisionLines(k: DbOrTx, mba: string, end: 'current' | 'origin') {
  const report = end === 'current' ? 'v.current_report' : 'v.origin_report';
  const line = end === 'current' ? 'v.current_line' : 'v.origin_line';
  return k
    .selectFrom('icr_revisions as v')
    .innerJoin('reports as r', (j) =>
      j.onRef('r.mba', '=', 'v.mba').on('r.type', '=', 'ICR').onRef('r.report_number', '=', report),
    )
    .innerJoin('report_lines as l', (j) => j.onRef('l.report_id', '=', 'r.id').onRef('l.line', '=', line))
    .where('v.mba', '=', mba);
}

/** The revised originals' lines now in force (the deleted ones are in force as nothing). */
export function revisedLinesInForce(k: DbOrTx, mba: string) {
  return revisionLines(k, mba, 'current').where('v.deleted', '=', 0);
}
