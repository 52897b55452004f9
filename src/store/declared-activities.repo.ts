import { ACTIVITY_MAX_DAYS } from '../domain/monitoring/index.js';
import type { DbOrTx } from './db.js';
import type { Page } from './paging.js';
import type { DeclaredActivityRow } from './schema.types.js';

/** Activities states declared at containments (migration 0023). */

export async function insertDeclaredActivity(q: DbOrTx, row: DeclaredActivityRow): Promise<void> {
  await q.insertInto('device_declared_activities').values(row).execute();
}

export async function findDeclaredActivity(q: DbOrTx, id: string): Promise<DeclaredActivityRow | undefined> {
  return q.selectFrom('device_declared_activities').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The declared windows at the containment that overlap [from, to]. A window covers at most
 * ACTIVITY_MAX_DAYS, so one that ends after `from` began after `from` less that: the read is a
 * range of the containment's index, not its history.
 */
export async function declaredWindowsOf(
  q: DbOrTx,
  facility: string,
  containment: string,
  from: string,
  to: string,
): Promise<{ from: string; to: string }[]> {
  const rows = await q
    .selectFrom('device_declared_activities')
    .select(['from_at', 'to_at'])
    .where('facility', '=', facility)
    .where('containment', '=', containment)
    .where('from_at', '<=', to)
    .where('from_at', '>', new Date(Date.parse(from) - ACTIVITY_MAX_DAYS * 86_400_000).toISOString())
    .where('to_at', '>', from)
    .orderBy('from_at')
    .limit(100)
    .execute();
  return rows.map((r) => ({ from: r.from_at, to: r.to_at }));
}

/** A facility's declarations, latest window first. */
export async function pageDeclaredActivities(
  q: DbOrTx,
  facility: string,
  window: { limit: number; offset: number },
): Promise<Page<DeclaredActivityRow>> {
  const base = q.selectFrom('device_declared_activities').where('facility', '=', facility);
  const [items, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('from_at', 'desc')
      .orderBy('id')
      .limit(window.limit)
      .offset(window.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), limit: window.limit, offset: window.offset };
}

export async function declaredActivityIds(q: DbOrTx): Promise<string[]> {
  return (await q.selectFrom('device_declared_activities').select('id').orderBy('id').execute()).map(
    (r) => r.id,
  );
}
