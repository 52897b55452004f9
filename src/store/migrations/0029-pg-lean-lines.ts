import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Leaner report lines and transfer rows on PostgreSQL (docs/decisions/0050). SQLite is left as
 * it is: its WITHOUT ROWID tables store each key once and pack columns without alignment.
 *
 * - `report_lines` is rewritten with its 8-byte columns first, then the 4-byte ones, then the
 *   texts: PostgreSQL aligns a bigint to 8 bytes and an integer to 4, and the previous order
 *   (text, integer, texts, bigints, texts, integers) padded every row by about 8 bytes. Its
 *   indexes are built again after the copy, packed.
 * - `report_lines_batch` becomes a hash index: validation only asks "which lines name this
 *   batch" (equality), and a hash entry holds a 4-byte hash instead of the ~23-byte name.
 * - `eval_transfers_alarmed` keys on the MBA alone (same predicate): its readers filter and sort
 *   an MBA's alarmed rows themselves, and one key per MBA lets B-tree deduplication store a row
 *   in ~6 bytes instead of a ~36-byte (mba, report, line) entry.
 *
 * The copy holds the table's lock for its duration (minutes at ten million lines); nothing else
 * changes, so a failed run leaves the database as it was (the migration is one transaction).
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    await sql`create table report_lines_0029 (
      weight_mg bigint not null,
      fissile_mg bigint,
      line integer not null,
      corrects_report integer,
      corrects_line integer,
      deletes_report integer,
      deletes_line integer,
      report_id text not null,
      date text,
      code text,
      entry text,
      item text,
      batch text,
      kmp text,
      element text not null,
      isotope text,
      basis text,
      form text,
      counterpart_state text,
      counterpart_mba text,
      notice text
    )`.execute(db);
    const columns = sql.raw(
      'weight_mg, fissile_mg, line, corrects_report, corrects_line, deletes_report, deletes_line, ' +
        'report_id, date, code, entry, item, batch, kmp, element, isotope, basis, form, ' +
        'counterpart_state, counterpart_mba, notice',
    );
    await sql`insert into report_lines_0029 (${columns}) select ${columns} from report_lines`.execute(db);
    await sql`drop table report_lines`.execute(db);
    await sql`alter table report_lines_0029 rename to report_lines`.execute(db);
    await sql`alter table report_lines add constraint report_lines_key primary key (report_id, line)`.execute(
      db,
    );
    await sql`create index report_lines_batch on report_lines using hash (batch) where batch is not null`.execute(
      db,
    );
    await sql`create index report_lines_kmp on report_lines (kmp, date) where kmp is not null`.execute(db);

    await sql`drop index eval_transfers_alarmed`.execute(db);
    await sql`create index eval_transfers_alarmed on eval_transfers (mba)
      where status <> 0 or notice is not null`.execute(db);
  };
}
