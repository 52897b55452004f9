import type Database from 'better-sqlite3';
import { type SqlBool, sql } from 'kysely';
import { insertRowsSqlite } from './bulk.js';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type { DeviceEventRow } from './schema.types.js';

/**
 * A monitoring device's events (migration 0015, decision 0105): stored with their batches, listed
 * a page at a time in time order either way, counted by the figure the device's row keeps.
 */

const EVENT_COLUMNS = ['device', 'at', 'seq', 'idx', 'type', 'data'] as const;

/**
 * A batch's events in one go: on SQLite through multi-row prepared statements on the
 * transaction's connection, on PostgreSQL as multi-row inserts (one round trip per 1 000 events).
 */
export async function insertEvents(
  q: DbOrTx,
  rows: readonly DeviceEventRow[],
  sqlite: Database.Database | undefined,
): Promise<void> {
  if (rows.length === 0) return;
  if (sqlite) {
    const values: unknown[] = new Array(rows.length * EVENT_COLUMNS.length);
    let v = 0;
    for (const r of rows) {
      values[v++] = r.device;
      values[v++] = r.at;
      values[v++] = r.seq;
      values[v++] = r.idx;
      values[v++] = r.type;
      values[v++] = r.data;
    }
    insertRowsSqlite(sqlite, 'device_events', EVENT_COLUMNS, values);
    return;
  }
  for (let i = 0; i < rows.length; i += 1000)
    await q
      .insertInto('device_events')
      .values(rows.slice(i, i + 1000))
      .execute();
}

export async function countEventsOf(q: DbOrTx, device: string, seq: number): Promise<number> {
  const r = await q
    .selectFrom('device_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('device', '=', device)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return countOf(r as { n: string | number | bigint } | undefined);
}

/** A place in a device's events' order: an event's time, then its batch and place in it. */
export interface EventKey {
  readonly at: string;
  readonly seq: number;
  readonly idx: number;
}

/**
 * One page of a device's events in [from, to), in time order (then batch and place in it), oldest
 * or newest first; with `after`, the events that follow that one in the order asked for (a keyset
 * cursor), then `offset` of them skipped. A walk of `device_events_order` (migration 0057) from the
 * end asked for, stopping after offset + limit + 1 rows (the one more says whether a page
 * follows): never the device's whole history. On each side one bound only, the tighter of the
 * range and the cursor (each implies the other where it is tighter), so the walk starts there.
 */
export async function pageEvents(
  q: DbOrTx,
  device: string,
  range: { from?: string | undefined; to?: string | undefined },
  window: { limit: number; offset: number; desc: boolean; after?: EventKey | undefined },
): Promise<{ rows: DeviceEventRow[]; more: boolean }> {
  const { after, desc } = window;
  let base = q.selectFrom('device_events').where('device', '=', device);
  // The cursor is the bound on the side the walk resumes from unless the range is tighter there.
  const resumes =
    after !== undefined &&
    (desc
      ? range.to === undefined || after.at < range.to
      : range.from === undefined || after.at >= range.from);
  if (range.from !== undefined && !(resumes && !desc)) base = base.where('at', '>=', range.from);
  if (range.to !== undefined && !(resumes && desc)) base = base.where('at', '<', range.to);
  if (resumes)
    base = base.where(
      sql<SqlBool>`(at, seq, idx) ${sql.raw(desc ? '<' : '>')} (${after.at}, ${after.seq}, ${after.idx})`,
    );
  const dir = desc ? 'desc' : 'asc';
  const rows = await base
    .selectAll()
    .orderBy('at', dir)
    .orderBy('seq', dir)
    .orderBy('idx', dir)
    .limit(window.limit + 1)
    .offset(window.offset)
    .execute();
  return {
    rows: rows.slice(0, window.limit).map((r) => ({ ...r, seq: Number(r.seq), idx: Number(r.idx) })),
    more: rows.length > window.limit,
  };
}

/**
 * How many of a device's events fall in [from, to). Counts the range's index entries: bounded by
 * the range the caller asked for, not by the page (a range of the whole history counts all of
 * it). Without a range the device's kept figure answers (`devices.event_count`, decision 0105).
 */
export async function countEventsIn(
  q: DbOrTx,
  device: string,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<number> {
  let base = q.selectFrom('device_events').where('device', '=', device);
  if (range.from !== undefined) base = base.where('at', '>=', range.from);
  if (range.to !== undefined) base = base.where('at', '<', range.to);
  const n = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return countOf(n as { n: string | number | bigint } | undefined);
}

/**
 * Devices whose kept event figure differs from their stored events, and events held for no
 * registered device: what `custos audit` compares (decision 0105). Reads every event: the audit's
 * work, never a request's.
 */
export async function differingEventFigures(
  q: DbOrTx,
): Promise<{ device: string; kept: number | null; counted: number }[]> {
  const { rows } = await sql<{
    device: string;
    kept: number | string | null;
    counted: number | string | null;
  }>`
    with c as (select device, count(*) as n from device_events group by device)
    select coalesce(d.id, c.device) as device, d.event_count as kept, c.n as counted
    from devices d full outer join c on c.device = d.id
    where d.id is null or d.event_count <> coalesce(c.n, 0)
    order by 1`.execute(q);
  return rows.map((r) => ({
    device: r.device,
    kept: r.kept === null ? null : Number(r.kept),
    counted: Number(r.counted ?? 0),
  }));
}
