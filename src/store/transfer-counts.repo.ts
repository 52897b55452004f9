import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import { preparedOnce } from './bulk.js';
import type { DbOrTx } from './db.js';
import { bumpMarks, mbasOf } from './eval-marks.repo.js';

/**
 * eval_transfer_counts (migration 0010, docs/decisions/0016): per MBA, kind, day and element, how
 * many transfer lines in force are lone, discrepant, carry a notice finding, count for their
 * state's summary, or make up the transfer list's segments (decision 0083). The balance, the
 * alarm summary, the annual evaluation and the transfer list read these few rows, not the lines.
 */

/** Kinds of eval_transfer_counts. */
export const COUNT_KIND = {
  lone: 1,
  discrepant: 2,
  noticeMissing: 3,
  noticeLate: 4,
  /**
   * Counted for the state's summary (a pair once: by its shipment, or a receipt from another
   * state), per MBA only (day and element ''): decision 0107.
   */
  stateMatched: 5,
  stateDiscrepant: 6,
  /**
   * Shipments matched and discrepant, per MBA only (day and element ''), and lone shipments per
   * day (element ''): the transfer list's totals and segments (migration 0041, decision 0083).
   */
  shipMatched: 7,
  shipDiscrepant: 8,
  loneShip: 9,
} as const;

export interface CountDelta {
  readonly mba: string;
  readonly kind: number;
  readonly day: string;
  readonly element: string;
  n: number;
}

/** The SQLite text of applyCountDeltas' upsert of `n` rows (the same as Kysely builds it). */
function countUpsertSql(n: number): string {
  const rows = new Array(n).fill('(?, ?, ?, ?, ?)').join(', ');
  return `insert into "eval_transfer_counts" ("mba", "kind", "day", "element", "n") values ${rows} on conflict ("mba", "kind", "day", "element") do update set "n" = eval_transfer_counts.n + excluded.n`;
}

/**
 * Adds the deltas to eval_transfer_counts; a count that reaches 0 is removed. `sqlite`: the
 * connection the caller's transaction runs on, where the statements are prepared once (0075).
 */
export async function applyCountDeltas(
  q: DbOrTx,
  deltas: Iterable<CountDelta>,
  sqlite?: Database.Database,
): Promise<void> {
  const list = [...deltas].filter((d) => d.n !== 0);
  // Their MBAs' alarms and summaries may differ now (decision 0108).
  await bumpMarks(q, mbasOf(list), sqlite);
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500);
    if (sqlite) {
      const values: unknown[] = [];
      for (const d of chunk) values.push(d.mba, d.kind, d.day, d.element, d.n);
      preparedOnce(sqlite, countUpsertSql(chunk.length)).run(values);
      continue;
    }
    await q
      .insertInto('eval_transfer_counts')
      .values(chunk.map((d) => ({ mba: d.mba, kind: d.kind, day: d.day, element: d.element, n: d.n })))
      .onConflict((oc) =>
        oc
          .columns(['mba', 'kind', 'day', 'element'])
          .doUpdateSet({ n: sql`eval_transfer_counts.n + excluded.n` }),
      )
      .execute();
  }
  // A count can reach 0 only where its delta was negative: those keys are asked, each by its
  // whole key (a sweep of the MBA for zeros read every count row it ever had, on nearly every ICR).
  const fell = list.filter((d) => d.n < 0);
  if (sqlite) {
    const del = preparedOnce(
      sqlite,
      'delete from "eval_transfer_counts" where "mba" = ? and "kind" = ? and "day" = ? and "element" = ? and "n" = 0',
    );
    for (const d of fell) del.run(d.mba, d.kind, d.day, d.element);
    return;
  }
  for (let i = 0; i < fell.length; i += 500) {
    await sql`delete from eval_transfer_counts where n = 0 and (mba, kind, day, element) in (${sql.join(
      fell.slice(i, i + 500).map((d) => sql`(${d.mba}, ${d.kind}, ${d.day}, ${d.element})`),
    )})`.execute(q);
  }
}

/** The counts of the MBAs given, of the kinds given. */
export async function readCounts(
  q: DbOrTx,
  mbas: readonly string[],
  kinds: readonly number[],
): Promise<{ mba: string; kind: number; day: string; element: string; n: number }[]> {
  if (mbas.length === 0) return [];
  const rows = await q
    .selectFrom('eval_transfer_counts')
    .selectAll()
    .where('mba', 'in', mbas)
    .where('kind', 'in', kinds)
    .execute();
  return rows.map((r) => ({ ...r, kind: Number(r.kind), n: Number(r.n) }));
}

/**
 * The counts of the MBAs given, of the kinds given, summed per MBA and kind in SQL (a state's
 * summary and the alarm list's segments read totals, not the rows of every day of decades); lone
 * lines split at `loneBefore`: those dated before it (past their deadline) apart from the rest.
 */
export async function sumCounts(
  q: DbOrTx,
  mbas: readonly string[],
  kinds: readonly number[],
  loneBefore: string,
): Promise<{ mba: string; kind: number; past: boolean; n: number }[]> {
  if (mbas.length === 0) return [];
  const { rows } = await sql<{
    mba: string;
    kind: number | string;
    past: number | string;
    n: number | string;
  }>`
    select mba, kind, past, sum(n) as n from (
      select mba, kind, case when kind = ${COUNT_KIND.lone} and day < ${loneBefore} then 1 else 0 end as past, n
      from eval_transfer_counts
      where mba in (${sql.join(mbas)}) and kind in (${sql.join(kinds)})
    ) c
    group by mba, kind, past`.execute(q);
  return rows.map((r) => ({ mba: r.mba, kind: Number(r.kind), past: Number(r.past) === 1, n: Number(r.n) }));
}

/**
 * Which of `mbas` have a lone line dated before `before`, i.e. past its deadline (decision 0110):
 * one seek of the counts' key per MBA. Only these MBAs' lone rows can alarm, so only theirs are
 * joined to their lines when alarms are read; a lone line still within its grace period (the open
 * end of every month's transfers) is passed over on the row itself.
 */
export async function lonePastOf(q: DbOrTx, mbas: readonly string[], before: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < mbas.length; i += 500) {
    const { rows } = await sql<{ mba: string }>`select distinct mba from eval_transfer_counts
      where mba in (${sql.join(mbas.slice(i, i + 500))}) and kind = ${COUNT_KIND.lone} and day < ${before}`.execute(
      q,
    );
    for (const r of rows) out.add(r.mba);
  }
  return out;
}
