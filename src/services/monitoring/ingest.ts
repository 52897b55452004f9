import { DomainError, type ErrorCode, type ErrorDetail, isDomainError } from '../../domain/errors.js';
import {
  acceptsBatches,
  BATCH_LIMITS,
  type BatchLimits,
  type CokCause,
  type CokState,
  type CokStep,
  type DeviceStatus,
  foldIncident,
  hashBatch,
  parseBatch,
  parseBatchSignature,
  silenceCheckAfter,
  TIME_TOLERANCE,
  type TimeTolerance,
  verifyBatchSignature,
} from '../../domain/monitoring/index.js';
import { problemOf } from '../../domain/particulars.js';
import { encodeBase64 } from '../../log/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  findDevice,
  findDeviceForWrite,
  insertAlarms,
  insertIntervals,
  insertRefusal,
  updateDevice,
} from '../../store/monitoring.repo.js';
import type { DeviceRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { cokDeviceOf } from './batch-record.js';
import {
  type Admitted,
  applyGroup,
  type BatchReceipt,
  type Outcome,
  type RaisedAlarm,
  Refusal,
} from './commit-group.js';

export type { BatchReceipt, RaisedAlarm };

/** A batch as either transport hands it over: the device it was sent for, the exact bytes, the signature. */
export interface BatchSubmission {
  /** The device of the URL (HTTP) or of the topic (MQTT). */
  readonly device: string;
  readonly bytes: Uint8Array;
  /** `<keyId>:<base64 signature>`; undefined when none was sent. */
  readonly signature: string | undefined;
  readonly transport: 'http' | 'mqtt';
}

export interface IngestionOptions {
  readonly limits?: BatchLimits;
  readonly tolerance?: TimeTolerance;
  /** At most this many batches in one group commit (decision 0037). */
  readonly maxGroup?: number;
}

/** Which refusals are incidents of the device's CoK (decision 0030); the others are only recorded. */
const INCIDENTS: Partial<Record<ErrorCode, 'chain-broken' | 'auth-failed'>> = {
  DEVICE_CHAIN_BROKEN: 'chain-broken',
  DEVICE_AUTH_FAILED: 'auth-failed',
};

/** The first problem of a refusal that carries values (a broken chain's SEQ_GAP…), as an incident's cause. */
function causeOf(details: readonly ErrorDetail[]): { cause?: CokCause } {
  const d = details.find((x) => x.values !== undefined);
  return d?.values === undefined ? {} : { cause: { code: d.code, values: d.values } };
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
      particulars: i.cause === undefined ? null : JSON.stringify(i.cause),
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

/** A device's key as admission verifies against it; kept briefly, bounded (see admit). */
interface KnownKey {
  readonly publicKey: Uint8Array;
  readonly keyId: string;
  readonly until: number;
}
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_SIZE = 20_000;
/** How often a batch waiting for its predecessor looks whether another server committed it. */
const PREDECESSOR_POLL_MS = 250;

/** A batch in the queue of the group commit, with the promise its sender waits on. */
interface Waiting {
  readonly admitted: Admitted;
  readonly submission: BatchSubmission;
  resolve(outcome: Outcome): void;
  reject(err: unknown): void;
}

/**
 * The one ingestion of monitoring batches (issue 18 items 2-4), used by HTTP and MQTT alike.
 * Admission (device known and in service, size, signature, reading) runs as batches arrive;
 * then the batches wait for the group commit (decision 0037): while one transaction commits,
 * the next ones gather, and go in together in the next transaction — each checked against its
 * chain, stored with its events, the device's head and CoK state, and its own log record.
 * `ingest` resolves once that transaction is committed (so HTTP answers 201 and MQTT sends its
 * PUBACK only then) and rejects with a DomainError when the batch is refused, after recording the
 * refusal (and, for a broken chain or a failed signature, the CoK incident and its alarm);
 * nothing else changes on a refusal.
 */
// long: a factory whose admission, group commit and refusal steps share the limits, the queue and the alarm listeners
export function createIngestion(ports: Ports, options: IngestionOptions = {}) {
  const limits = options.limits ?? BATCH_LIMITS;
  const tolerance = options.tolerance ?? TIME_TOLERANCE;
  const maxGroup = options.maxGroup ?? 256;
  const k = ports.db.kysely;
  const sqlite = ports.db.sqlite;
  const listeners: ((alarms: readonly RaisedAlarm[]) => void)[] = [];
  /** Batches waiting for their predecessor (awaitPredecessor), by device. */
  const waiters = new Map<string, Set<{ readonly seq: number; wake(): void }>>();
  const keys = new Map<string, KnownKey>();
  let queue: Waiting[] = [];
  let draining = false;

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
        ...causeOf(r.details),
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

  /**
   * The device's key. A key seen in the last seconds is used without a read: admission runs for
   * every batch, and the commit checks again, under the row lock, that the device is in service
   * and still has this key. Only keys that verified are kept, and a batch that does not verify
   * under a kept key is judged again against a fresh read, so a new key is never refused for an
   * old one.
   */
  async function keyOf(device: string, fresh: boolean): Promise<KnownKey | 'unknown' | 'not-in-service'> {
    const known = keys.get(device);
    if (!fresh && known && known.until > Date.now()) return known;
    const row = await findDevice(k, device);
    if (!row) return 'unknown';
    if (!acceptsBatches(row.status as DeviceStatus)) return 'not-in-service';
    return {
      publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64')),
      keyId: row.key_id,
      until: Date.now() + KEY_CACHE_MS,
    };
  }

  function remember(device: string, key: KnownKey): void {
    if (keys.has(device)) keys.delete(device);
    else if (keys.size >= KEY_CACHE_SIZE) keys.delete(keys.keys().next().value as string);
    keys.set(device, key);
  }

  /** The checks that need no transaction: device known and in service, signature, bytes. */
  async function admit(s: BatchSubmission, receivedAt: string): Promise<Admitted> {
    let key = await keyOf(s.device, false);
    if (key === 'unknown') throw new DomainError('DEVICE_UNKNOWN', `no device ${s.device} is registered`);
    if (key === 'not-in-service')
      throw new Refusal('DEVICE_NOT_IN_SERVICE', `device ${s.device} is not in service`, [], null);
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
    let ok = sig !== undefined && verifyBatchSignature(key.publicKey, s.bytes, sig);
    if (!ok && keys.has(s.device)) {
      // Perhaps installed again with a new key since it was kept: judge against a fresh read.
      keys.delete(s.device);
      key = await keyOf(s.device, true);
      if (key === 'unknown') throw new DomainError('DEVICE_UNKNOWN', `no device ${s.device} is registered`);
      if (key === 'not-in-service')
        throw new Refusal('DEVICE_NOT_IN_SERVICE', `device ${s.device} is not in service`, [], null);
      ok = sig !== undefined && verifyBatchSignature(key.publicKey, s.bytes, sig);
    }
    if (!ok || !sig) {
      const [problem, why] = !sig
        ? [
            problemOf('SIGNATURE_INVALID.batchHeader', {}),
            'the signature is missing or not <keyId>:<base64 of 64 bytes>',
          ]
        : sig.keyId !== key.keyId
          ? [
              problemOf('SIGNATURE_INVALID.otherKey', { keyId: sig.keyId, deviceKey: key.keyId }),
              `the signature names key ${sig.keyId}, the device's key is ${key.keyId}`,
            ]
          : [
              problemOf('SIGNATURE_INVALID.device', {}),
              "the signature does not verify under the device's key",
            ];
      throw new Refusal('DEVICE_AUTH_FAILED', why, [{ field: 'signature', ...problem, message: why }], null);
    }
    remember(s.device, key);
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
        [
          {
            field: 'device',
            ...problemOf('DEVICE_MISMATCH', { named: read.batch.device, sentFor: s.device }),
            message,
          },
        ],
        read.batch.seq,
      );
    }
    return {
      device: s.device,
      bytes: s.bytes,
      batch: read.batch,
      hash: hashBatch(s.bytes),
      keyId: key.keyId,
      signature: encodeBase64(sig.signature),
      receivedAt,
      transport: s.transport,
    };
  }

  /** One transaction for the group; on a failure that is not a refusal, each batch alone. */
  async function commitGroup(group: readonly Waiting[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await k.transaction().execute((tx) =>
        applyGroup(
          tx,
          ports,
          group.map((w) => w.admitted),
          tolerance,
        ),
      );
    } catch (err) {
      if (group.length > 1) {
        // One batch must not fail its neighbours (a race with another server on one seq answers
        // a unique violation): judge each alone.
        for (const w of group) await commitGroup([w]);
        return;
      }
      const w = group[0] as Waiting;
      if (/unique|duplicate/i.test(String((err as Error).message))) {
        // Two servers raced on one seq: the (device, seq) key let one commit; judge again.
        try {
          const [again] = await k
            .transaction()
            .execute((tx) => applyGroup(tx, ports, [w.admitted], tolerance));
          w.resolve(again as Outcome);
        } catch (err2) {
          w.reject(err2);
        }
        return;
      }
      w.reject(err);
      return;
    }
    group.forEach((w, i) => {
      w.resolve(outcomes[i] as Outcome);
      wakeSuccessors(w.admitted);
    });
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      // Let the requests that arrived while the loop was busy be read and admitted first: a
      // commit's fsync blocks the loop (better-sqlite3 is synchronous), so after it many batches
      // wait in the sockets, and starting the next transaction at once would take only the first
      // of them and fsync again for it alone.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (queue.length > 0) {
        const group = queue.length <= maxGroup ? queue : queue.slice(0, maxGroup);
        queue = queue.length <= maxGroup ? [] : queue.slice(maxGroup);
        await commitGroup(group);
      }
    } finally {
      draining = false;
    }
  }

  function enqueue(admitted: Admitted, submission: BatchSubmission): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      queue.push({ admitted, submission, resolve, reject });
      wakeSuccessors(admitted);
      void drain();
    });
  }

  /** Wakes the batches of the device waiting for this one (queued or committed): they look again. */
  function wakeSuccessors(a: Admitted): void {
    const set = waiters.get(a.device);
    if (!set) return;
    for (const w of [...set]) if (w.seq - 1 <= a.batch.seq) w.wake();
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
      let refusal: Refusal;
      try {
        const outcome = await enqueue(await admit(s, at), s);
        if (outcome.kind === 'accepted') {
          raised(outcome.alarms);
          return outcome.receipt;
        }
        if (outcome.kind === 'later')
          throw new Error(
            `batch ${outcome.seq} of ${s.device} came and its predecessor was not committed (head ${outcome.head})`,
          );
        refusal = outcome.refusal;
      } catch (err) {
        if (!(err instanceof Refusal) || isDomainError(err)) throw err;
        refusal = err;
      }
      await recordRefusal(s.device, s, refusal, at);
      throw new DomainError(
        refusal.code,
        refusal.reason,
        refusal.details.length > 0 ? refusal.details : undefined,
      );
    },
    /**
     * Waits, at most `timeoutMs`, until the device's chain has reached `seq - 1`: with an MQTT
     * shared subscription (and several connections per server) a device's next batch may reach
     * this server while its predecessor is still on its way or being committed, here or by
     * another server — a reorder the device did not make (decisions 0030, 0041). Returns as soon
     * as the predecessor is queued here (the group orders them) or committed; woken when one of
     * the device's batches is queued or committed here, polls for commits of other servers. The
     * MQTT transport has every message the broker has in flight in hand at once (decision 0041),
     * so the predecessor comes unless it was never published: the bound only ends a real gap.
     */
    async awaitPredecessor(device: string, seq: number, timeoutMs = 15_000): Promise<void> {
      const until = Date.now() + timeoutMs;
      const waiter = { seq, wake: () => {} };
      for (;;) {
        if (queue.some((w) => w.admitted.device === device && w.admitted.batch.seq === seq - 1)) return;
        const row = await findDevice(k, device);
        if (!row || row.head_seq >= seq - 1 || Date.now() >= until) return;
        const set = waiters.get(device) ?? new Set();
        waiters.set(device, set);
        set.add(waiter);
        await new Promise<void>((r) => {
          const t = setTimeout(() => waiter.wake(), PREDECESSOR_POLL_MS);
          waiter.wake = () => {
            clearTimeout(t);
            r();
          };
        });
        set.delete(waiter);
        if (set.size === 0 && waiters.get(device) === set) waiters.delete(device);
      }
    },
    /** Called with the alarms each committed batch or refusal raised (to open their cases). */
    onAlarms(listener: (alarms: readonly RaisedAlarm[]) => void): void {
      listeners.push(listener);
    },
  };
}
