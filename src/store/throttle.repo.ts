import { sql } from 'kysely';
import type { Db, DbOrTx } from './db.js';
import type { AuthThrottleRow, RefusalCountRow } from './schema.types.js';

/**
 * Login-throttle counters (decision 0022). Each write is one atomic upsert, so servers sharing a
 * PostgreSQL database count together and never lose an increment.
 */
export function createThrottleRepo(db: Db) {
  const k = db.kysely;
  return {
    async rows(keys: readonly string[]): Promise<AuthThrottleRow[]> {
      return k.selectFrom('auth_throttle').selectAll().where('key', 'in', keys).execute();
    },
    /** One more failure in a window that starts again when the last one began before `cutoff`. */
    async countInWindow(key: string, now: string, cutoff: string, expiresAt: string): Promise<void> {
      await k
        .insertInto('auth_throttle')
        .values({ key, failures: 1, since: now, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql`CASE WHEN auth_throttle.since < ${cutoff} THEN 1 ELSE auth_throttle.failures + 1 END`,
            since: sql`CASE WHEN auth_throttle.since < ${cutoff} THEN ${now} ELSE auth_throttle.since END`,
            expires_at: expiresAt,
          }),
        )
        .execute();
    },
    /** One more consecutive failure; `since` becomes the time of this one. */
    async countConsecutive(key: string, now: string, expiresAt: string): Promise<void> {
      await k
        .insertInto('auth_throttle')
        .values({ key, failures: 1, since: now, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql`auth_throttle.failures + 1`,
            since: now,
            expires_at: expiresAt,
          }),
        )
        .execute();
    },
    async put(key: string, now: string, expiresAt: string): Promise<void> {
      await k
        .insertInto('auth_throttle')
        .values({ key, failures: 0, since: now, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ since: now, expires_at: expiresAt }))
        .execute();
    },
    async remove(key: string): Promise<void> {
      await k.deleteFrom('auth_throttle').where('key', '=', key).execute();
    },
    /** Rows past their expiry go: the table holds only what can still change a decision. */
    async prune(now: string): Promise<void> {
      await k.deleteFrom('auth_throttle').where('expires_at', '<', now).execute();
    },
  };
}

/** Refusals per principal and hour (decision 0023). */
export function createRefusalCountRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Count one more refusal of `principal` in `period`; answers how many the period has seen. */
    async see(
      q: DbOrTx,
      row: Pick<RefusalCountRow, 'principal' | 'period' | 'state' | 'organisation_id'>,
    ): Promise<RefusalCountRow> {
      return q
        .insertInto('refusal_counts')
        .values({ ...row, seen: 1, counted: 0, codes_json: '[]', bodies_chain: '0'.repeat(64) })
        .onConflict((oc) =>
          oc.columns(['principal', 'period']).doUpdateSet({ seen: sql`refusal_counts.seen + 1` }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async count(
      q: DbOrTx,
      principal: string,
      period: string,
      update: Pick<RefusalCountRow, 'counted' | 'codes_json' | 'bodies_chain' | 'first_at' | 'last_at'>,
    ): Promise<void> {
      await q
        .updateTable('refusal_counts')
        .set(update)
        .where('principal', '=', principal)
        .where('period', '=', period)
        .execute();
    },
    async get(q: DbOrTx, principal: string, period: string): Promise<RefusalCountRow | undefined> {
      return q
        .selectFrom('refusal_counts')
        .selectAll()
        .where('principal', '=', principal)
        .where('period', '=', period)
        .executeTakeFirst();
    },
    /** Periods before `period` with a count not yet logged. */
    async pending(period: string, limit: number): Promise<RefusalCountRow[]> {
      return k
        .selectFrom('refusal_counts')
        .selectAll()
        .where('period', '<', period)
        .where('counted', '>', 0)
        .where('summary_id', 'is', null)
        .orderBy('period')
        .limit(limit)
        .execute();
    },
    /** Claim the row for its summary; false when another server logged it first. */
    async markLogged(q: DbOrTx, principal: string, period: string, summaryId: string): Promise<boolean> {
      const r = await q
        .updateTable('refusal_counts')
        .set({ summary_id: summaryId })
        .where('principal', '=', principal)
        .where('period', '=', period)
        .where('summary_id', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Finished periods with nothing to log are only counters: they go. */
    async pruneBefore(period: string): Promise<void> {
      await k
        .deleteFrom('refusal_counts')
        .where('period', '<', period)
        .where((eb) => eb.or([eb('counted', '=', 0), eb('summary_id', 'is not', null)]))
        .execute();
    },
  };
}
