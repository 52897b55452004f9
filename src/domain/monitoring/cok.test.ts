import { describe, expect, it } from 'vitest';
import {
  type CokBatch,
  type CokContext,
  type CokDevice,
  type CokEvent,
  type CokState,
  type CokStep,
  foldBatch,
  foldIncident,
  foldReverification,
  foldTick,
  gateMismatch,
  initialCokState,
} from './index.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
/** The time `s` seconds after T0. */
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const seal: CokDevice = {
  id: 'SEAL-1',
  kind: 'seal',
  heartbeatSeconds: 10,
  toleranceSeconds: 5,
  since: at(0),
};
const camera: CokDevice = { ...seal, id: 'CAM-1', kind: 'camera' };
/** A device that reports every minute: one batch may span a minute of events. */
const slow: CokDevice = { ...seal, heartbeatSeconds: 60, toleranceSeconds: 30 };
const NONE: CokContext = { inspections: [], declaredActivities: [], containmentSealOpen: [] };

const hb = (s: number, extra: Partial<CokEvent> = {}): CokEvent => ({
  time: at(s),
  type: 'heartbeat',
  ...extra,
});

/** Heartbeats every `every` seconds from `from` (inclusive) to `to` (exclusive). */
function heartbeats(from: number, to: number, every = 10): CokEvent[] {
  const out: CokEvent[] = [];
  for (let s = from; s < to; s += every) out.push(hb(s));
  return out;
}

/** A batch received at `receivedAt`, by default one second after its last event (a device online). */
function batch(seq: number, receivedAt: number | null, events: CokEvent[]): CokBatch {
  const last = events.at(-1);
  const when =
    receivedAt === null && last ? new Date(Date.parse(last.time) + 1000).toISOString() : at(receivedAt ?? 0);
  return { seq, receivedAt: when, events };
}

/** Fold batches in order, collecting every step. */
function run(device: CokDevice, batches: CokBatch[], ctx: CokContext = NONE) {
  let state: CokState = initialCokState();
  const steps: CokStep[] = [];
  for (const b of batches) {
    const step = foldBatch(state, device, b, ctx);
    steps.push(step);
    state = step.state;
  }
  return { state, steps, alarms: steps.flatMap((s) => s.alarms), notes: steps.flatMap((s) => s.notes) };
}

describe('heartbeats and silence', () => {
  it('keeps CoK intact while heartbeats arrive within heartbeat + tolerance', () => {
    const r = run(seal, [batch(1, null, heartbeats(0, 11)), batch(2, null, heartbeats(11, 21))]);
    expect(r.state.status).toBe('intact');
    expect(r.alarms).toEqual([]);
    expect(r.state.lastSeq).toBe(2);
    expect(foldTick(r.state, seal, at(25)).alarms).toEqual([]);
  });

  it('raises DEVICE_SILENT once when the tick finds no data beyond heartbeat + tolerance', () => {
    const { state } = run(seal, [batch(1, null, [hb(0), hb(10)])]);
    expect(foldTick(state, seal, at(25)).alarms).toEqual([]); // 15 s: exactly at the limit
    const t = foldTick(state, seal, at(26));
    expect(t.alarms).toEqual([
      expect.objectContaining({ code: 'DEVICE_SILENT', device: 'SEAL-1', at: at(10) }),
    ]);
    expect(t.state.status).toBe('degraded');
    expect(t.opened).toEqual([expect.objectContaining({ reason: 'silent', from: at(10), to: null })]);
    // Ticking again while silent says nothing new.
    const again = foldTick(t.state, seal, at(100));
    expect(again.alarms).toEqual([]);
    expect(again.state.open).toHaveLength(1);
  });

  it('measures a device that never spoke from its installation', () => {
    const t = foldTick(initialCokState(), seal, at(16));
    expect(t.alarms.map((a) => [a.code, a.at])).toEqual([['DEVICE_SILENT', at(0)]]);
  });

  it('closes a transmission gap by a late backlog with an intact chain, keeps CoK and says so', () => {
    let { state } = run(seal, [batch(1, 10, heartbeats(0, 10))]);
    state = foldTick(state, seal, at(60)).state; // offline: silent since the last heartbeat at 0
    expect(state.status).toBe('degraded');
    // The backlog arrives in order; the first batches are still far behind the arrival time.
    const b2 = foldBatch(state, seal, batch(2, 300, heartbeats(10, 100)), NONE);
    expect(b2.closed).toEqual([]);
    expect(b2.state.status).toBe('degraded');
    const b3 = foldBatch(b2.state, seal, batch(3, 301, heartbeats(100, 300)), NONE);
    expect(b3.closed).toEqual([
      expect.objectContaining({ reason: 'silent', from: at(0), to: at(301), closedBy: 'backlog' }),
    ]);
    expect(b3.state.status).toBe('intact');
    expect(b3.notes.join(' ')).toMatch(/late backlog with an intact chain.*CoK kept/);
    expect([...b2.alarms, ...b3.alarms]).toEqual([]);
  });

  it('finds the silence at a batch that arrives late even when no tick ran', () => {
    const { state } = run(seal, [batch(1, 10, heartbeats(0, 10))]);
    const late = foldBatch(state, seal, batch(2, 120, heartbeats(10, 120)), NONE);
    expect(late.alarms.map((a) => a.code)).toEqual(['DEVICE_SILENT']);
    expect(late.closed).toEqual([expect.objectContaining({ reason: 'silent', closedBy: 'backlog' })]);
    expect(late.state.status).toBe('intact');
  });

  it('loses CoK when the returning data have a hole of their own', () => {
    let { state } = run(seal, [batch(1, 10, heartbeats(0, 10))]);
    state = foldTick(state, seal, at(60)).state;
    const back = foldBatch(state, seal, batch(2, 200, heartbeats(150, 200)), NONE);
    expect(back.state.status).toBe('lost');
    expect(back.closed).toEqual([expect.objectContaining({ reason: 'silent', closedBy: 'data' })]);
    expect(back.state.open).toEqual([
      expect.objectContaining({ reason: 'observation-gap', status: 'lost', from: at(0), to: null }),
    ]);
    expect(back.notes.join(' ')).toMatch(/hole.*CoK lost/);
  });

  it('loses CoK on a hole inside one batch, with one DEVICE_SILENT', () => {
    const r = run(seal, [batch(1, null, [hb(0), hb(10)]), batch(2, null, [hb(26), hb(30)])]);
    expect(r.state.status).toBe('lost');
    // Received at 27, 16 s after the batch before: the silence and the hole are one cause.
    expect(r.alarms.map((a) => [a.code, a.at])).toEqual([['DEVICE_SILENT', at(10)]]);
    expect(r.state.open.map((i) => i.reason)).toEqual(['observation-gap']);
  });
});

describe('seals, tamper and inspections', () => {
  const inspection = { from: at(100), to: at(200) };

  it('raises SEAL_OPENED and loses CoK when a seal opens with no inspection in progress', () => {
    const r = run(seal, [batch(1, null, [hb(0), { time: at(5), type: 'seal-open' }])]);
    expect(r.alarms).toEqual([expect.objectContaining({ code: 'SEAL_OPENED', at: at(5) })]);
    expect(r.state.status).toBe('lost');
    expect(r.state.sealOpenSince).toBe(at(5));
  });

  it('says nothing when the seal opens during an inspection at the facility', () => {
    const ctx = { ...NONE, inspections: [inspection] };
    const events = [
      ...heartbeats(95, 150),
      { time: at(150), type: 'seal-open' },
      { time: at(160), type: 'seal-close' },
    ];
    const r = run({ ...slow, since: at(95) }, [batch(1, null, events)], ctx);
    expect(r.alarms).toEqual([]);
    expect(r.state.status).toBe('intact');
    expect(r.state.sealOpenSince).toBeNull();
  });

  it('treats the end of an inspection as exclusive', () => {
    const r = run(
      { ...seal, since: at(190) },
      [batch(1, null, [hb(190), { time: at(200), type: 'seal-open' }])],
      {
        ...NONE,
        inspections: [inspection],
      },
    );
    expect(r.alarms.map((a) => a.code)).toEqual(['SEAL_OPENED']);
  });

  it('raises SEAL_OPENED for a tamper event and once when the tamper switch turns on', () => {
    const r = run(slow, [
      batch(1, null, [hb(0), hb(10, { tamper: true }), hb(20, { tamper: true })]),
      batch(2, null, [hb(30, { tamper: false }), { time: at(35), type: 'tamper' }]),
    ]);
    expect(r.alarms.map((a) => [a.code, a.at])).toEqual([
      ['SEAL_OPENED', at(10)],
      ['SEAL_OPENED', at(35)],
    ]);
    expect(r.state.open.filter((i) => i.reason === 'seal-opened')).toHaveLength(1);
  });

  it('raises a second SEAL_OPENED for a second opening after the seal closed', () => {
    const r = run(seal, [
      batch(1, null, [hb(0), { time: at(2), type: 'seal-open' }, { time: at(3), type: 'seal-close' }]),
      batch(2, null, [hb(10), { time: at(12), type: 'seal-open' }, { time: at(13), type: 'seal-open' }]),
    ]);
    expect(r.alarms.map((a) => a.at)).toEqual([at(2), at(12)]);
  });
});

describe('cameras', () => {
  const open = { from: at(50), to: at(80) };

  it('raises CAMERA_UNDECLARED once per opening of its containment with no declared activity', () => {
    const ctx = { ...NONE, containmentSealOpen: [open] };
    const trig = (s: number): CokEvent => ({ time: at(s), type: 'camera-trigger' });
    const r = run(
      { ...slow, id: 'CAM-1', kind: 'camera', since: at(40) },
      [batch(1, null, [hb(40), trig(45), hb(50), trig(55), trig(60), hb(70), trig(85)])],
      ctx,
    );
    expect(r.alarms).toEqual([expect.objectContaining({ code: 'CAMERA_UNDECLARED', at: at(55) })]);
    expect(r.state.status).toBe('degraded');
    expect(r.state.cameraAlarmedFor).toBe(at(50));
  });

  it('accepts triggers covered by a declared activity or an inspection', () => {
    const trig: CokEvent = { time: at(55), type: 'camera-trigger' };
    const cam = { ...camera, since: at(50) };
    const declared = run(cam, [batch(1, null, [hb(50), trig])], {
      ...NONE,
      containmentSealOpen: [open],
      declaredActivities: [{ from: at(40), to: null }],
    });
    expect(declared.alarms).toEqual([]);
    const inspected = run(cam, [batch(1, null, [hb(50), trig])], {
      ...NONE,
      containmentSealOpen: [open],
      inspections: [{ from: at(54), to: at(56) }],
    });
    expect(inspected.alarms).toEqual([]);
  });

  it('ignores triggers while the containment is sealed', () => {
    const r = run(camera, [batch(1, null, [hb(0), { time: at(5), type: 'camera-trigger' }])], {
      ...NONE,
      containmentSealOpen: [open],
    });
    expect(r.alarms).toEqual([]);
    expect(r.state.status).toBe('intact');
  });
});

describe('incidents and re-verification', () => {
  it('loses CoK on a broken chain and raises DEVICE_CHAIN_BROKEN once until re-verified', () => {
    const s1 = foldIncident(initialCokState(), seal, {
      kind: 'chain-broken',
      at: at(5),
      detail: 'gap: 3 after 1',
    });
    expect(s1.alarms.map((a) => [a.code, a.at, a.detail])).toEqual([
      ['DEVICE_CHAIN_BROKEN', at(5), 'gap: 3 after 1'],
    ]);
    expect(s1.state.status).toBe('lost');
    const s2 = foldIncident(s1.state, seal, { kind: 'chain-broken', at: at(6), detail: 'fork at 2' });
    expect(s2.alarms).toEqual([]);
  });

  it('degrades CoK on a signature failure (DEVICE_AUTH_FAILED)', () => {
    const s = foldIncident(initialCokState(), seal, { kind: 'auth-failed', at: at(5), detail: 'signature' });
    expect(s.alarms.map((a) => a.code)).toEqual(['DEVICE_AUTH_FAILED']);
    expect(s.state.status).toBe('degraded');
  });

  it('restores intact on re-verification, closing every open interval at its time', () => {
    let state = run(seal, [batch(1, null, [hb(0), { time: at(5), type: 'seal-open' }])]).state;
    state = foldIncident(state, seal, { kind: 'auth-failed', at: at(7), detail: 'signature' }).state;
    state = foldTick(state, seal, at(40)).state;
    expect(state.status).toBe('lost');
    expect(state.open).toHaveLength(3);
    const r = foldReverification(state, seal, at(50));
    expect(r.state.status).toBe('intact');
    expect(r.state.open).toEqual([]);
    expect(r.closed.map((i) => [i.reason, i.to, i.closedBy])).toEqual([
      ['seal-opened', at(50), 'reverification'],
      ['auth-failed', at(50), 'reverification'],
      ['silent', at(50), 'reverification'],
    ]);
    // Silence is measured from the re-verification on.
    expect(foldTick(r.state, seal, at(65)).alarms).toEqual([]);
    expect(foldTick(r.state, seal, at(66)).alarms.map((a) => [a.code, a.at])).toEqual([
      ['DEVICE_SILENT', at(50)],
    ]);
    // Data from before the re-verification arriving later are no hole.
    const late = foldBatch(r.state, seal, batch(2, null, [hb(55)]), NONE);
    expect(late.state.status).toBe('intact');
  });
});

describe('gate counts', () => {
  it('sums gate-count items per UTC day and direction', () => {
    const day2 = 86_400;
    const r = run({ ...seal, since: at(day2 - 10) }, [
      batch(1, null, [
        { time: at(day2 - 8), type: 'gate-count', direction: 'in', items: 2 },
        { time: at(day2 - 4), type: 'gate-count', direction: 'in', items: 1 },
        { time: at(day2 - 3), type: 'gate-count', direction: 'out', items: 4 },
        { time: at(day2 + 2), type: 'gate-count', direction: 'in', items: 1 },
      ]),
    ]);
    expect(r.steps[0]?.gate).toEqual([
      { day: '2026-12-01', direction: 'in', items: 3 },
      { day: '2026-12-01', direction: 'out', items: 4 },
      { day: '2026-12-02', direction: 'in', items: 1 },
    ]);
  });

  it('raises GATE_MISMATCH when counts and declarations differ in either direction', () => {
    const base = { device: 'GATE-1', kmp: 'A', day: '2026-12-01', counted: { in: 3, out: 1 } };
    expect(gateMismatch({ ...base, declared: { in: 3, out: 1 } })).toBeUndefined();
    expect(gateMismatch({ ...base, declared: { in: 3, out: 0 } })).toEqual(
      expect.objectContaining({ code: 'GATE_MISMATCH', device: 'GATE-1', at: '2026-12-01T00:00:00Z' }),
    );
    expect(gateMismatch({ ...base, declared: { in: 2, out: 1 } })?.detail).toMatch(
      /counted 3 in.*declared 2 in/,
    );
    expect(gateMismatch({ ...base, declared: { in: 2, out: 1 } })?.values).toEqual({
      kmp: 'A',
      day: '2026-12-01',
      countedIn: 3,
      countedOut: 1,
      declaredIn: 2,
      declaredOut: 1,
    });
  });
});
