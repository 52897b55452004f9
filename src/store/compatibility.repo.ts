import { sql } from 'kysely';
import type { DbOrTx } from './db.js';
import type { CompatibilityStepRow, CompatibilityVersionRow } from './schema.types.js';

/**
 * Domestic-law compatibility (migration 0018, decision 0033): versions of each state's entry per
 * international provision, and the signed steps of its review workflow. Versions and steps are
 * only ever inserted; the latest version is the entry in force. Every function takes a database
 * or a transaction, so the service commits each change together with its log record.
 */

/** How many refs one `in (…)` list carries (PostgreSQL and SQLite both take far more). */
const IN_CHUNK = 500;

/** Inserts a version unless that number is taken (a concurrent change won): answers whether it did. */
export async function insertVersion(q: DbOrTx, row: CompatibilityVersionRow): Promise<boolean> {
  const r = await q
    .insertInto('compatibility_versions')
    .values(row)
    .onConflict((oc) => oc.columns(['state', 'provision', 'version']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Inserts a step unless its number is taken (a replay or a concurrent step): answers whether it did. */
export async function insertStep(q: DbOrTx, row: CompatibilityStepRow): Promise<boolean> {
  const r = await q
    .insertInto('compatibility_steps')
    .values(row)
    .onConflict((oc) => oc.columns(['state', 'provision', 'seq']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function latestVersion(
  q: DbOrTx,
  state: string,
  provision: string,
): Promise<CompatibilityVersionRow | undefined> {
  const [latest] = await newestOf(q, 'compatibility_versions', state, provision, 1);
  return latest;
}

/** The latest version of each of `provisions` the state has an entry for. */
export async function latestVersionsOf(
  q: DbOrTx,
  state: string,
  provisions: readonly string[],
): Promise<CompatibilityVersionRow[]> {
  const out: CompatibilityVersionRow[] = [];
  for (let i = 0; i < provisions.length; i += IN_CHUNK) {
    const chunk = provisions.slice(i, i + IN_CHUNK);
    const rows = await q
      .selectFrom('compatibility_versions as v')
      .selectAll('v')
      .where('v.state', '=', state)
      .where('v.provision', 'in', chunk)
      .where('v.version', '=', (eb) =>
        eb
          .selectFrom('compatibility_versions as w')
          .select((w) => w.fn.max('w.version').as('m'))
          .whereRef('w.state', '=', 'v.state')
          .whereRef('w.provision', '=', 'v.provision'),
      )
      .execute();
    out.push(...rows);
  }
  return out;
}

/** The latest version of one provision in each of `states` that has an entry for it. */
export async function latestVersionsAcrossStates(
  q: DbOrTx,
  provision: string,
  states: readonly string[],
): Promise<CompatibilityVersionRow[]> {
  const out: CompatibilityVersionRow[] = [];
  for (let i = 0; i < states.length; i += IN_CHUNK) {
    const chunk = states.slice(i, i + IN_CHUNK);
    const rows = await q
      .selectFrom('compatibility_versions as v')
      .selectAll('v')
      .where('v.provision', '=', provision)
      .where('v.state', 'in', chunk)
      .where('v.version', '=', (eb) =>
        eb
          .selectFrom('compatibility_versions as w')
          .select((w) => w.fn.max('w.version').as('m'))
          .whereRef('w.state', '=', 'v.state')
          .whereRef('w.provision', '=', 'v.provision'),
      )
      .orderBy('v.state')
      .execute();
    out.push(...rows);
  }
  return out;
}

/**
 * The two histories kept per state and provision: entry versions numbered by `version`, review
 * steps numbered by `seq`. Both are read the same way, newest first or one by its number.
 */
const HISTORIES = {
  compatibility_versions: 'version',
  compatibility_steps: 'seq',
} as const;
type History = keyof typeof HISTORIES;
type HistoryRow<H extends History> = H extends 'compatibility_versions'
  ? CompatibilityVersionRow
  : CompatibilityStepRow;

/** One provision's history, newest first, at most `limit`. */
async function newestOf<H extends History>(
  q: DbOrTx,
  history: H,
  state: string,
  provision: string,
  limit: number,
): Promise<HistoryRow<H>[]> {
  const rows = await q
    .selectFrom(history as History)
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .orderBy(sql.ref(HISTORIES[history]), 'desc')
    .limit(limit)
    .execute();
  return rows as HistoryRow<H>[];
}

/** One numbered entry of a provision's history. */
async function numbered<H extends History>(
  q: DbOrTx,
  history: H,
  state: string,
  provision: string,
  n: number,
): Promise<HistoryRow<H> | undefined> {
  const row = await q
    .selectFrom(history as History)
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .where(sql.ref(HISTORIES[history]), '=', n)
    .executeTakeFirst();
  return row as HistoryRow<H> | undefined;
}

/** One provision's versions, newest first, at most `limit`. */
export const versionsOf = (q: DbOrTx, state: string, provision: string, limit: number) =>
  newestOf(q, 'compatibility_versions', state, provision, limit);

export const getVersion = (q: DbOrTx, state: string, provision: string, version: number) =>
  numbered(q, 'compatibility_versions', state, provision, version);

/** One provision's workflow steps, newest first, at most `limit`. */
export const stepsOf = (q: DbOrTx, state: string, provision: string, limit: number) =>
  newestOf(q, 'compatibility_steps', state, provision, limit);

export const getStep = (q: DbOrTx, state: string, provision: string, seq: number) =>
  numbered(q, 'compatibility_steps', state, provision, seq);

/** Every stored version's key, for the audit's check that each one was logged. */
export async function listVersionKeys(
  q: DbOrTx,
): Promise<Pick<CompatibilityVersionRow, 'state' | 'provision' | 'version'>[]> {
  return q.selectFrom('compatibility_versions').select(['state', 'provision', 'version']).execute();
}

/** Every stored step's key, for the audit's check that each one was logged. */
export async function listStepKeys(
  q: DbOrTx,
): Promise<Pick<CompatibilityStepRow, 'state' | 'provision' | 'seq'>[]> {
  return q.selectFrom('compatibility_steps').select(['state', 'provision', 'seq']).execute();
}
