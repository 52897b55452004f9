import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { KmpDayCount } from '../domain/accounting/index.js';
import { preparedOnce } from './bulk.js';
import type { DbOrTx } from './db.js';

/**
 * The lines in force per MBA, KMP, day and inventory change code (`eval_kmp_days`, migration
 * 0042, docs/decisions/0084): part of an MBA's derived state, kept by intake with its cell sums;
 * gate monitoring reads it (monitoring-rules.repo.ts declaredThroughKmp), the audit compares it.
 * accounting.repo.ts clearAccounting removes an MBA's rows with the rest of its state.
 */

/**
 * Adds differences to the MBA's lines in force per KMP, day and code (eval_kmp_days, migration
 * 0042); a count left at no line is removed. `sqlite`: statements prepared once (0075), as cells.
 */
export async function applyKmpDayDeltas(
  q: DbOrTx,
  mba: string,
  deltas: Iterable<KmpDayCount>,
  sqlite?: Database.Database,
): Promise<void> {
  for (const d of deltas) {
    const key = [mba, d.kmp, d.day, d.code];
    if (sqlite) {
      preparedOnce(
        sqlite,
        `insert into "eval_kmp_days" ("mba", "kmp", "day", "code", "n") values (?, ?, ?, ?, ?)
          on conflict ("mba", "kmp", "day", "code") do update set "n" = "eval_kmp_days"."n" + excluded."n"`,
      ).run([...key, d.n]);
      if (d.n < 0)
        preparedOnce(sqlite, `delete from "eval_kmp_days" where ${KMP_DAY_KEY} and "n" <= 0`).run(key);
      continue;
    }
    await q
      .insertInto('eval_kmp_days')
      .values({ mba, kmp: d.kmp, day: d.day, code: d.code, n: d.n })
      .onConflict((oc) =>
        oc
          .columns(['mba', 'kmp', 'day', 'code'])
          .doUpdateSet({ n: sql<number>`eval_kmp_days.n + excluded.n` }),
      )
      .execute();
    if (d.n < 0) {
      await q
        .deleteFrom('eval_kmp_days')
        .where('mba', '=', mba)
        .where('kmp', '=', d.kmp)
        .where('day', '=', d.day)
        .where('code', '=', d.code)
        .where('n', '<=', 0)
        .execute();
    }
  }
}

const KMP_DAY_KEY = '"mba" = ? and "kmp" = ? and "day" = ? and "code" = ?';

/** Every count of the MBA's lines in force per KMP, day and code (the audit compares them). */
export async function readKmpDays(q: DbOrTx, mba: string): Promise<KmpDayCount[]> {
  const rows = await q.selectFrom('eval_kmp_days').selectAll().where('mba', '=', mba).execute();
  return rows.map((r) => ({ kmp: r.kmp, day: r.day, code: r.code, n: Number(r.n) }));
}
