import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';
import { batchIndex } from './0036-pg-lean-indexes.js';
import { kmpIndex } from './0037-pg-kmp-index-by-report.js';

/**
 * Report lines keyed by a small integer on PostgreSQL (docs/decisions/0062). SQLite is left as it
 * is: its WITHOUT ROWID table stores the key once, in the row.
 *
 * `report_lines`' primary key was (report_id, line), a ~15-byte text and an integer: ~36 bytes an
 * entry, and a report's ascending run of lines went into the middle of that B-tree (report ids of
 * many MBAs interleave), where PostgreSQL splits pages 50/50, so the index ran half full (~73 B a
 * line at 1 M lines, more than half its heap). Now:
 *
 * - `report_keys(id, seq)`: each stored report's id and a serial number, given when its lines are
 *   stored (store/reports.repo.ts insertLines);
 * - `report_lines_data`: the lines with `report_seq` instead of the id, primary key
 *   (report_seq, line): 20 bytes an entry, and every report's lines go in at the right edge of the
 *   B-tree, where pages split at 90 %. Its indexes on batch and (kmp, date) are as before;
 * - `report_lines`: a view joining the two, with exactly the columns the table had, so every
 *   reader (and the audit) reads lines as before; a look-up by (report_id, line) is a probe of
 *   report_keys' primary key and then of the lines' one.
 *
 * The copy runs in the migration's one transaction, like 0029's: a failed or interrupted upgrade
 * leaves the database as it was, and the next start does it again from the beginning.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    await sql`create table report_keys (
      id text primary key,
      seq serial not null unique
    )`.execute(db);
    // In the order the reports were stored (the log's), so the lines' key keeps that order too.
    await sql`insert into report_keys (id)
      select r.id from reports r where exists (select 1 from report_lines l where l.report_id = r.id)
      order by r.log_index, r.id`.execute(db);
    // Lines whose report row is missing (only a tampered database has them) keep their id too,
    // so the audit still names them.
    await sql`insert into report_keys (id)
      select distinct l.report_id from report_lines l
      where not exists (select 1 from report_keys k where k.id = l.report_id)
      order by l.report_id`.execute(db);
    await sql`create table report_lines_data (
      weight_mg bigint not null,
      fissile_mg bigint,
      report_seq integer not null,
      line integer not null,
      corrects_report integer,
      corrects_line integer,
      deletes_report integer,
      deletes_line integer,
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
    const rest = sql.raw(
      'weight_mg, fissile_mg, line, corrects_report, corrects_line, deletes_report, deletes_line, ' +
        'date, code, entry, item, batch, kmp, element, isotope, basis, form, ' +
        'counterpart_state, counterpart_mba, notice',
    );
    await sql`insert into report_lines_data (report_seq, ${rest})
      select k.seq, ${sql.raw(
        'l.weight_mg, l.fissile_mg, l.line, l.corrects_report, l.corrects_line, l.deletes_report, ' +
          'l.deletes_line, l.date, l.code, l.entry, l.item, l.batch, l.kmp, l.element, l.isotope, ' +
          'l.basis, l.form, l.counterpart_state, l.counterpart_mba, l.notice',
      )}
      from report_lines l join report_keys k on k.id = l.report_id
      order by k.seq, l.line`.execute(db);
    await sql`drop table report_lines`.execute(db);
    await sql`alter table report_lines_data add constraint report_lines_key primary key (report_seq, line)`.execute(
      db,
    );
    // A B-tree on the batch's hash since 0036 (decision 0072), which runs before this one on a
    // database that has not had it: the hash index this built before is replaced there.
    await batchIndex(db);
    // With the report key as a third column since 0037 (decision 0072), which runs before this
    // one on a database that has not had it.
    await kmpIndex(db);
    await sql`create view report_lines as
      select k.id as report_id, d.line, d.date, d.code, d.entry, d.item, d.batch, d.kmp, d.element,
        d.weight_mg, d.fissile_mg, d.isotope, d.basis, d.form, d.counterpart_state,
        d.counterpart_mba, d.notice, d.corrects_report, d.corrects_line, d.deletes_report,
        d.deletes_line
      from report_lines_data d join report_keys k on k.seq = d.report_seq`.execute(db);
    // The view takes writes as the table did (the server only inserts, through insertLines; an
    // operator's or a test's edit by report id and line reaches the stored row).
    await sql`create function report_lines_write() returns trigger language plpgsql as $f$
      declare
        s integer;
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          select seq into s from report_keys where id = new.report_id;
          if s is null then
            insert into report_keys (id) values (new.report_id) returning seq into s;
          end if;
        end if;
        if tg_op = 'INSERT' then
          insert into report_lines_data (weight_mg, fissile_mg, report_seq, line, corrects_report,
            corrects_line, deletes_report, deletes_line, date, code, entry, item, batch, kmp, element,
            isotope, basis, form, counterpart_state, counterpart_mba, notice)
          values (new.weight_mg, new.fissile_mg, s, new.line, new.corrects_report,
            new.corrects_line, new.deletes_report, new.deletes_line, new.date, new.code, new.entry,
            new.item, new.batch, new.kmp, new.element, new.isotope, new.basis, new.form,
            new.counterpart_state, new.counterpart_mba, new.notice);
          return new;
        elsif tg_op = 'UPDATE' then
          update report_lines_data d set weight_mg = new.weight_mg, fissile_mg = new.fissile_mg,
            report_seq = s, line = new.line, corrects_report = new.corrects_report,
            corrects_line = new.corrects_line, deletes_report = new.deletes_report,
            deletes_line = new.deletes_line, date = new.date, code = new.code, entry = new.entry,
            item = new.item, batch = new.batch, kmp = new.kmp, element = new.element,
            isotope = new.isotope, basis = new.basis, form = new.form,
            counterpart_state = new.counterpart_state, counterpart_mba = new.counterpart_mba,
            notice = new.notice
          from report_keys k where k.id = old.report_id and d.report_seq = k.seq and d.line = old.line;
          return new;
        end if;
        delete from report_lines_data d using report_keys k
          where k.id = old.report_id and d.report_seq = k.seq and d.line = old.line;
        return old;
      end
    $f$`.execute(db);
    await sql`create trigger report_lines_write instead of insert or update or delete on report_lines
      for each row execute function report_lines_write()`.execute(db);
  };
}
