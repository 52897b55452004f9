import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * PostgreSQL only (docs/decisions/0072): the index on report lines' (kmp, date) carries the report
 * key as a third column, so gate monitoring's count of an MBA's lines through a KMP on a day
 * (store/monitoring-rules.repo.ts `declaredThroughKmp`) probes each of the MBA's reports for that
 * KMP and day instead of reading every MBA's lines of it (KMP codes repeat across MBAs). An index
 * build in the migration's one transaction; where report_lines_data does not exist yet (0040 runs
 * after this on a new database), 0040 builds it so.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    const { rows } = await sql<{
      t: string | null;
    }>`select to_regclass('report_lines_data')::text as t`.execute(db);
    if (rows[0]?.t === null || rows[0]?.t === undefined) return;
    await sql`drop index report_lines_kmp`.execute(db);
    await kmpIndex(db);
  };
}

/** The KMP index of report_lines_data (also built by 0040 when it runs after this). */
export async function kmpIndex(db: Kysely<unknown>): Promise<void> {
  await sql`create index report_lines_kmp on report_lines_data (kmp, date, report_seq)
    where kmp is not null`.execute(db);
}
