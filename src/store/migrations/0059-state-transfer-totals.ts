import { type Kysely, sql } from 'kysely';

/**
 * The state summary's pair counts (eval_transfer_counts kinds 5 and 6) per MBA only, day and
 * element '' (decision 0107): kept per day and element, the annual evaluation summed a row per
 * MBA, day and element since the MBA's first transfer — decades of days. The existing rows are
 * summed into one per MBA and kind, then removed, in the migration's transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`insert into eval_transfer_counts (mba, kind, day, element, n)
    select mba, kind, '', '', sum(n) from eval_transfer_counts
    where kind in (5, 6) and not (day = '' and element = '')
    group by mba, kind
    on conflict (mba, kind, day, element) do update set n = eval_transfer_counts.n + excluded.n`.execute(db);
  await sql`delete from eval_transfer_counts where kind in (5, 6) and not (day = '' and element = '')`.execute(
    db,
  );
  await sql`delete from eval_transfer_counts where kind in (5, 6) and n = 0`.execute(db);
}
