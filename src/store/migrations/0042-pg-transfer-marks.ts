import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Transfer rows that are only inserted and deleted, and a lean batch index, on PostgreSQL
 * (docs/decisions/0065). SQLite is left as it is: its WITHOUT ROWID table is updated in place.
 *
 * Pairing a lone row used to update its `status`, which the partial index `eval_transfers_alarmed`
 * reads in its condition, so no such update could be HOT: each wrote a new heap tuple and a new
 * primary-key entry elsewhere and left the old ones dead (a quarter of the key's entries, 23 % of
 * the heap at 1 M lines, decision 0062), and it was the largest statement of a big ICR. Now:
 *
 * - `eval_transfer_rows`: the rows without status and notice (bigint, integers, smallint, then
 *   text: no padding), primary key and flow index as before (same names);
 * - `eval_transfer_marks`: status and notice of the rows that are not plainly matched (lone,
 *   discrepant or with a notice finding: the rows `eval_transfers_alarmed` indexed), keyed by
 *   (mba, origin_report, origin_line, mkey), which is also how alarms are read (by MBA, in origin
 *   order). Pairing deletes a mark; a matched row has none;
 * - `eval_transfers`: a view with exactly the table's former columns (status 0 where no mark), so
 *   every reader is unchanged; `eval_transfers_marked` the marked rows alone, for the alarm reads.
 *   An INSTEAD OF trigger takes an edit or a removal by primary key (the audit's tamper tests).
 *
 * `report_lines_batch` becomes a B-tree on `hashtext(batch)`: the hash index held the same 4-byte
 * hash per entry but ran about half empty (bucket splits and overflow pages); hashtext is the
 * function hash partitioning persists, so it is stable across upgrades.
 *
 * The copy runs in the migration's one transaction: an interrupted upgrade leaves the database
 * as it was, and the next start does it again from the beginning.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    await sql`create table eval_transfer_rows (
      mkey bigint not null,
      origin_report integer not null,
      origin_line integer not null,
      ship smallint not null,
      mba text not null,
      flow text
    )`.execute(db);
    await sql`insert into eval_transfer_rows (mkey, origin_report, origin_line, ship, mba, flow)
      select mkey, origin_report, origin_line, ship, mba, flow from eval_transfers
      order by mkey, mba, origin_report, origin_line`.execute(db);
    await sql`create table eval_transfer_marks (
      mkey bigint not null,
      origin_report integer not null,
      origin_line integer not null,
      status smallint not null,
      notice smallint,
      mba text not null
    )`.execute(db);
    await sql`insert into eval_transfer_marks (mkey, origin_report, origin_line, status, notice, mba)
      select mkey, origin_report, origin_line, status, notice, mba from eval_transfers
      where status <> 0 or notice is not null
      order by mba, origin_report, origin_line, mkey`.execute(db);
    // Its indexes (key, alarmed, flow) go with it; the key and flow index are made again below.
    await sql`drop table eval_transfers`.execute(db);
    await sql`alter table eval_transfer_rows
      add constraint eval_transfers_key primary key (mkey, mba, origin_report, origin_line)`.execute(db);
    await sql`create index eval_transfers_flow_origin on eval_transfer_rows
      (flow, mba, origin_report, origin_line) where flow is not null`.execute(db);
    await sql`alter table eval_transfer_marks
      add constraint eval_transfer_marks_key primary key (mba, origin_report, origin_line, mkey)`.execute(db);
    await sql`create view eval_transfers as
      select r.mkey, r.mba, r.origin_report, r.origin_line, r.ship,
        coalesce(m.status, 0::smallint) as status, m.notice, r.flow
      from eval_transfer_rows r left join eval_transfer_marks m
        on m.mba = r.mba and m.origin_report = r.origin_report and m.origin_line = r.origin_line
        and m.mkey = r.mkey`.execute(db);
    // Each mark's row by a probe of the rows' key (a lateral fenced by `offset 0`): without
    // statistics, or with them on the marks alone, a join was planned as a hash join over a
    // sequential scan of every row. The key columns are the mark's, so a filter on the MBA reads
    // the marks' key.
    await sql`create view eval_transfers_marked as
      select m.mkey, m.mba, m.origin_report, m.origin_line, r.ship, m.status, m.notice, r.flow
      from eval_transfer_marks m cross join lateral (select * from eval_transfer_rows x
        where x.mkey = m.mkey and x.mba = m.mba and x.origin_report = m.origin_report
        and x.origin_line = m.origin_line offset 0) r`.execute(db);
    // The server writes the two tables itself (store/transfers-pg.ts); an operator's or a test's
    // write through the view by primary key reaches both, as it reached the table.
    await sql`create function eval_transfers_write() returns trigger language plpgsql as $f$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          delete from eval_transfer_rows r where r.mkey = old.mkey and r.mba = old.mba
            and r.origin_report = old.origin_report and r.origin_line = old.origin_line;
          delete from eval_transfer_marks m where m.mba = old.mba and m.origin_report = old.origin_report
            and m.origin_line = old.origin_line and m.mkey = old.mkey;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into eval_transfer_rows (mkey, origin_report, origin_line, ship, mba, flow)
            values (new.mkey, new.origin_report, new.origin_line, new.ship, new.mba, new.flow);
          if coalesce(new.status, 0) <> 0 or new.notice is not null then
            insert into eval_transfer_marks (mkey, origin_report, origin_line, status, notice, mba)
              values (new.mkey, new.origin_report, new.origin_line, coalesce(new.status, 0), new.notice,
                new.mba);
          end if;
          return new;
        end if;
        return old;
      end
    $f$`.execute(db);
    await sql`create trigger eval_transfers_write instead of insert or update or delete on eval_transfers
      for each row execute function eval_transfers_write()`.execute(db);
    await sql`drop index report_lines_batch`.execute(db);
    await sql`create index report_lines_batch on report_lines_data (hashtext(batch))
      where batch is not null`.execute(db);
  };
}
