import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldBatch, foldIncident, foldReverification, foldTick, initialCokState } from './cok.js';
import type { CokContext, CokDevice, CokEvent, CokReason, CokState, CokStep } from './cok.types.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const device: CokDevice = { id: 'D', kind: 'seal', heartbeatSeconds: 10, toleranceSeconds: 5, since: at(0) };
const NONE: CokContext = { inspections: [], declaredActivities: [], containmentSealOpen: [] };
const REASONS: readonly CokReason[] = [
  'silent',
  'observation-gap',
  'chain-broken',
  'seal-opened',
  'auth-failed',
  'camera-undeclared',
];

/** Any input a device's history can hold, with time moving forward by `advance` seconds. */
type Input =
  | {
      kind: 'batch';
      advance: number;
      events: { dt: number; type: string; tamper?: boolean }[];
      delay: number;
    }
  | { kind: 'tick'; advance: number }
  | { kind: 'incident'; advance: number; which: 'chain-broken' | 'auth-failed' }
  | { kind: 'reverify'; advance: number };

const eventType = fc.constantFrom(
  'heartbeat',
  'seal-open',
  'seal-close',
  'tamper',
  'camera-trigger',
  'radiation',
);
const input: fc.Arbitrary<Input> = fc.oneof(
  fc.record({
    kind: fc.constant('batch' as const),
    advance: fc.integer({ min: 0, max: 40 }),
    events: fc.array(
      fc.record({
        dt: fc.integer({ min: 0, max: 30 }),
        type: eventType,
        tamper: fc.option(fc.boolean(), { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    delay: fc.integer({ min: 0, max: 60 }),
  }),
  fc.record({ kind: fc.constant('tick' as const), advance: fc.integer({ min: 0, max: 40 }) }),
  fc.record({
    kind: fc.constant('incident' as const),
    advance: fc.integer({ min: 0, max: 40 }),
    which: fc.constantFrom('chain-broken' as const, 'auth-failed' as const),
  }),
  fc.record({ kind: fc.constant('reverify' as const), advance: fc.integer({ min: 0, max: 40 }) }),
);

/** Fold a history; the device's clock runs `now` seconds, events at or after it, received after them. */
function fold(inputs: readonly Input[]): { state: CokState; steps: CokStep[] } {
  let state = initialCokState();
  const steps: CokStep[] = [];
  let now = 0;
  let seq = 0;
  for (const i of inputs) {
    now += i.advance;
    let step: CokStep;
    if (i.kind === 'batch') {
      let t = now;
      const events: CokEvent[] = i.events.map((e) => {
        t += e.dt;
        return { time: at(t), type: e.type, ...(e.tamper === undefined ? {} : { tamper: e.tamper }) };
      });
      now = t + i.delay;
      step = foldBatch(state, device, { seq: ++seq, receivedAt: at(now), events }, NONE);
    } else if (i.kind === 'tick') step = foldTick(state, device, at(now));
    else if (i.kind === 'incident')
      step = foldIncident(state, device, { kind: i.which, at: at(now), detail: 'x' });
    else step = foldReverification(state, device, at(now));
    steps.push(step);
    state = step.state;
  }
  return { state, steps };
}

describe('the CoK fold', () => {
  it('keeps a bounded state: at most one open interval per reason, and the status of the worst', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), (inputs) => {
        const { steps } = fold(inputs);
        for (const s of steps) {
          const reasons = s.state.open.map((i) => i.reason);
          expect(new Set(reasons).size).toBe(reasons.length);
          expect(reasons.every((r) => REASONS.includes(r))).toBe(true);
          const expected = s.state.open.some((i) => i.status === 'lost')
            ? 'lost'
            : s.state.open.length > 0
              ? 'degraded'
              : 'intact';
          expect(s.state.status).toBe(expected);
        }
      }),
    );
  });

  it('closes every interval it opens exactly once, or still holds it open', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), (inputs) => {
        const { state, steps } = fold(inputs);
        const opened = steps.flatMap((s) => s.opened);
        const closed = steps.flatMap((s) => s.closed);
        expect(opened.length).toBe(closed.length + state.open.length);
        for (const c of closed) expect(c.to).not.toBeNull();
        // An alarm comes with the interval it opened, but for a further seal opening (each is its own
        // cause, while CoK is already lost from the first).
        for (const s of steps) {
          const codes = s.alarms.filter((a) => a.code !== 'SEAL_OPENED');
          expect(codes.length).toBeLessThanOrEqual(s.opened.length);
        }
      }),
    );
  });

  it('is intact with nothing open right after a re-verification, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), fc.integer({ min: 0, max: 100 }), (inputs, gap) => {
        const { state } = fold([...inputs, { kind: 'reverify', advance: gap }]);
        expect(state.status).toBe('intact');
        expect(state.open).toEqual([]);
      }),
    );
  });

  it('never alarms on a healthy device, however its heartbeats are split into batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 50 }),
        (spacings, sizes) => {
          let t = 0;
          const times = spacings.map((d) => (t += d));
          let state = initialCokState();
          let seq = 0;
          let i = 0;
          let k = 0;
          let lastSent = 0;
          while (i < times.length) {
            // A batch of the next few heartbeats, sent as soon as the last is taken, or earlier:
            // never more than heartbeat + tolerance after the previous batch.
            let n = sizes[k++ % sizes.length] ?? 1;
            const events: CokEvent[] = [];
            while (n-- > 0 && i < times.length && (times[i] ?? 0) - lastSent <= 15) {
              events.push({ time: at(times[i] ?? 0), type: 'heartbeat' });
              i++;
            }
            if (events.length === 0) {
              // The next heartbeat is more than 15 s after the last batch: an empty batch in between.
              lastSent += 15;
              const step = foldBatch(
                state,
                device,
                { seq: ++seq, receivedAt: at(lastSent), events: [] },
                NONE,
              );
              expect(step.alarms).toEqual([]);
              state = step.state;
              continue;
            }
            lastSent = times[i - 1] ?? 0;
            const step = foldBatch(state, device, { seq: ++seq, receivedAt: at(lastSent), events }, NONE);
            expect(step.alarms).toEqual([]);
            state = step.state;
            expect(foldTick(state, device, at(lastSent + 15)).alarms).toEqual([]);
          }
          expect(state.status).toBe('intact');
        },
      ),
    );
  });

  it('keeps CoK across any transmission outage closed by an in-order backlog without holes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 15, max: 2_000 }), { maxLength: 5 }),
        (beats, sizes, ticks) => {
          const times = Array.from({ length: beats }, (_, j) => j * 10);
          let state = foldBatch(
            initialCokState(),
            device,
            { seq: 1, receivedAt: at(1), events: [{ time: at(0), type: 'heartbeat' }] },
            NONE,
          ).state;
          const last = times.at(-1) ?? 0;
          // The timer runs while the device is unreachable.
          for (const s of ticks) state = foldTick(state, device, at(Math.min(s, last))).state;
          const arrival = last + 1;
          const alarms: string[] = [];
          const closed: string[] = [];
          let seq = 1;
          let i = 1;
          let k = 0;
          while (i < times.length) {
            const n = sizes[k++ % sizes.length] ?? 1;
            const events = times.slice(i, i + n).map((s) => ({ time: at(s), type: 'heartbeat' }));
            i += n;
            const step = foldBatch(state, device, { seq: ++seq, receivedAt: at(arrival), events }, NONE);
            for (const a of step.alarms) alarms.push(a.code);
            for (const c of step.closed) closed.push(`${c.reason}:${c.closedBy}`);
            state = step.state;
          }
          expect(state.status).toBe('intact');
          expect(alarms.every((c) => c === 'DEVICE_SILENT')).toBe(true);
          expect(closed.every((c) => c === 'silent:backlog')).toBe(true);
        },
      ),
    );
  });
});
