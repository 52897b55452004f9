import { sql } from 'kysely';
import type { DbOrTx } from './db.js';
import type { DeviceAlarmRow } from './schema.types.js';

/**
 * The continuity-of-knowledge timer's reads and writes (migration 0020, decision 0030): the
 * devices due for a look, by index, and the device alarms whose case is still to open. Each is
 * bounded by a limit: 10 000 devices never come into the heap at once.
 */

/** Advisory lock of the CoK timer on PostgreSQL: one pass at a time across servers (as the integrator's). */
const COK_TIMER_LOCK = 0x636f6b; // "cok"

/** On PostgreSQL, whether this transaction holds the timer's lock (SQLite: one writer, always). */
export async function tryLockCokTimer(q: DbOrTx, dialect: 'sqlite' | 'postgres'): Promise<boolean> {
  if (dialect === 'sqlite') return true;
  const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${COK_TIMER_LOCK}) as ok`.execute(q);
  return r.rows[0]?.ok === true;
}

/** Installed devices whose silence limit has passed (or was never computed), oldest first. */
export async function devicesDueForCheck(q: DbOrTx, now: string, limit: number): Promise<string[]> {
  const rows = await q
    .selectFrom('devices')
    .select('id')
    .where('status', '=', 'installed')
    .where((eb) => eb.or([eb('cok_check_after', 'is', null), eb('cok_check_after', '<=', now)]))
    .orderBy('cok_check_after')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Device alarms whose case is not opened yet, oldest first. */
export async function deviceAlarmsWithoutCase(q: DbOrTx, limit: number): Promise<DeviceAlarmRow[]> {
  return q
    .selectFrom('device_alarms')
    .selectAll()
    .where('case_opened', '=', 0)
    .orderBy('raised_at')
    .limit(limit)
    .execute();
}

export async function markDeviceAlarmCase(q: DbOrTx, a: Pick<DeviceAlarmRow, 'device' | 'code' | 'at'>) {
  await q
    .updateTable('device_alarms')
    .set({ case_opened: 1 })
    .where('device', '=', a.device)
    .where('code', '=', a.code)
    .where('at', '=', a.at)
    .execute();
}

/**
 * The MBA a device's alarms are listed and its cases opened under: the MBA of its KMP at its
 * facility, else the facility's first MBA (SQL shared with GET /api/alarms).
 */
export function deviceMbaSql(device: string) {
  return sql<string>`coalesce(
    (select min(k.mba) from kmps k join mbas b on b.code = k.mba join devices v on v.id = ${sql.ref(device)}
      where b.facility = v.facility and k.code = v.kmp),
    (select min(b.code) from mbas b join devices v on v.id = ${sql.ref(device)} where b.facility = v.facility))`;
}

export async function mbaOfDevice(q: DbOrTx, device: string): Promise<string | undefined> {
  const r = await sql<{
    mba: string | null;
  }>`select ${deviceMbaSql('d.id')} as mba from devices d where d.id = ${device}`.execute(q);
  return r.rows[0]?.mba ?? undefined;
}
