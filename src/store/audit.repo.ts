import type { Db } from './db.js';
import type { RecordRow, ReportRejectionRow } from './schema.types.js';

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
    /**
     * Records with log indexes after `after`, at most `limit`, in log order, each with the entry at
     * its index as stored (absent when that entry is gone): the audit's scan of the records.
     */
    async scanRecords(
      after: number,
      limit: number,
    ): Promise<(RecordRow & { entry: { leaf: Uint8Array; kind: string; recordId: string } | undefined })[]> {
      const rows = await k
        .selectFrom('records as r')
        .leftJoin('log_entries as e', 'e.idx', 'r.log_index')
        .selectAll('r')
        .select(['e.leaf as e_leaf', 'e.kind as e_kind', 'e.record_id as e_record_id'])
        .where('r.log_index', '>', after)
        .orderBy('r.log_index')
        .limit(limit)
        .execute();
      return rows.map(({ e_leaf, e_kind, e_record_id, ...r }) => ({
        ...r,
        log_index: Number(r.log_index),
        entry:
          e_leaf === null || e_kind === null || e_record_id === null
            ? undefined
            : { leaf: new Uint8Array(e_leaf), kind: e_kind, recordId: e_record_id },
      }));
    },
    /** Entries after index `after` that no record row points at, at most `limit`, in log order. */
    async entriesWithoutRecord(after: number, limit: number): Promise<{ idx: number; recordId: string }[]> {
      const rows = await k
        .selectFrom('log_entries as e')
        .select(['e.idx', 'e.record_id'])
        .where('e.idx', '>', after)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('records as r').select('r.id').whereRef('r.log_index', '=', 'e.idx'))),
        )
        .orderBy('e.idx')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ idx: Number(r.idx), recordId: r.record_id }));
    },
    /** Which of these ids have a record row. */
    async recordedAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await k.selectFrom('records').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
    /**
     * Ids of a table that grows with the years, after `after`, at most `limit`, in id order: the
     * audit pages through reports, refusals and declarations with it instead of holding them all.
     */
    async idsAfter(
      table: 'reports' | 'report_rejections' | 'declarations',
      after: string,
      limit: number,
    ): Promise<string[]> {
      const rows = await k
        .selectFrom(table)
        .select('id')
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
    async rejection(id: string): Promise<ReportRejectionRow | undefined> {
      return k.selectFrom('report_rejections').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
