import { describe, expect, it } from 'vitest';
import {
  advanceHead,
  checkChain,
  EMPTY_HEAD,
  parseBatch,
  parseBatchSignature,
  verifyBatchSignature,
} from '../domain/monitoring/index.js';
import { generateDevices, SimDevice } from './monitor-sim.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');

function device(kind: 'seal' | 'gate' = 'seal') {
  const [spec] = generateDevices(
    1,
    { prefix: 'SIM', facility: 'XA-F1', owners: ['agency'], heartbeatSeconds: 10, kinds: [kind] },
    () => new Uint8Array(32).fill(7),
  );
  return new SimDevice(spec!, T0);
}

describe('a simulated device', () => {
  it('cuts signed batches that chain from the genesis and verify under its key', () => {
    const d = device('gate');
    for (let s = 0; s < 25; s++) d.observe(T0 + s * 100, () => 0.3);
    d.cut(T0 + 2500, 10);
    expect(d.queue).toHaveLength(2); // 20 events in two full batches; 5 wait for more or a heartbeat
    d.cut(T0 + 12_499, 10);
    expect(d.queue).toHaveLength(2);
    d.cut(T0 + 12_500, 10); // a heartbeat interval after the last cut
    expect(d.queue).toHaveLength(3);
    const pub = new Uint8Array(Buffer.from(d.publicKey, 'base64'));
    let head = EMPTY_HEAD;
    for (const b of d.queue) {
      const read = parseBatch(b.bytes);
      if (!read.ok) throw new Error(JSON.stringify(read.details));
      expect(checkChain(head, read.batch, b.hash, undefined)).toEqual({ kind: 'next' });
      expect(verifyBatchSignature(pub, b.bytes, parseBatchSignature(b.header)!)).toBe(true);
      head = advanceHead(head, read.batch, b.hash);
    }
    expect(head.seq).toBe(3);
    const events = d.queue.flatMap((b) => {
      const r = parseBatch(b.bytes);
      return r.ok ? r.batch.events.map((e) => e.type) : [];
    });
    expect(events[0]).toBe('heartbeat');
    expect(events.filter((t) => t === 'gate-count')).toHaveLength(24);
  });

  it('keeps its batches in order until each is acknowledged (a backlog while offline)', () => {
    const d = device();
    for (let s = 0; s < 30; s++) {
      d.observe(T0 + s * 1000, Math.random);
      d.cut(T0 + s * 1000, 5);
    }
    const seqs = () =>
      d.queue.map((b) =>
        parseBatch(b.bytes).ok ? (JSON.parse(Buffer.from(b.bytes).toString()) as { seq: number }).seq : -1,
      );
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    d.acknowledge();
    d.acknowledge();
    expect(seqs()).toEqual([3, 4, 5, 6]);
    expect(d.acknowledged).toBe(2);
  });

  it('reports within a heartbeat even when quiet', () => {
    const d = device();
    d.observe(T0, Math.random);
    d.cut(T0 + 9_999, 100);
    expect(d.queue).toHaveLength(0);
    d.cut(T0 + 10_000, 100);
    expect(d.queue).toHaveLength(1);
  });
});
