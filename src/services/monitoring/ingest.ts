import { DomainError, type ErrorCode, type ErrorDetail, isDomainError } from '../../domain/errors.js';
import {
  acceptsBatches,
  BATCH_LIMITS,
  type Batch,
  type BatchLimits,
  type ChainHead,
  type CokDevice,
  type CokState,
  type CokStep,
  checkChain,
  checkEventTimes,
  type DeviceStatus,
  foldBatch,
  foldIncident,
  hashBatch,
  parseBatch,
  parseBatchSignature,
  silenceCheckAfter,
  TIME_TOLERANCE,
  type TimeTolerance,
  verifyBatchSignature,
} from '../../domain/monitoring/index.js';
import { encodeBase64 } from '../../log/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  findBatch,
  findDevice,
  findDeviceForWrite,
  insertAlarms,
  insertBatch,
  insertEvents,
  insertIntervals,
  insertRefusal,
  inspectionsInProgress,
  updateDevice,
} from '../../store/monitoring.repo.js';
import type { DeviceBatchRow, DeviceEventRow, DeviceRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';

/** A batch as either transport hands it over: the device it was sent for, the exact bytes, the signature. */
export interface BatchSubmission {
  /** The device of the URL (HTTP) or of the topic (MQTT). */
  readonly device: string;
  readonly bytes: Uint8Array;
  /** `<keyId>:<base64 signature>`; undefined when none was sent. */
  readonly signature: string | undefined;
  readonly transport: 'http' | 'mqtt';
}

/** What the sender gets: for a new batch (201) and, identical, for the same batch again (200). */
export interface BatchReceipt {
  readonly seq: number;
  readonly logIndex: number;
  readonly receiptUrl: string;
  /** True when this exact batch had already been accepted: nothing changed. */
  readonly replay: boolean;
}

export interface IngestionOptions {
  readonly limits?: BatchLimits;
  readonly tolerance?: TimeTolerance;
}

/** An alarm raised by a batch or a refusal, committed with it; cases are opened from these. */
export interface RaisedAlarm {
  readonly device: string;
  readonly state: string;
  readonly code: string;
  readonly at: string;
  readonly detail: string;
}

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
 * arrived; one record per batch, not per event (issue 18 item 4).
 */
export function batchContent(row: Omit<DeviceBatchRow, 'log_index'>): unknown {
  return {
    device: row.device,
    seq: row.seq,
    sha256: hashBatch(row.bytes),
    prev: row.prev,
    keyId: row.key_id,
    signature: row.signature,
    events: row.events,
    firstEventAt: row.first_event_at,
    lastEventAt: row.last_event_at,
    receivedAt: row.received_at,
  };
}

/** A refusal decided inside the transaction: thrown to roll it back, recorded after. */
class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly details: readonly ErrorDetail[],
    readonly seq: number | null,
  ) {
    super(reason);
  }
}

/** Which refusals are incidents of the device's CoK (decision 0030); the others are only recorded. */
const INCIDENTS: Partial<Record<ErrorCode, 'chain-broken' | 'auth-failed'>> = {
  DEVICE_CHAIN_BROKEN: 'chain-broken',
  DEVICE_AUTH_FAILED: 'auth-failed',
};

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

function eventRows(device: string, batch: Batch): DeviceEventRow[] {
  const rows: DeviceEventRow[] = new Array(batch.events.length);
  for (let i = 0; i < batch.events.length; i++) {
    const { time: _t, type, at, ...rest } = batch.events[i] as Batch['events'][number];
    const keys = Object.keys(rest);
    rows[i] = {
      device,
      at: new Date(at).toISOString(),
      seq: batch.seq,
      idx: i,
      type,
      data: keys.length === 0 ? null : JSON.stringify(rest),
    };
  }
  return rows;
}

/** Stores what a fold step says: its closed intervals and raised alarms; answers the alarms. */
export async function storeStep(
  tx: DbOrTx,
  row: DeviceRow,
  step: CokStep,
  at: string,
): Promise<RaisedAlarm[]> {
  await insertIntervals(
    tx,
    step.closed.map((i) => ({
      device: row.id,
      reason: i.reason,
      status: i.status,
      from_at: i.from,
      to_at: i.to,
      detail: i.detail,
      closed_by: i.closedBy ?? null,
    })),
  );
  const alarms = step.alarms.map((a) => ({
    device: row.id,
    state: row.state,
    code: a.code,
    at: a.at,
    detail: a.detail,
  }));
  await insertAlarms(
    tx,
    alarms.map((a) => ({ ...a, raised_at: at })),
  );
  return alarms;
}

/**
 * The one ingestion of monitoring batches (issue 18 items 2-4), used by HTTP and MQTT alike:
 * signature, reading, chain and times checked; then in ONE transaction the batch (exact bytes),
 * its events, the device's chain head and CoK state, and one log record. `ingest` resolves once
 * that transaction is committed (so MQTT acknowledges only then) and rejects with a DomainError
 * when the batch is refused, after recording the refusal (and, for a broken chain or a failed
 * signature, the CoK incident and its alarm); nothing else changes on a refusal.
 */
// long: a factory whose admission, commit and refusal steps share the limits and the alarm listeners
export function createIngestion(ports: Ports, options: IngestionOptions = {}) {
  const limits = options.limits ?? BATCH_LIMITS;
  const tolerance = options.tolerance ?? TIME_TOLERANCE;
  const k = ports.db.kysely;
  const sqlite = ports.db.sqlite;
  const listeners: ((alarms: readonly RaisedAlarm[]) => void)[] = [];

  function raised(alarms: readonly RaisedAlarm[]): void {
    if (alarms.length === 0) return;
    for (const l of listeners) l(alarms);
  }

  /** Records a refusal of a registered device, and its CoK incident, in a transaction of its own. */
  async function recordRefusal(device: string, s: BatchSubmission, r: Refusal, at: string): Promise<void> {
    const incident = INCIDENTS[r.code];
    const alarms = await k.transaction().execute(async (tx) => {
      await insertRefusal(tx, {
        device,
        at,
        code: r.code,
        details: JSON.stringify(r.details),
        seq: r.seq,
        body_sha256: hashBatch(s.bytes),
        transport: s.transport,
      });
      if (!incident) return [];
      const row = await findDeviceForWrite(tx, device, sqlite);
      if (!row) return [];
      const step = foldIncident(JSON.parse(row.cok) as CokState, cokDeviceOf(row), {
        kind: incident,
        at,
        detail: r.details.map((d) => d.message).join('; ') || r.reason,
      });
      const out = await storeStep(tx, row, step, at);
      await updateDevice(tx, device, {
        cok: JSON.stringify(step.state),
        cok_check_after: silenceCheckAfter(step.state, cokDeviceOf(row)),
      });
      return out;
    });
    raised(alarms);
  }

  /** The checks that need no transaction: device known and in service, signature, bytes. */
  async function admit(s: BatchSubmission): Promise<{ row: DeviceRow; batch: Batch; hash: string }> {
    const row = await findDevice(k, s.device);
    if (!row) throw new DomainError('DEVICE_UNKNOWN', `no device ${s.device} is registered`);
    if (!acceptsBatches(row.status as DeviceStatus))
      throw new Refusal('DEVICE_NOT_IN_SERVICE', `device ${s.device} is ${row.status}`, [], null);
    if (s.bytes.length > limits.maxBytes) {
      throw new Refusal(
        'DEVICE_BATCH_TOO_LARGE',
        `the batch is ${s.bytes.length} bytes; at most ${limits.maxBytes} are accepted`,
        [],
        null,
      );
    }
    const sig = parseBatchSignature(s.signature);
    // Verified before anything is read: bytes nobody signed are not parsed.
    if (!sig || !verifyBatchSignature(new Uint8Array(Buffer.from(row.public_key, 'base64')), s.bytes, sig)) {
      const why = !sig
        ? 'the signature is missing or not <keyId>:<base64 of 64 bytes>'
        : sig.keyId !== row.key_id
          ? `the signature names key ${sig.keyId}, the device's key is ${row.key_id}`
          : "the signature does not verify under the device's key";
      throw new Refusal(
        'DEVICE_AUTH_FAILED',
        why,
        [{ field: 'signature', code: 'SIGNATURE_INVALID', message: why }],
        null,
      );
    }
    const read = parseBatch(s.bytes, limits);
    if (!read.ok) {
      throw new Refusal(
        read.tooLarge ? 'DEVICE_BATCH_TOO_LARGE' : 'DEVICE_BATCH_INVALID',
        'the batch cannot be read',
        read.details,
        null,
      );
    }
    if (read.batch.device !== s.device) {
      const message = `the batch names device ${read.batch.device}, it was sent for ${s.device}`;
      throw new Refusal(
        'DEVICE_BATCH_INVALID',
        message,
        [{ field: 'device', code: 'DEVICE_MISMATCH', message }],
        read.batch.seq,
      );
    }
    return { row, batch: read.batch, hash: hashBatch(s.bytes) };
  }

  async function commit(
    s: BatchSubmission,
    batch: Batch,
    hash: string,
    receivedAt: string,
  ): Promise<{ receipt: BatchReceipt; alarms: RaisedAlarm[] }> {
    const signature = parseBatchSignature(s.signature);
    return k.transaction().execute(async (tx) => {
      // Locked (PostgreSQL) until commit: two servers given batches of one device apply them in turn.
      const row = await findDeviceForWrite(tx, s.device, sqlite);
      if (!row) throw new DomainError('DEVICE_UNKNOWN', `no device ${s.device} is registered`);
      if (!acceptsBatches(row.status as DeviceStatus))
        throw new Refusal('DEVICE_NOT_IN_SERVICE', `device ${s.device} is ${row.status}`, [], batch.seq);
      const head: ChainHead = {
        seq: row.head_seq,
        hash: row.head_hash,
        lastEventAt: row.last_event_at === null ? null : Date.parse(row.last_event_at),
      };
      const earlier = batch.seq <= head.seq ? await findBatch(tx, s.device, batch.seq) : undefined;
      const verdict = checkChain(head, batch, hash, earlier?.hash);
      if (verdict.kind === 'replay' && earlier) {
        const receipt = {
          seq: batch.seq,
          logIndex: earlier.logIndex,
          receiptUrl: receiptUrlOf(s.device, batch.seq),
          replay: true,
        };
        return { receipt, alarms: [] };
      }
      if (verdict.kind === 'broken')
        throw new Refusal('DEVICE_CHAIN_BROKEN', verdict.detail.message, [verdict.detail], batch.seq);
      const times = checkEventTimes(batch.events, head.lastEventAt, Date.parse(receivedAt), tolerance);
      if (times.length > 0)
        throw new Refusal('DEVICE_BATCH_INVALID', 'events are out of time', times, batch.seq);

      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (const e of batch.events) {
        if (e.at < first) first = e.at;
        if (e.at > last) last = e.at;
      }
      const stored: Omit<DeviceBatchRow, 'log_index'> = {
        device: s.device,
        seq: batch.seq,
        hash,
        prev: batch.prev,
        key_id: row.key_id,
        signature: signature ? encodeBase64(signature.signature) : '',
        bytes: s.bytes,
        events: batch.events.length,
        first_event_at: new Date(first).toISOString(),
        last_event_at: new Date(last).toISOString(),
        received_at: receivedAt,
      };
      const logIndex = await appendRecord(tx, ports, {
        kind: 'device-batch',
        id: batchRecordId(s.device, batch.seq),
        content: batchContent(stored),
        subjectState: row.state,
        subjectOrg: null,
        at: receivedAt,
        by: `device:${s.device}`,
      });
      await insertBatch(tx, { ...stored, log_index: logIndex });
      await insertEvents(tx, eventRows(s.device, batch), sqlite);
      const ctx = {
        inspections: await inspectionsInProgress(tx, row.facility),
        declaredActivities: [],
        containmentSealOpen: [],
      };
      const step = foldBatch(
        JSON.parse(row.cok) as CokState,
        cokDeviceOf(row),
        { seq: batch.seq, receivedAt, events: batch.events },
        ctx,
      );
      const alarms = await storeStep(tx, row, step, receivedAt);
      const lastEventAt =
        head.lastEventAt === null || last > head.lastEventAt ? stored.last_event_at : row.last_event_at;
      await updateDevice(tx, s.device, {
        head_seq: batch.seq,
        head_hash: hash,
        last_event_at: lastEventAt,
        last_seen_at: receivedAt,
        cok: JSON.stringify(step.state),
        // The CoK timer's next look at this device (decision 0030).
        cok_check_after: silenceCheckAfter(step.state, cokDeviceOf(row)),
      });
      return {
        receipt: { seq: batch.seq, logIndex, receiptUrl: receiptUrlOf(s.device, batch.seq), replay: false },
        alarms,
      };
    });
  }

  return {
    /**
     * Verify, chain and commit one batch. Resolves after the commit (the receipt); rejects with a
     * DomainError (DEVICE_UNKNOWN, DEVICE_NOT_IN_SERVICE, DEVICE_AUTH_FAILED, DEVICE_BATCH_INVALID,
     * DEVICE_BATCH_TOO_LARGE, DEVICE_CHAIN_BROKEN) once the refusal is recorded — a final answer:
     * sending the same bytes again is refused again. Any other rejection (the database is down)
     * is not an answer: the batch may be sent again.
     */
    async ingest(s: BatchSubmission): Promise<BatchReceipt> {
      const at = isoNow(ports.clock);
      try {
        const { batch, hash } = await admit(s);
        try {
          const { receipt, alarms } = await commit(s, batch, hash, at);
          raised(alarms);
          return receipt;
        } catch (err) {
          // Two servers raced on one seq: the (device, seq) key let one commit; judge again.
          if (
            !(err instanceof Refusal) &&
            !isDomainError(err) &&
            /unique|duplicate/i.test(String((err as Error).message))
          ) {
            const { receipt } = await commit(s, batch, hash, at);
            return receipt;
          }
          throw err;
        }
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        await recordRefusal(s.device, s, err, at);
        throw new DomainError(err.code, err.reason, err.details.length > 0 ? err.details : undefined);
      }
    },
    /**
     * Waits, at most `timeoutMs`, until the device's chain has reached `seq - 1`: with an MQTT
     * shared subscription a device's next batch may reach this server while another server is
     * still committing its predecessor, a reorder the device did not make (decision 0030).
     */
    async awaitPredecessor(device: string, seq: number, timeoutMs = 2000): Promise<void> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const row = await findDevice(k, device);
        if (!row || row.head_seq >= seq - 1 || Date.now() >= until) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** Called with the alarms each committed batch or refusal raised (to open their cases). */
    onAlarms(listener: (alarms: readonly RaisedAlarm[]) => void): void {
      listeners.push(listener);
    },
  };
}
