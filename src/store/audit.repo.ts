import type { Db } from './db.js';
import type { ReportRejectionRow } from './schema.types.js';

/**
 * Reads only the audit and the record download need: the rows of committed records that no use
 * case reads back (rejections), and the ids of every row that must have a record, so a row
 * inserted behind the log's back shows up.
 */
export function createAuditRepo(db: Db) {
  const k = db.kysely;
  return {
    async reportIds(): Promise<string[]> {
      return (await k.selectFrom('reports').select('id').execute()).map((r) => r.id);
    },
    async rejectionIds(): Promise<string[]> {
      return (await k.selectFrom('report_rejections').select('id').execute()).map((r) => r.id);
    },
    async rejection(id: string): Promise<ReportRejectionRow | undefined> {
      return k.selectFrom('report_rejections').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
