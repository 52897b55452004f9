import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import { preparedOnce } from './bulk.js';
import type { DbOrTx } from './db.js';
import { pgArray } from './pg-arrays.js';

/**
 * eval_marks (migration 0060, decision 0108): per MBA, a counter of changes to its derived state.
 * Every writer of an MBA's cells, inventories, transfer rows or transfer counts bumps it in its
 * own transaction, so a reader that saw mark m and reads m again knows that nothing it derives
 * from those tables changed for that MBA — whichever server wrote, and whatever else the log
 * gained meanwhile.
 */

const BUMP_SQL =
  'insert into "eval_marks" ("mba", "version") values (?, 1) on conflict ("mba") do update set "version" = eval_marks.version + 1';

/**
 * Bumps the marks of `mbas` (each once, however often it is named). `sqlite`: the connection the
 * caller's transaction runs on, where the statement is prepared once.
 */
export async function bumpMarks(
  q: DbOrTx,
  mbas: Iterable<string>,
  sqlite?: Database.Database,
): Promise<void> {
  const distinct = [...new Set(mbas)];
  if (sqlite) {
    const stmt = preparedOnce(sqlite, BUMP_SQL);
    for (const mba of distinct) stmt.run(mba);
    return;
  }
  for (let i = 0; i < distinct.length; i += 500) {
    await sql`insert into eval_marks (mba, version)
      select m, 1 from unnest(${pgArray(distinct.slice(i, i + 500))}::text[]) m order by m
      on conflict (mba) do update set version = eval_marks.version + 1`.execute(q);
  }
}

/** The MBAs of `rows`, each once: what a writer of rows bumps. */
export function mbasOf(rows: Iterable<{ readonly mba: string }>): Set<string> {
  const out = new Set<string>();
  for (const r of rows) out.add(r.mba);
  return out;
}

/**
 * The marks of `mbas` (0 for an MBA that never changed), or of every MBA that has one when
 * `mbas` is undefined: one row per MBA, never per line.
 */
export async function readMarks(q: DbOrTx, mbas?: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (mbas === undefined) {
    for (const r of await q.selectFrom('eval_marks').selectAll().execute()) out.set(r.mba, Number(r.version));
    return out;
  }
  for (const m of mbas) out.set(m, 0);
  for (let i = 0; i < mbas.length; i += 500) {
    const rows = await q
      .selectFrom('eval_marks')
      .selectAll()
      .where('mba', 'in', mbas.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.mba, Number(r.version));
  }
  return out;
}
