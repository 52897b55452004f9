import type Database from 'better-sqlite3';
import { type SqlBool, sql } from 'kysely';
import { insertRowsSqlite } from './bulk.js';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type {
  DeviceAlarmRow,
  DeviceBatchRow,
  DeviceChangeRow,
  DeviceIntervalRow,
  DeviceRefusalRow,
  DeviceRow,
} from './schema.types.js';

/**
 * Remote monitoring's rows (migration 0015, decision 0029): the device registry, accepted batches
 * (their events: device-events.repo.ts), refusals, and the CoK intervals and alarms. Every
 * function takes the caller's database or transaction.
 */

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
