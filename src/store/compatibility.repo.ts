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
  return q
    .selectFrom('compatibility_versions')
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
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

/** One provision's versions, newest first, at most `limit`. */
export async function versionsOf(
  q: DbOrTx,
  state: string,
  provision: string,
  limit: number,
): Promise<CompatibilityVersionRow[]> {
  return q
    .selectFrom('compatibility_versions')
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
}

export async function getVersion(
  q: DbOrTx,
  state: string,
  provision: string,
  version: number,
): Promise<CompatibilityVersionRow | undefined> {
  return q
    .selectFrom('compatibility_versions')
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** One provision's workflow steps, newest first, at most `limit`. */
export async function stepsOf(
  q: DbOrTx,
  state: string,
  provision: string,
  limit: number,
): Promise<CompatibilityStepRow[]> {
  return q
    .selectFrom('compatibility_steps')
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

export async function getStep(
  q: DbOrTx,
  state: string,
  provision: string,
  seq: number,
): Promise<CompatibilityStepRow | undefined> {
  return q
    .selectFrom('compatibility_steps')
    .selectAll()
    .where('state', '=', state)
    .where('provision', '=', provision)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

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
