import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * PostgreSQL: the received inspection statements' record ids in pattern order (decision 0099), so
 * an inspection's forwarded statements are a range (`like 'inspection-statement:<id>:%'`) rather
 * than a read of every received record: under a database collation other than C, the record id's
 * own index cannot serve a LIKE. Partial: only statements, a small part of what a node receives.
 * SQLite needs nothing: its range of the record id's index is a prefix (binary collation).
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    await sql`create index fed_inbox_statement_ids on fed_inbox (record_id text_pattern_ops)
      where kind = 'inspection-statement'`.execute(db);
  };
}
