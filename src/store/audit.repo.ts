import type { Db } from './db.js';
import type { ReportRejectionRow } from './schema.types.js';

/**
 * Reads only the audit and the record download need: the log's entries and stored hashes as they
 * are (not trusted), the rows of committed records that no use case reads back (rejections), and
 * the ids of every row that must have a record, so a row inserted behind the log's back shows up.
 */
export function createAuditRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Entries from index `from`, at most `limit`, with the record each commits to (the audit's scan). */
    async scanEntries(
      from: number,
      limit: number,
    ): Promise<{ idx: number; leaf: Uint8Array; kind: string; recordId: string }[]> {
      const rows = await k
        .selectFrom('log_entries')
        .select(['idx', 'leaf', 'kind', 'record_id'])
        .where('idx', '>=', from)
        .orderBy('idx')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        idx: Number(r.idx),
        leaf: new Uint8Array(r.leaf),
        kind: r.kind,
        recordId: r.record_id,
      }));
    },
    /** The stored hashes with indexes first … last that exist, by index (the audit looks for gaps). */
    async storedHashesBetween(first: number, last: number): Promise<Map<number, Uint8Array>> {
      const rows = await k
        .selectFrom('log_hashes')
        .select(['id', 'hash'])
        .where('id', '>=', first)
        .where('id', '<=', last)
        .execute();
      return new Map(rows.map((r) => [Number(r.id), new Uint8Array(r.hash)]));
    },
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
