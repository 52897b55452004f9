import type Database from 'better-sqlite3';
import { insertRowsSqlite } from './bulk.js';
import type { Db, DbOrTx } from './db.js';
import type { RecordRow } from './schema.types.js';

const RECORD_COLUMNS = [
  'id',
  'kind',
  'log_index',
  'salt',
  'leaf_id',
  'subject_state',
  'subject_org',
  'created_at',
  'created_by',
] as const;

/**
 * Store record rows (each names the log entry that commits to it) inside the caller's transaction.
 * On SQLite, `sqlite` is the connection that transaction runs on: the bulk path of multi-row
 * prepared statements (architecture.md habit 7).
 */
export async function insertRecords(
  q: DbOrTx,
  rows: readonly RecordRow[],
  sqlite?: Database.Database,
): Promise<void> {
  if (sqlite) {
    const values: unknown[] = new Array(rows.length * RECORD_COLUMNS.length);
    let v = 0;
    for (const r of rows) {
      values[v++] = r.id;
      values[v++] = r.kind;
      values[v++] = r.log_index;
      values[v++] = r.salt;
      values[v++] = r.leaf_id;
      values[v++] = r.subject_state;
      values[v++] = r.subject_org;
      values[v++] = r.created_at;
      values[v++] = r.created_by;
    }
    insertRowsSqlite(sqlite, 'records', RECORD_COLUMNS, values);
    return;
  }
  for (let i = 0; i < rows.length; i += 500)
    await q
      .insertInto('records')
      .values(rows.slice(i, i + 500))
      .execute();
}

/** Reads of the records committed to the log. */
export function createRecordsRepo(db: Db) {
  const k = db.kysely;
  return {
    async find(id: string): Promise<RecordRow | undefined> {
      const r = await k.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst();
      return r && { ...r, log_index: Number(r.log_index) };
    },
  };
}
