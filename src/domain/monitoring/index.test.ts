/**
 * A device's life through the folder's door only, as the ingestion service, the MQTT transport and
 * the simulator see it: sign, read, verify, chain, advance; and every refusal the issue's
 * Reliability section lists that the pure model decides (forged, replayed, reordered, gap, fork,
 * future, too old, malformed, oversized).
 */
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../log/index.js';
import {
  advanceHead,
  BATCH_LIMITS,
  type Batch,
  type BatchContent,
  type BatchLimits,
  type BatchReading,
  type BatchSignature,
  type ChainHead,
  type ChainVerdict,
  checkChain,
  checkEventTimes,
  DEVICE_ID,
  type DeviceEvent,
  EMPTY_HEAD,
  EVENT_TYPES,
  type EventType,
  formatBatch,
  formatBatchSignature,
  GATE_DIRECTIONS,
  GENESIS_PREV,
  hashBatch,
  parseBatch,
  parseBatchSignature,
  parseInstant,
  type ReadEvent,
  type SignedBatch,
  signBatch,
  signBatchBytes,
  TIME_TOLERANCE,
  type TimeTolerance,
  verifyBatchSignature,
} from './index.js';

const seed = new Uint8Array(32).fill(3);
const publicKey = ed25519PublicKey(seed);
const T0 = Date.UTC(2026, 11, 5, 1, 0);
const NOW = Date.UTC(2026, 11, 6, 1, 30);

function heartbeat(at: number): DeviceEvent {
  return { time: new Date(at).toISOString(), type: 'heartbeat', battery: 90, temperature: 20, tamper: false };
}

/** A device's n-th batch of `count` events, one a second. */
function content(seq: number, prev: string, count = 100): BatchContent {
  const start = T0 + (seq - 1) * count * 1000;
  return {
    device: 'EOSS-7',
    seq,
    prev,
    events: Array.from({ length: count }, (_, i) => heartbeat(start + i * 1000)),
  };
}

/** What the ingestion service decides, in the order it decides it. */
function judge(
  head: ChainHead,
  accepted: ReadonlyMap<number, string>,
  bytes: Uint8Array,
  signatureHeader: string | undefined,
  limits: BatchLimits = BATCH_LIMITS,
  tolerance: TimeTolerance = TIME_TOLERANCE,
): { verdict: string; batch?: Batch } {
  const sig: BatchSignature | undefined = parseBatchSignature(signatureHeader);
  if (sig === undefined || !verifyBatchSignature(publicKey, bytes, sig))
    return { verdict: 'DEVICE_AUTH_FAILED' };
  const read: BatchReading = parseBatch(bytes, limits);
  if (!read.ok) return { verdict: read.tooLarge ? 'DEVICE_BATCH_TOO_LARGE' : 'DEVICE_BATCH_INVALID' };
  const hash = hashBatch(bytes);
  const v: ChainVerdict = checkChain(head, read.batch, hash, accepted.get(read.batch.seq));
  if (v.kind === 'broken') return { verdict: v.detail.code };
  if (v.kind === 'replay') return { verdict: 'replay' };
  const times = checkEventTimes(read.batch.events, head.lastEventAt, NOW, tolerance);
  if (times.length > 0) return { verdict: times[0]?.code ?? '' };
  return { verdict: 'next', batch: read.batch };
}

describe('a device through the door', () => {
  it('uploads a day-old backlog of 200 chained batches, each accepted in order', () => {
    let head: ChainHead = EMPTY_HEAD;
    const accepted = new Map<number, string>();
    let prev = GENESIS_PREV;
    for (let seq = 1; seq <= 200; seq++) {
      const s: SignedBatch = signBatch(seed, content(seq, prev, 10));
      const r = judge(head, accepted, s.bytes, s.header);
      expect(r.verdict).toBe('next');
      head = advanceHead(head, r.batch as Batch, s.hash);
      accepted.set(seq, s.hash);
      prev = s.hash;
    }
    expect(head.seq).toBe(200);
    expect(head.lastEventAt).toBe(T0 + 1999 * 1000);
  });

  it('refuses each hostile batch with its own code and leaves the head as it was', () => {
    const first = signBatch(seed, content(1, GENESIS_PREV));
    const read = parseBatch(first.bytes);
    if (!read.ok) throw new Error('unreadable');
    const head = advanceHead(EMPTY_HEAD, read.batch, first.hash);
    const accepted = new Map([[1, first.hash]]);
    const second = signBatch(seed, content(2, first.hash));
    const third = signBatch(seed, content(3, second.hash));
    const forged = signBatchBytes(new Uint8Array(32).fill(4), second.bytes);
    const fork = signBatch(seed, { ...content(1, GENESIS_PREV), events: [heartbeat(T0 + 5)] });
    const wrongPrev = signBatch(seed, content(2, 'f'.repeat(64)));
    const future = signBatch(seed, { ...content(2, first.hash), events: [heartbeat(NOW + 3600_000)] });
    const old = signBatch(seed, { ...content(2, first.hash), events: [heartbeat(T0 - 2 * 3600_000)] });
    const malformed = signBatchBytes(seed, new TextEncoder().encode('{"device":"EOSS-7","seq":2,'));
    const huge = signBatch(seed, content(2, first.hash, 300));
    const cases: [string, Uint8Array, string | undefined, string][] = [
      [
        'forged',
        second.bytes,
        formatBatchSignature({ ...forged.signature, keyId: second.signature.keyId }),
        'DEVICE_AUTH_FAILED',
      ],
      ['unsigned', second.bytes, undefined, 'DEVICE_AUTH_FAILED'],
      ['replayed', first.bytes, first.header, 'replay'],
      ['reordered (3 before 2)', third.bytes, third.header, 'SEQ_GAP'],
      ['forked', fork.bytes, fork.header, 'SEQ_FORK'],
      ['wrong prev', wrongPrev.bytes, wrongPrev.header, 'PREV_MISMATCH'],
      ['future', future.bytes, future.header, 'EVENT_IN_FUTURE'],
      ['too old', old.bytes, old.header, 'EVENT_TOO_OLD'],
      ['malformed', malformed.bytes, malformed.header, 'DEVICE_BATCH_INVALID'],
      ['oversized', huge.bytes, huge.header, 'DEVICE_BATCH_TOO_LARGE'],
    ];
    const small: BatchLimits = { maxBytes: 16_384, maxEvents: 200 };
    for (const [name, bytes, header, verdict] of cases) {
      expect(judge(head, accepted, bytes, header, small).verdict, name).toBe(verdict);
    }
    expect(judge(head, accepted, second.bytes, second.header).verdict).toBe('next');
  });

  it('names the wire vocabulary', () => {
    const types: readonly EventType[] = EVENT_TYPES;
    expect(types).toContain('camera-trigger');
    expect(GATE_DIRECTIONS).toEqual(['in', 'out']);
    expect(DEVICE_ID.test('custos/devices')).toBe(false);
    const e: ReadEvent = {
      time: '2026-12-06T00:00:00Z',
      type: 'tamper',
      at: parseInstant('2026-12-06T00:00:00Z') ?? 0,
    };
    expect(formatBatch({ device: 'D', seq: 1, prev: GENESIS_PREV, events: [e] }).length).toBeGreaterThan(0);
  });
});
