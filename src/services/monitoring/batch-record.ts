import { type CokDevice, type CokState, foldTick, hashBatch } from '../../domain/monitoring/index.js';
import type { DeviceBatchRow, DeviceRow } from '../../store/schema.types.js';

/** What names an accepted batch in the record and in receipts (decision 0029). */

export function batchRecordId(device: string, seq: number): string {
  return `device-batch:${device}:${seq}`;
}

/** `device-batch:<device>:<seq>` → its parts (device ids have no `:`). */
export function parseBatchRecordId(id: string): { device: string; seq: number } | undefined {
  const m = /^device-batch:([^:]+):(\d+)$/.exec(id);
  return m ? { device: m[1] as string, seq: Number(m[2]) } : undefined;
}

export function receiptUrlOf(device: string, seq: number): string {
  return `/api/records/${encodeURIComponent(batchRecordId(device, seq))}/receipt`;
}

/**
 * The logged content of an accepted batch: its commitment covers the SHA-256 of the exact bytes
 * (as stored: a rewritten batch shows in the audit), the chain link, the signature and when it
 * arrived; one record per batch, not per event (issue 18 item 4). The ingestion passes the hash
 * it already took of the bytes (a batch is hashed once on its way in); the audit leaves it out,
 * so the hash is taken again from the stored bytes.
 */
export function batchContent(
  row: Omit<DeviceBatchRow, 'log_index'>,
  sha256: string = hashBatch(row.bytes),
): unknown {
  return {
    device: row.device,
    seq: row.seq,
    sha256,
    prev: row.prev,
    keyId: row.key_id,
    signature: row.signature,
    events: row.events,
    firstEventAt: row.first_event_at,
    lastEventAt: row.last_event_at,
    receivedAt: row.received_at,
  };
}

export function cokDeviceOf(row: DeviceRow): CokDevice {
  return {
    id: row.id,
    kind: row.kind,
    heartbeatSeconds: row.heartbeat_seconds,
    // One missed heartbeat is tolerated before the device counts as silent.
    toleranceSeconds: row.heartbeat_seconds,
    since: row.registered_at,
  };
}

/**
 * The device's CoK state now: the stored state is as of its last batch, silence since then is
 * judged at `now` (decision 0030); a removed device's stays as it was.
 */
export function cokNow(row: DeviceRow, now: string): CokState {
  const stored = JSON.parse(row.cok) as CokState;
  return row.status === 'removed' ? stored : foldTick(stored, cokDeviceOf(row), now).state;
}
