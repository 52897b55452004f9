import { sql } from 'kysely';
import type { DbOrTx } from './db.js';

/**
 * Runs `f` on PostgreSQL with bitmap scans and sequential scans off (decision 0077), for the
 * per-key probe statements of intake: each key is looked up through a lateral join fenced by
 * `offset 0` (decision 0050), and each probe should be a plain index scan whatever the statistics.
 *
 * Without statistics (a server where ANALYZE has not run: autovacuum off, or a table just loaded)
 * the planner estimates a key of a non-unique index at 0.5 % of the table and plans each probe as
 * a bitmap index scan and a bitmap heap scan, which builds and walks a bitmap for the one or two
 * rows a key has: 2–3× the CPU of a plain index scan per probe, measured on a 1 M-line copy
 * (20 000 match keys with their lines 840–909 ms → 355–537 ms; 20 000 batch names 299–813 →
 * 186–199 ms; 10 000 row probes of an update 121–130 → 37–62 ms). With bitmap scans alone off, a
 * small or empty table is estimated cheaper to scan whole than to probe, and a scan per key is
 * what the fence exists to prevent, so sequential scans go off too: every probe has its index.
 *
 * Only the two settings change, back to the connection's own values after `f` (`reset_val`: what
 * RESET would give). In a transaction they are local to it: if `f` fails the transaction is aborted
 * and its rollback discards them. Outside one, `f` runs on one pooled connection, set back before
 * the connection returns to the pool, whether `f` failed or not.
 */
export async function withIndexProbes<T>(q: DbOrTx, f: (c: DbOrTx) => Promise<T>): Promise<T> {
  const set = (c: DbOrTx, local: boolean) =>
    sql`select set_config('enable_bitmapscan', 'off', ${local}), set_config('enable_seqscan', 'off', ${local})`.execute(
      c,
    );
  const restore = (c: DbOrTx, local: boolean) =>
    sql`select set_config(name, reset_val, ${local}) from pg_settings
      where name in ('enable_bitmapscan', 'enable_seqscan')`.execute(c);
  if (q.isTransaction) {
    await set(q, true);
    const out = await f(q);
    await restore(q, true);
    return out;
  }
  return q.connection().execute(async (c) => {
    await set(c, false);
    try {
      return await f(c);
    } finally {
      await restore(c, false);
    }
  });
}
