import { sql } from 'kysely';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type { DeviceGateDayRow } from './schema.types.js';

/**
 * The rules of issue 18 §5 that look beyond one device (migration 0021, decision 0038): the
 * inspections that excuse a seal opening, the openings of a containment's seals that a camera is
 * judged against, and a gate's day against the ICR lines declared through its KMP. Each read is an
 * index range, bounded whatever the history.
 */

/** An inspection covers at most this many days after the inspectors' arrival (decision 0038). */
export const INSPECTION_WINDOW_MAX_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The inspections at a facility whose window meets [from, to]: from the inspectors' arrival for
 * the planned man-days (at least one day, at most INSPECTION_WINDOW_MAX_DAYS). An inspection has
 * no recorded end, so without this bound one left "in progress" would excuse every later opening
 * at its facility; a team spends at most its man-days in calendar days on site.
 */
export async function inspectionWindows(
  q: DbOrTx,
  facility: string,
  from: string,
  to: string,
): Promise<{ from: string; to: string }[]> {
  const earliest = new Date(Date.parse(from) - INSPECTION_WINDOW_MAX_DAYS * DAY_MS).toISOString();
  const rows = await q
    .selectFrom('inspections')
    .select(['arrived_at', 'planned_man_days'])
    .where('facility', '=', facility)
    .where('arrived_at', 'is not', null)
    .where('arrived_at', '>=', earliest)
    .where('arrived_at', '<=', to)
    .execute();
  return rows.map((r) => {
    const start = Date.parse(r.arrived_at as string);
    const days = Math.min(INSPECTION_WINDOW_MAX_DAYS, Math.max(1, Math.ceil(Number(r.planned_man_days))));
    return { from: new Date(start).toISOString(), to: new Date(start + days * DAY_MS).toISOString() };
  });
}

// ---- seal openings

export async function openSeal(
  q: DbOrTx,
  row: { device: string; facility: string; containment: string; from_at: string },
): Promise<void> {
  await q
    .insertInto('device_seal_openings')
    .values({ ...row, to_at: null })
    .onConflict((oc) => oc.columns(['device', 'from_at']).doNothing())
    .execute();
}

export async function closeSeal(q: DbOrTx, device: string, at: string): Promise<void> {
  await q
    .updateTable('device_seal_openings')
    .set({ to_at: at })
    .where('device', '=', device)
    .where('to_at', 'is', null)
    .where('from_at', '<=', at)
    .execute();
}

/**
 * The openings of a containment's seals that meet [from, to] (the first 100 by opening time):
 * those still open, and those closed after `from`, each read on its own index (migration 0049)
 * rather than walking every opening since the first.
 */
export async function sealOpeningsOf(
  q: DbOrTx,
  facility: string,
  containment: string,
  from: string,
  to: string,
): Promise<{ from: string; to: string | null }[]> {
  const of = () =>
    q
      .selectFrom('device_seal_openings')
      .select(['from_at', 'to_at'])
      .where('facility', '=', facility)
      .where('containment', '=', containment)
      .where('from_at', '<=', to);
  const open = await of().where('to_at', 'is', null).orderBy('from_at').limit(100).execute();
  // Closed after `from` and opened by `to`: the openings that meet the window, few. Not ordered in
  // SQL: an order by opening time lets the planner walk the opening-time index from the first.
  const closed = await of().where('to_at', 'is not', null).where('to_at', '>', from).execute();
  return [...open, ...closed]
    .sort((a, b) => (a.from_at < b.from_at ? -1 : a.from_at > b.from_at ? 1 : 0))
    .slice(0, 100)
    .map((r) => ({ from: r.from_at, to: r.to_at }));
}

// ---- gate days

/** Adds a batch's counts to the gate's days; a day counted again is compared again from `checkAfter`. */
export async function addGateCounts(
  q: DbOrTx,
  device: string,
  counts: readonly { day: string; direction: 'in' | 'out'; items: number }[],
  checkAfter: (day: string) => string,
): Promise<void> {
  for (const c of counts) {
    const add = { in: c.direction === 'in' ? c.items : 0, out: c.direction === 'out' ? c.items : 0 };
    await q
      .insertInto('device_gate_days')
      .values({
        device,
        day: c.day,
        counted_in: add.in,
        counted_out: add.out,
        check_after: checkAfter(c.day),
      })
      .onConflict((oc) =>
        oc.columns(['device', 'day']).doUpdateSet({
          counted_in: sql`device_gate_days.counted_in + ${add.in}`,
          counted_out: sql`device_gate_days.counted_out + ${add.out}`,
          check_after: checkAfter(c.day),
        }),
      )
      .execute();
  }
}

function gateDayOf(r: DeviceGateDayRow): DeviceGateDayRow {
  return { ...r, counted_in: Number(r.counted_in), counted_out: Number(r.counted_out) };
}

export async function gateDaysDue(q: DbOrTx, now: string, limit: number): Promise<DeviceGateDayRow[]> {
  const rows = await q
    .selectFrom('device_gate_days')
    .selectAll()
    .where('check_after', '<=', now)
    .orderBy('check_after')
    .limit(limit)
    .execute();
  return rows.map(gateDayOf);
}

export async function setGateCheck(
  q: DbOrTx,
  device: string,
  day: string,
  checkAfter: string,
): Promise<void> {
  await q
    .updateTable('device_gate_days')
    .set({ check_after: checkAfter })
    .where('device', '=', device)
    .where('day', '=', day)
    .execute();
}

/** Whether the MBA's ICRs cover `day` (the state has declared it: a period from … to it). */
export async function icrCovers(q: DbOrTx, mba: string, day: string): Promise<boolean> {
  const r = await q
    .selectFrom('reports')
    .select('id')
    .where('mba', '=', mba)
    .where('type', '=', 'ICR')
    .where('period_from', '<=', day)
    .where('period_to', '>=', day)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * The MBA's ICR lines in force through `kmp` dated `day`, counted per inventory change code: the
 * counts intake keeps with the MBA's derived state (eval_kmp_days, migration 0042, decision 0084),
 * one index range of a few rows whatever the MBA's history.
 */
export async function declaredThroughKmp(
  q: DbOrTx,
  mba: string,
  kmp: string,
  day: string,
): Promise<{ code: string; lines: number }[]> {
  const rows = await q
    .selectFrom('eval_kmp_days')
    .select(['code', 'n'])
    .where('mba', '=', mba)
    .where('kmp', '=', kmp)
    .where('day', '=', day)
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ code: r.code, lines: countOf({ n: r.n }) }));
}

/** The cases opened for these cause keys (the alarm → case trail of a device's status). */
export async function casesByKey(q: DbOrTx, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await q
    .selectFrom('cases')
    .select(['id', 'case_key'])
    .where('case_key', 'in', [...new Set(keys)])
    .execute();
  return new Map(rows.map((r) => [r.case_key as string, r.id]));
}
