import type Database from 'better-sqlite3';
import { type SqlBool, sql } from 'kysely';
import { insertRowsSqlite } from './bulk.js';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type {
  DeviceAlarmRow,
  DeviceBatchRow,
  DeviceChangeRow,
  DeviceEventRow,
  DeviceIntervalRow,
  DeviceRefusalRow,
  DeviceRow,
} from './schema.types.js';

/**
 * Remote monitoring's rows (migration 0015, decision 0029): the device registry, accepted batches
 * and their events, refusals, and the CoK intervals and alarms. Every function takes the caller's
 * database or transaction.
 */

const EVENT_COLUMNS = ['device', 'at', 'seq', 'idx', 'type', 'data'] as const;

function deviceOf(r: DeviceRow): DeviceRow {
  return {
    ...r,
    head_seq: Number(r.head_seq),
    heartbeat_seconds: Number(r.heartbeat_seconds),
    event_count: Number(r.event_count ?? 0),
  };
}

export async function insertDevice(
  q: DbOrTx,
  row: DeviceRow,
  parties: readonly { organisation: string; role: 'owner' | 'joint' }[],
): Promise<void> {
  await q.insertInto('devices').values(row).execute();
  if (parties.length > 0)
    await q
      .insertInto('device_parties')
      .values(parties.map((p) => ({ device: row.id, ...p })))
      .execute();
}

/**
 * One device; with `lock`, its row stays locked until the caller's transaction ends (PostgreSQL:
 * two servers taking batches of one device apply them one after the other; SQLite has one writer).
 */
export async function findDevice(q: DbOrTx, id: string, lock = false): Promise<DeviceRow | undefined> {
  let sel = q.selectFrom('devices').selectAll().where('id', '=', id);
  if (lock) sel = sel.forUpdate();
  const r = await sel.executeTakeFirst();
  return r && deviceOf(r);
}

/** SQLite has no `for update`: it serialises writers itself. */
export async function findDeviceForWrite(
  q: DbOrTx,
  id: string,
  sqlite: Database.Database | undefined,
): Promise<DeviceRow | undefined> {
  return findDevice(q, id, sqlite === undefined);
}

/**
 * Several devices at once, for a group commit; with PostgreSQL locked in id order until the
 * caller's transaction ends (two servers committing groups that share devices then wait for each
 * other instead of deadlocking). SQLite has one writer.
 */
export async function findDevicesForWrite(
  q: DbOrTx,
  ids: readonly string[],
  sqlite: Database.Database | undefined,
): Promise<DeviceRow[]> {
  if (ids.length === 0) return [];
  let sel = q
    .selectFrom('devices')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id');
  if (sqlite === undefined) sel = sel.forUpdate();
  return (await sel.execute()).map(deviceOf);
}

export async function updateDevice(
  q: DbOrTx,
  id: string,
  patch: Partial<Omit<DeviceRow, 'id'>>,
): Promise<void> {
  await q.updateTable('devices').set(patch).where('id', '=', id).execute();
}

export async function insertDeviceChange(q: DbOrTx, row: DeviceChangeRow): Promise<void> {
  await q.insertInto('device_changes').values(row).execute();
}

export async function findDeviceChange(
  q: DbOrTx,
  device: string,
  n: number,
): Promise<DeviceChangeRow | undefined> {
  const r = await q
    .selectFrom('device_changes')
    .selectAll()
    .where('device', '=', device)
    .where('n', '=', n)
    .executeTakeFirst();
  return r && { ...r, n: Number(r.n), log_index: Number(r.log_index) };
}

export async function deviceChangeIds(q: DbOrTx): Promise<{ device: string; n: number }[]> {
  const rows = await q
    .selectFrom('device_changes')
    .select(['device', 'n'])
    .orderBy('device')
    .orderBy('n')
    .execute();
  return rows.map((r) => ({ device: r.device, n: Number(r.n) }));
}

/**
 * Joint use granted or withdrawn (decision 0063): the organisation's `joint` row added or deleted,
 * in the caller's transaction with the change record that says so.
 */
export async function addJointParty(q: DbOrTx, device: string, organisation: string): Promise<void> {
  await q.insertInto('device_parties').values({ device, organisation, role: 'joint' }).execute();
}

export async function deleteJointParty(q: DbOrTx, device: string, organisation: string): Promise<void> {
  await q
    .deleteFrom('device_parties')
    .where('device', '=', device)
    .where('organisation', '=', organisation)
    .where('role', '=', 'joint')
    .execute();
}

/** A device's changes of these actions, in order (its joint-use grants, for its page). */
export async function deviceChangesOf(
  q: DbOrTx,
  device: string,
  actions: readonly string[],
): Promise<DeviceChangeRow[]> {
  const rows = await q
    .selectFrom('device_changes')
    .selectAll()
    .where('device', '=', device)
    .where('action', 'in', [...actions])
    .orderBy('n')
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n), log_index: Number(r.log_index) }));
}

/**
 * For the audit (decision 0063), a page of devices after `after` in id order: each device's
 * party rows and the snapshot of its latest change (the change its `changes` count names).
 */
export async function devicePartiesAfter(
  q: DbOrTx,
  after: string,
  limit: number,
): Promise<
  {
    id: string;
    owners: string;
    joint_use: string;
    snapshot: string | null;
    parties: { organisation: string; role: string }[];
  }[]
> {
  const devices = await q
    .selectFrom('devices as d')
    .leftJoin('device_changes as c', (j) => j.onRef('c.device', '=', 'd.id').onRef('c.n', '=', 'd.changes'))
    .select(['d.id', 'd.owners', 'd.joint_use', 'c.snapshot'])
    .where('d.id', '>', after)
    .orderBy('d.id')
    .limit(limit)
    .execute();
  if (devices.length === 0) return [];
  const parties = await q
    .selectFrom('device_parties')
    .select(['device', 'organisation', 'role'])
    .where(
      'device',
      'in',
      devices.map((d) => d.id),
    )
    .orderBy('device')
    .orderBy('organisation')
    .execute();
  const by = new Map<string, { organisation: string; role: string }[]>();
  for (const p of parties) {
    const list = by.get(p.device) ?? [];
    list.push({ organisation: p.organisation, role: p.role });
    by.set(p.device, list);
  }
  return devices.map((d) => ({ ...d, snapshot: d.snapshot ?? null, parties: by.get(d.id) ?? [] }));
}

/** Who may see a list of devices: the node's administrators all; others by party or state. */
export interface DeviceListScope {
  readonly all: boolean;
  /** Devices this organisation owns or has joint use of. */
  readonly organisation: string | null;
  /** Devices in these states (their state of health, for the state's own readers). */
  readonly states: readonly string[];
}

export async function pageDevices(
  q: DbOrTx,
  scope: DeviceListScope,
  filter: { facility?: string | undefined; status?: string | undefined },
  window: { limit: number; offset: number },
): Promise<{ rows: DeviceRow[]; total: number }> {
  let base = q.selectFrom('devices');
  if (!scope.all) {
    const org = scope.organisation;
    const states = scope.states;
    base = base.where((eb) =>
      eb.or([
        ...(org === null
          ? []
          : [
              eb(
                'id',
                'in',
                eb.selectFrom('device_parties').select('device').where('organisation', '=', org),
              ),
            ]),
        ...(states.length === 0 ? [] : [eb('state', 'in', [...states])]),
        sql<boolean>`1 = 0`,
      ]),
    );
  }
  if (filter.facility !== undefined) base = base.where('facility', '=', filter.facility);
  if (filter.status !== undefined) base = base.where('status', '=', filter.status);
  const [rows, n] = await Promise.all([
    base.selectAll().orderBy('id').limit(window.limit).offset(window.offset).execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
  ]);
  return { rows: rows.map(deviceOf), total: countOf(n as { n: string | number | bigint } | undefined) };
}

// ---- batches and events

export interface StoredBatch {
  readonly hash: string;
  readonly logIndex: number;
}

export async function findBatch(q: DbOrTx, device: string, seq: number): Promise<StoredBatch | undefined> {
  const r = await q
    .selectFrom('device_batches')
    .select(['hash', 'log_index'])
    .where('device', '=', device)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return r && { hash: r.hash, logIndex: Number(r.log_index) };
}

export async function readBatch(q: DbOrTx, device: string, seq: number): Promise<DeviceBatchRow | undefined> {
  const r = await q
    .selectFrom('device_batches')
    .selectAll()
    .where('device', '=', device)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return r && { ...r, seq: Number(r.seq), events: Number(r.events), log_index: Number(r.log_index) };
}

/** Accepted batches' keys after (device, seq), at most `limit`, in that order (the audit pages through them). */
export async function batchIdsAfter(
  q: DbOrTx,
  after: { device: string; seq: number },
  limit: number,
): Promise<{ device: string; seq: number }[]> {
  const rows = await q
    .selectFrom('device_batches')
    .select(['device', 'seq'])
    // A row value, which plans as a range of the key (decision 0095).
    .where(sql<SqlBool>`(device, seq) > (${after.device}, ${after.seq})`)
    .orderBy('device')
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ device: r.device, seq: Number(r.seq) }));
}

const BATCH_COLUMNS = [
  'device',
  'seq',
  'hash',
  'prev',
  'key_id',
  'signature',
  'bytes',
  'events',
  'first_event_at',
  'last_event_at',
  'received_at',
  'log_index',
] as const;

/** Accepted batches in one go (a group commit): prepared multi-row statements on SQLite. */
export async function insertBatches(
  q: DbOrTx,
  rows: readonly DeviceBatchRow[],
  sqlite: Database.Database | undefined,
): Promise<void> {
  if (rows.length === 0) return;
  if (sqlite) {
    const values: unknown[] = [];
    for (const r of rows) for (const c of BATCH_COLUMNS) values.push(r[c]);
    insertRowsSqlite(sqlite, 'device_batches', BATCH_COLUMNS, values);
    return;
  }
  for (let i = 0; i < rows.length; i += 200)
    await q
      .insertInto('device_batches')
      .values(rows.slice(i, i + 200))
      .execute();
}

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

// ---- refusals, CoK intervals and alarms

export async function insertRefusal(q: DbOrTx, row: DeviceRefusalRow): Promise<void> {
  await q.insertInto('device_refusals').values(row).execute();
}

export async function latestRefusals(q: DbOrTx, device: string, limit: number): Promise<DeviceRefusalRow[]> {
  const rows = await q
    .selectFrom('device_refusals')
    .selectAll()
    .where('device', '=', device)
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: r.seq === null ? null : Number(r.seq) }));
}

/**
 * One page of a device's refused batches, newest first (then the higher seq first), with how many
 * there are in all; `details` is the refusal's problems as stored (JSON).
 */
export async function pageRefusals(
  q: DbOrTx,
  device: string,
  window: { limit: number; offset: number },
): Promise<{ rows: DeviceRefusalRow[]; total: number }> {
  const base = q.selectFrom('device_refusals').where('device', '=', device);
  const [rows, n] = await Promise.all([
    base
      .selectAll()
      .orderBy('at', 'desc')
      // A refusal without a seq (the body could not be read) last among equal times, on both dialects.
      .orderBy(sql`coalesce(seq, -1)`, 'desc')
      // The table has no id: code and body make the order total, so pages neither repeat nor skip
      // (rows equal in all four are the same batch refused the same way, and interchangeable).
      .orderBy('code')
      .orderBy('body_sha256')
      .limit(window.limit)
      .offset(window.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
  ]);
  return {
    rows: rows.map((r) => ({ ...r, seq: r.seq === null ? null : Number(r.seq) })),
    total: countOf(n as { n: string | number | bigint } | undefined),
  };
}

export async function insertIntervals(q: DbOrTx, rows: readonly DeviceIntervalRow[]): Promise<void> {
  if (rows.length > 0)
    await q
      .insertInto('device_intervals')
      .values([...rows])
      .execute();
}

/** The device's closed CoK intervals, latest first. */
export async function latestIntervals(
  q: DbOrTx,
  device: string,
  limit: number,
): Promise<DeviceIntervalRow[]> {
  return q
    .selectFrom('device_intervals')
    .selectAll()
    .where('device', '=', device)
    .orderBy('from_at', 'desc')
    .limit(limit)
    .execute();
}

/** Alarms raised, each once: a fold that raises one again (same device, code and cause time) adds nothing. */
export async function insertAlarms(q: DbOrTx, rows: readonly DeviceAlarmRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q
    .insertInto('device_alarms')
    .values([...rows])
    .onConflict((oc) => oc.columns(['device', 'code', 'at']).doNothing())
    .execute();
}

export async function alarmsOf(q: DbOrTx, device: string, limit: number): Promise<DeviceAlarmRow[]> {
  return q
    .selectFrom('device_alarms')
    .selectAll()
    .where('device', '=', device)
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
}
