import type { ErrorCode, ErrorDetail } from '../../domain/errors.js';
import {
  acceptsBatches,
  type Batch,
  type ChainHead,
  type CokState,
  checkChain,
  checkEventTimes,
  type DeviceStatus,
  foldBatch,
  silenceCheckAfter,
  type TimeInterval,
  type TimeTolerance,
} from '../../domain/monitoring/index.js';
import { problemOf } from '../../domain/particulars.js';
import type { DbOrTx } from '../../store/db.js';
import { insertEvents } from '../../store/device-events.repo.js';
import {
  findBatch,
  findDevicesForWrite,
  insertAlarms,
  insertBatches,
  insertIntervals,
  updateDevice,
} from '../../store/monitoring.repo.js';
import type {
  DeviceAlarmRow,
  DeviceBatchRow,
  DeviceEventRow,
  DeviceIntervalRow,
  DeviceRow,
} from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecords, type NewRecord } from '../records.js';
import { batchContent, batchRecordId, cokDeviceOf, receiptUrlOf } from './batch-record.js';
import { cokContextOf, storeRuleFacts } from './rules.js';

/**
 * Group commit of monitoring batches (issue 18 targets, decision 0037): the batches that arrived
 * while the previous transaction was committing are applied together in ONE transaction — one
 * fsync for all of them instead of one each, which is where the time went (decision 0029 left
 * it open). Nothing about a single batch changes: each is checked against its device's head as
 * the batches before it in the group left it, gets its own `device-batch` record and log entry,
 * and is answered only after the commit. A batch the chain or the clock refuses is left out of
 * the group (its checks come before any of its writes) and answered as a refusal.
 */

/** A batch admitted (device known, signature verified, bytes read) and waiting for its commit. */
export interface Admitted {
  readonly device: string;
  readonly bytes: Uint8Array;
  readonly batch: Batch;
  readonly hash: string;
  /** The key id the signature was verified under: the device's key must still be it. */
  readonly keyId: string;
  /** Base64 of the 64-byte signature. */
  readonly signature: string;
  readonly receivedAt: string;
  readonly transport: 'http' | 'mqtt';
}

export interface BatchReceipt {
  readonly seq: number;
  readonly logIndex: number;
  readonly receiptUrl: string;
  /** True when this exact batch had already been accepted: nothing changed. */
  readonly replay: boolean;
}

/** An alarm raised by a batch or a refusal, committed with it; cases are opened from these. */
export interface RaisedAlarm {
  readonly device: string;
  readonly state: string;
  readonly code: string;
  readonly at: string;
  readonly detail: string;
}

/** A refusal decided inside the transaction: the batch is left out, recorded after the commit. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly details: readonly ErrorDetail[],
    readonly seq: number | null,
  ) {
    super(reason);
  }
}

export type Outcome =
  | { readonly kind: 'accepted'; readonly receipt: BatchReceipt; readonly alarms: readonly RaisedAlarm[] }
  | { readonly kind: 'refused'; readonly refusal: Refusal }
  /**
   * An MQTT batch whose predecessor did not come (awaitPredecessor gave up): not answered, so the
   * broker sends it again later (decision 0041).
   */
  | { readonly kind: 'later'; readonly seq: number; readonly head: number };

/** A device as the group leaves it, written back once at the end. */
interface Working {
  readonly row: DeviceRow;
  head: ChainHead;
  lastEventAt: string | null;
  lastSeenAt: string | null;
  cok: CokState;
  changed: boolean;
  /** Events of its batches accepted in this group, added to its kept figure (decision 0105). */
  events: number;
}

/** What an accepted batch writes, gathered so every table gets one multi-row insert. */
interface Pending {
  readonly at: number;
  readonly stored: Omit<DeviceBatchRow, 'log_index'>;
  readonly record: NewRecord;
  readonly alarms: RaisedAlarm[];
}

function eventRows(device: string, batch: Batch, out: DeviceEventRow[]): void {
  for (let i = 0; i < batch.events.length; i++) {
    const { time: _t, type, at, ...rest } = batch.events[i] as Batch['events'][number];
    const keys = Object.keys(rest);
    out.push({
      device,
      at: new Date(at).toISOString(),
      seq: batch.seq,
      idx: i,
      type,
      data: keys.length === 0 ? null : JSON.stringify(rest),
    });
  }
}

/**
 * Applies a group of admitted batches in the caller's transaction; answers one outcome per batch,
 * in the order given. Batches of one device are applied in seq order (two transports or two
 * connections may hand them over in either order); the devices' rows are locked in id order
 * (PostgreSQL), so two servers committing groups that share devices wait for each other instead
 * of deadlocking, and each reads the head the other committed.
 */
// long: one pass over the group — chain, times, fold — then one insert per table; split, the working state would have to travel
export async function applyGroup(
  tx: DbOrTx,
  ports: Pick<Ports, 'db' | 'random'>,
  group: readonly Admitted[],
  tolerance: TimeTolerance,
): Promise<Outcome[]> {
  const sqlite = ports.db.sqlite;
  const rows = await findDevicesForWrite(tx, [...new Set(group.map((g) => g.device))], sqlite);
  const working = new Map<string, Working>();
  for (const row of rows)
    working.set(row.id, {
      row,
      head: {
        seq: row.head_seq,
        hash: row.head_hash,
        lastEventAt: row.last_event_at === null ? null : Date.parse(row.last_event_at),
      },
      lastEventAt: row.last_event_at,
      lastSeenAt: row.last_seen_at,
      cok: JSON.parse(row.cok) as CokState,
      changed: false,
      events: 0,
    });
  // The inspections at each facility over the whole group's event times (decision 0038): read
  // once per facility; each event is judged against the windows that cover it.
  const inspections = new Map<string, readonly TimeInterval[]>();
  let groupFirst = Number.POSITIVE_INFINITY;
  let groupLast = Number.NEGATIVE_INFINITY;
  for (const g of group)
    for (const e of g.batch.events) {
      if (e.at < groupFirst) groupFirst = e.at;
      if (e.at > groupLast) groupLast = e.at;
    }
  const order = group.map((_, i) => i);
  order.sort((a, b) => {
    const x = group[a] as Admitted;
    const y = group[b] as Admitted;
    return x.device === y.device ? x.batch.seq - y.batch.seq : a - b;
  });
  const outcomes: (Outcome | undefined)[] = new Array(group.length);
  /** Batches accepted earlier in this group, by device and seq: a replay of one answers its receipt. */
  const inGroup = new Map<string, { hash: string; at: number }>();
  const pending: Pending[] = [];
  const events: DeviceEventRow[] = [];
  const intervals: DeviceIntervalRow[] = [];

  for (const i of order) {
    const g = group[i] as Admitted;
    const w = working.get(g.device);
    if (!w) {
      outcomes[i] = refused('DEVICE_NOT_IN_SERVICE', `device ${g.device} is not registered`, [], g.batch.seq);
      continue;
    }
    const row = w.row;
    if (!acceptsBatches(row.status as DeviceStatus)) {
      outcomes[i] = refused('DEVICE_NOT_IN_SERVICE', `device ${g.device} is ${row.status}`, [], g.batch.seq);
      continue;
    }
    if (row.key_id !== g.keyId) {
      // The device was installed again with a new key between admission and this commit.
      const why = `the signature names key ${g.keyId}, the device's key is ${row.key_id}`;
      outcomes[i] = refused(
        'DEVICE_AUTH_FAILED',
        why,
        [
          {
            field: 'signature',
            ...problemOf('SIGNATURE_INVALID.otherKey', { keyId: g.keyId, deviceKey: row.key_id }),
            message: why,
          },
        ],
        null,
      );
      continue;
    }
    const key = `${g.device}\n${g.batch.seq}`;
    const sibling = inGroup.get(key);
    const earlier =
      g.batch.seq > w.head.seq
        ? undefined
        : sibling
          ? { hash: sibling.hash, logIndex: -1 }
          : await findBatch(tx, g.device, g.batch.seq);
    const verdict = checkChain(w.head, g.batch, g.hash, earlier?.hash);
    if (verdict.kind === 'replay' && earlier) {
      outcomes[i] = {
        kind: 'accepted',
        receipt: {
          seq: g.batch.seq,
          // Filled in below when the batch it repeats is committed in this very group.
          logIndex: earlier.logIndex,
          receiptUrl: receiptUrlOf(g.device, g.batch.seq),
          replay: true,
        },
        alarms: [],
      };
      continue;
    }
    if (verdict.kind === 'broken' && verdict.detail.code === 'SEQ_GAP' && g.transport === 'mqtt') {
      // With a shared subscription the broker may hand n+1 to one connection or server while n
      // is still on its way through another: a reorder the device did not make. Left
      // unacknowledged, it comes back; a real gap still shows to HTTP and in the CoK timer.
      outcomes[i] = { kind: 'later', seq: g.batch.seq, head: w.head.seq };
      continue;
    }
    if (verdict.kind === 'broken') {
      outcomes[i] = refused('DEVICE_CHAIN_BROKEN', verdict.detail.message, [verdict.detail], g.batch.seq);
      continue;
    }
    const times = checkEventTimes(g.batch.events, w.head.lastEventAt, Date.parse(g.receivedAt), tolerance);
    if (times.length > 0) {
      outcomes[i] = refused('DEVICE_BATCH_INVALID', 'events are out of time', times, g.batch.seq);
      continue;
    }

    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const e of g.batch.events) {
      if (e.at < first) first = e.at;
      if (e.at > last) last = e.at;
    }
    const stored: Omit<DeviceBatchRow, 'log_index'> = {
      device: g.device,
      seq: g.batch.seq,
      hash: g.hash,
      prev: g.batch.prev,
      key_id: row.key_id,
      signature: g.signature,
      bytes: g.bytes,
      events: g.batch.events.length,
      first_event_at: new Date(first).toISOString(),
      last_event_at: new Date(last).toISOString(),
      received_at: g.receivedAt,
    };
    const ctx = await cokContextOf(tx, row, stored.first_event_at, stored.last_event_at, {
      cache: inspections,
      from: new Date(groupFirst).toISOString(),
      to: new Date(groupLast).toISOString(),
    });
    const cokDevice = cokDeviceOf(row);
    const step = foldBatch(
      w.cok,
      cokDevice,
      { seq: g.batch.seq, receivedAt: g.receivedAt, events: g.batch.events },
      ctx,
    );
    // Its seal's openings and gate counts, for the cameras and the gate comparison (decision 0038).
    await storeRuleFacts(tx, row, step);
    for (const c of step.closed)
      intervals.push({
        device: row.id,
        reason: c.reason,
        status: c.status,
        from_at: c.from,
        to_at: c.to,
        detail: c.detail,
        closed_by: c.closedBy ?? null,
        particulars: c.cause === undefined ? null : JSON.stringify(c.cause),
      });
    w.cok = step.state;
    if (w.head.lastEventAt === null || last > w.head.lastEventAt) w.lastEventAt = stored.last_event_at;
    w.head = {
      seq: g.batch.seq,
      hash: g.hash,
      lastEventAt: w.head.lastEventAt === null ? last : Math.max(w.head.lastEventAt, last),
    };
    w.lastSeenAt = g.receivedAt;
    w.changed = true;
    inGroup.set(key, { hash: g.hash, at: i });
    eventRows(g.device, g.batch, events);
    w.events += g.batch.events.length;
    pending.push({
      at: i,
      stored,
      record: {
        kind: 'device-batch',
        id: batchRecordId(g.device, g.batch.seq),
        content: batchContent(stored, g.hash),
        subjectState: row.state,
        subjectOrg: null,
        at: g.receivedAt,
        by: `device:${g.device}`,
      },
      alarms: step.alarms.map((a) => ({
        device: row.id,
        state: row.state,
        code: a.code,
        at: a.at,
        detail: a.detail,
      })),
    });
  }

  // One log entry per accepted batch (issue 18 item 4), sequenced in one step for the group.
  const indexes = await appendRecords(
    tx,
    ports,
    pending.map((p) => p.record),
  );
  await insertBatches(
    tx,
    pending.map((p, j) => ({ ...p.stored, log_index: indexes[j] as number })),
    sqlite,
  );
  await insertEvents(tx, events, sqlite);
  await insertIntervals(tx, intervals);
  const alarmRows: DeviceAlarmRow[] = [];
  for (const p of pending)
    for (const a of p.alarms) alarmRows.push({ ...a, raised_at: p.stored.received_at });
  await insertAlarms(tx, alarmRows);
  for (const w of working.values()) {
    if (!w.changed) continue;
    await updateDevice(tx, w.row.id, {
      head_seq: w.head.seq,
      head_hash: w.head.hash,
      last_event_at: w.lastEventAt,
      last_seen_at: w.lastSeenAt,
      cok: JSON.stringify(w.cok),
      // The CoK timer's next look at this device (decision 0030).
      cok_check_after: silenceCheckAfter(w.cok, cokDeviceOf(w.row)),
      // Its event list's total (decision 0105), from the row read under the same lock as the head.
      event_count: (w.row.event_count ?? 0) + w.events,
    });
  }
  const byKey = new Map<string, number>();
  pending.forEach((p, j) => {
    const logIndex = indexes[j] as number;
    byKey.set(`${p.stored.device}\n${p.stored.seq}`, logIndex);
    outcomes[p.at] = {
      kind: 'accepted',
      receipt: {
        seq: p.stored.seq,
        logIndex,
        receiptUrl: receiptUrlOf(p.stored.device, p.stored.seq),
        replay: false,
      },
      alarms: p.alarms,
    };
  });
  return group.map((g, i) => {
    const o = outcomes[i] as Outcome;
    if (o.kind === 'accepted' && o.receipt.logIndex < 0) {
      const logIndex = byKey.get(`${g.device}\n${g.batch.seq}`) as number;
      return { ...o, receipt: { ...o.receipt, logIndex } };
    }
    return o;
  });
}

function refused(
  code: ErrorCode,
  reason: string,
  details: readonly ErrorDetail[],
  seq: number | null,
): Outcome {
  return { kind: 'refused', refusal: new Refusal(code, reason, details, seq) };
}
