import {
  type BatchContent,
  type DeviceEvent,
  GENESIS_PREV,
  type SignedBatch,
  signBatch,
} from '../domain/monitoring/index.js';
import { ed25519PublicKey, encodeBase64 } from '../log/index.js';

/**
 * Simulated monitoring devices for `custos monitor simulate` (issue 18 §7): each has its own
 * Ed25519 key, produces events at its rate, cuts them into signed batches chained to the one
 * before, and keeps them in order until they are acknowledged — so a device that is offline
 * buffers, and uploads its backlog in order when it returns.
 */

export type SimKind = 'seal' | 'camera' | 'radiation-monitor' | 'neutron-monitor' | 'load-cell' | 'gate';

export interface SimDeviceSpec {
  readonly id: string;
  readonly kind: SimKind;
  readonly facility: string;
  readonly kmp?: string;
  readonly containment?: string;
  readonly owners: readonly string[];
  /** Base64 of the 32-byte Ed25519 seed. */
  readonly seed: string;
  readonly heartbeatSeconds: number;
}

/** One device's running state: its chain and the batches not yet acknowledged, in order. */
export class SimDevice {
  readonly publicKey: string;
  private seq = 0;
  private prev = GENESIS_PREV;
  private pending: DeviceEvent[] = [];
  private lastHeartbeat = Number.NEGATIVE_INFINITY;
  private lastCut: number;
  /** Signed batches waiting for their acknowledgement, oldest first. */
  readonly queue: SignedBatch[] = [];
  /** Events produced; batches acknowledged. */
  produced = 0;
  acknowledged = 0;
  private readonly seedBytes: Uint8Array;

  constructor(
    readonly spec: SimDeviceSpec,
    start: number,
  ) {
    this.seedBytes = new Uint8Array(Buffer.from(spec.seed, 'base64'));
    const pub = ed25519PublicKey(this.seedBytes);
    this.publicKey = encodeBase64(pub);
    this.lastCut = start;
  }

  /** The registration body of POST /api/devices. */
  registration(): Record<string, unknown> {
    const s = this.spec;
    return {
      id: s.id,
      kind: s.kind,
      facility: s.facility,
      ...(s.kmp === undefined ? {} : { kmp: s.kmp }),
      ...(s.containment === undefined ? {} : { containment: s.containment }),
      owners: s.owners,
      publicKey: this.publicKey,
      heartbeatSeconds: s.heartbeatSeconds,
    };
  }

  /** An event at `now` (ms): a heartbeat when one is due, else what this kind of instrument sees. */
  observe(now: number, draw: () => number): void {
    const time = new Date(now).toISOString();
    if (now - this.lastHeartbeat >= this.spec.heartbeatSeconds * 1000) {
      this.lastHeartbeat = now;
      this.pending.push({ time, type: 'heartbeat', battery: 90, temperature: 21, tamper: false });
    } else this.pending.push(kindEvent(this.spec.kind, time, draw));
    this.produced++;
  }

  /**
   * Cuts the pending events into a signed batch when there are `batchEvents` of them, or when a
   * heartbeat interval has passed since the last cut (a quiet device still reports).
   */
  cut(now: number, batchEvents: number): void {
    const due = now - this.lastCut >= this.spec.heartbeatSeconds * 1000;
    while (this.pending.length >= batchEvents || (due && this.pending.length > 0)) {
      const events = this.pending.splice(0, batchEvents);
      const content: BatchContent = { device: this.spec.id, seq: ++this.seq, prev: this.prev, events };
      const signed = signBatch(this.seedBytes, content);
      this.prev = signed.hash;
      this.queue.push(signed);
      this.lastCut = now;
      if (this.pending.length < batchEvents) break;
    }
  }

  /** The oldest batch not yet acknowledged. */
  next(): SignedBatch | undefined {
    return this.queue[0];
  }

  /** The oldest batch was acknowledged (accepted, or already accepted): the next one may go. */
  acknowledge(): void {
    this.queue.shift();
    this.acknowledged++;
  }
}

function kindEvent(kind: SimKind, time: string, draw: () => number): DeviceEvent {
  switch (kind) {
    case 'camera':
      return {
        time,
        type: 'camera-trigger',
        imageSha256: Math.floor(draw() * 2 ** 48)
          .toString(16)
          .padStart(64, '0'),
      };
    case 'gate':
      return { time, type: 'gate-count', direction: draw() < 0.5 ? 'in' : 'out', items: 1 };
    case 'radiation-monitor':
    case 'neutron-monitor':
      return { time, type: 'radiation', countsPerSecond: Math.round(100 + draw() * 20) };
    default:
      // Seals and load cells: a steady state of health between heartbeats.
      return { time, type: 'heartbeat', battery: 90, temperature: 21, tamper: false };
  }
}

/** N device specs with fresh keys: `<prefix>-<kind>-<n>`, kinds in turn. */
export function generateDevices(
  n: number,
  opts: {
    prefix: string;
    facility: string;
    owners: readonly string[];
    heartbeatSeconds: number;
    kinds: readonly SimKind[];
  },
  seed: (i: number) => Uint8Array,
): SimDeviceSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = opts.kinds[i % opts.kinds.length] as SimKind;
    return {
      id: `${opts.prefix}-${String(i + 1).padStart(5, '0')}`,
      kind,
      facility: opts.facility,
      owners: opts.owners,
      seed: encodeBase64(seed(i)),
      heartbeatSeconds: opts.heartbeatSeconds,
    };
  });
}
