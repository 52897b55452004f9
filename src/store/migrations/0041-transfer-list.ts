import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * GET /api/transfers without reading every transfer (issue 14 item 4, docs/decisions/0083). The
 * list's order is shipments by (MBA, origin), then lone receipts by (MBA, origin); it joined every
 * transfer row to its line and sorted them all to show 50 (44 s at 10 M lines on SQLite).
 *
 * - `eval_transfers_ships`: the shipments in that order (partial: receipts are not listed unless
 *   lone, and lone rows are already in `eval_transfers_alarmed`), so a page walks only as far as
 *   it shows.
 * - Three kinds of `eval_transfer_counts` give the list's totals without counting rows: shipments
 *   matched (7) and discrepant (8) per MBA (day and element ''), lone shipments per MBA and day
 *   (9, element ''). Intake keeps them from now on (countsOf); here they are counted once from the
 *   rows: 7 and 8 from `eval_transfers` alone, 9 from the lone rows (the alarmed index) with the
 *   date of their line in force.
 *
 * - A cross-border line under a domestic code (SD/RD between states of a regional community) now
 *   carries a flow like an export or import line does (domain transferFlowOf: SHIP or RECEIVE,
 *   its state, the other state), so that another state's shipments into the caller's scope are
 *   found from the flows' index. Rows stored before get theirs here from their lines: this reads
 *   every row without a flow with its line once (tens of seconds at 10 M lines).
 *
 * One transaction: an interrupted start leaves the database as it was and the next start does it
 * again. On a database whose derived state is still to be built, the build recounts each MBA it
 * builds (it replaces that MBA's counts and rows), so these stay exact either way.
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    const sep = dialect === 'postgres' ? sql`chr(1)` : sql`char(1)`;
    await sql`update eval_transfers set flow = c.flow
      from (select t.mkey, t.mba, t.origin_report, t.origin_line,
          case when t.ship = 1 then 'SHIP' else 'RECEIVE' end || ${sep} || f.state || ${sep}
            || l.counterpart_state as flow
        from eval_transfers t
        join mbas m on m.code = t.mba
        join facilities f on f.code = m.facility
        left join eval_entries e
          on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
        join report_lines l
          on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
          and l.line = coalesce(e.last_line, t.origin_line)
        where t.flow is null and l.counterpart_state is not null and l.counterpart_state <> f.state) c
      where eval_transfers.mkey = c.mkey and eval_transfers.mba = c.mba
        and eval_transfers.origin_report = c.origin_report and eval_transfers.origin_line = c.origin_line`.execute(
      db,
    );
    await counts(db);
  };

async function counts(db: Kysely<unknown>): Promise<void> {
  await sql`create index eval_transfers_ships on eval_transfers (mba, origin_report, origin_line)
    where ship = 1`.execute(db);
  await sql`delete from eval_transfer_counts where kind in (7, 8, 9)`.execute(db);
  await sql`insert into eval_transfer_counts (mba, kind, day, element, n)
    select mba, case when status = 0 then 7 else 8 end, '', '', count(*)
    from eval_transfers where ship = 1 and status in (0, 1)
    group by mba, status`.execute(db);
  await sql`insert into eval_transfer_counts (mba, kind, day, element, n)
    select t.mba, 9, l.date, '', count(*)
    from eval_transfers t
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where t.ship = 1 and t.status = 2 and (t.status <> 0 or t.notice is not null)
    group by t.mba, l.date`.execute(db);
}
