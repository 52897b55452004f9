import type {
  CokAlarm,
  CokAlarmCode,
  CokBatch,
  CokCause,
  CokContext,
  CokDevice,
  CokEvent,
  CokIncident,
  CokInterval,
  CokReason,
  CokState,
  CokStatus,
  CokStep,
  GateCount,
  SealChange,
  TimeInterval,
} from './cok.types.js';

/**
 * Continuity of knowledge, folded one input at a time (issue 18 §5, decision 0030). Each fold
 * takes the small per-device state and one input — an accepted batch, an incident the ingestion
 * refused or flagged, a clock tick, a re-verification — and answers the next state with what
 * changed. The state holds a few times and at most one open interval per reason, so 10 000
 * devices cost a few megabytes whatever their history; closed intervals, alarms and gate counts
 * leave in the step for the caller to store.
 */

const LOST: ReadonlySet<CokReason> = new Set(['observation-gap', 'chain-broken', 'seal-opened']);

function ms(t: string): number {
  return Date.parse(t);
}

function thresholdMs(device: CokDevice): number {
  return (device.heartbeatSeconds + device.toleranceSeconds) * 1000;
}

/** The later of two times (null: none). */
function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return ms(b) > ms(a) ? b : a;
}

/** Silence and holes are measured from the last sign of life: an event, a re-verification, the installation. */
function baselineOf(state: CokState, device: CokDevice): string {
  return later(later(state.lastEventAt, state.verifiedAt), device.since) as string;
}

function statusOf(open: readonly CokInterval[]): CokStatus {
  if (open.some((i) => i.status === 'lost')) return 'lost';
  return open.length > 0 ? 'degraded' : 'intact';
}

function covers(intervals: readonly TimeInterval[], t: number): TimeInterval | undefined {
  return intervals.find((i) => ms(i.from) <= t && (i.to === null || t < ms(i.to)));
}

/** The state of a device that has sent nothing yet. */
export function initialCokState(): CokState {
  return {
    status: 'intact',
    lastSeq: 0,
    lastEventAt: null,
    lastSeenAt: null,
    verifiedAt: null,
    sealOpenSince: null,
    tamperSince: null,
    cameraAlarmedFor: null,
    open: [],
  };
}

/** A fold step under way: the state being built and what it produced. */
class Step {
  state: CokState;
  readonly alarms: CokAlarm[] = [];
  readonly opened: CokInterval[] = [];
  readonly closed: CokInterval[] = [];
  readonly gate: GateCount[] = [];
  readonly seal: SealChange[] = [];
  readonly notes: string[] = [];

  constructor(
    state: CokState,
    private readonly device: CokDevice,
  ) {
    this.state = state;
  }

  isOpen(reason: CokReason): CokInterval | undefined {
    return this.state.open.find((i) => i.reason === reason);
  }

  alarm(code: CokAlarmCode, at: string, detail: string): void {
    // The same cause found twice in one step (a silence that turns out to be a hole) is one alarm.
    if (this.alarms.some((a) => a.code === code && a.at === at)) return;
    this.alarms.push({ code, device: this.device.id, at, detail });
  }

  /** Opens an interval for `reason` unless one is open; answers whether it opened one. */
  open(reason: CokReason, from: string, detail: string, cause?: CokCause): boolean {
    if (this.isOpen(reason)) return false;
    const interval: CokInterval = {
      reason,
      status: LOST.has(reason) ? 'lost' : 'degraded',
      from,
      to: null,
      detail,
      ...(cause === undefined ? {} : { cause }),
    };
    this.state = { ...this.state, open: [...this.state.open, interval] };
    this.opened.push(interval);
    return true;
  }

  close(
    reason: CokReason,
    to: string,
    closedBy: NonNullable<CokInterval['closedBy']>,
    note?: string,
  ): CokInterval | undefined {
    const interval = this.isOpen(reason);
    if (!interval) return undefined;
    // The closing note stays with the interval, so its status says how it closed (issue 18 §5).
    const detail = note === undefined ? interval.detail : `${interval.detail}; ${note}`;
    const done: CokInterval = { ...interval, to, closedBy, detail };
    this.state = { ...this.state, open: this.state.open.filter((i) => i !== interval) };
    this.closed.push(done);
    return done;
  }

  done(): CokStep {
    const state = { ...this.state, status: statusOf(this.state.open) };
    return {
      state,
      alarms: this.alarms,
      opened: this.opened,
      closed: this.closed,
      gate: this.gate,
      seal: this.seal,
      notes: this.notes,
    };
  }
}

/**
 * The clock moved to `now` (server time): a device not heard of for longer than its heartbeat
 * plus tolerance is silent — DEVICE_SILENT once per silence, CoK degraded (not lost: the
 * device may be recording, and a late backlog can still show it was).
 */
export function foldTick(state: CokState, device: CokDevice, now: string): CokStep {
  const step = new Step(state, device);
  tick(step, device, now);
  return step.done();
}

function tick(step: Step, device: CokDevice, now: string): void {
  if (step.isOpen('silent')) return;
  const since = baselineOf(step.state, device);
  if (ms(now) - ms(since) <= thresholdMs(device)) return;
  step.open('silent', since, `no data since ${since}`);
  step.alarm(
    'DEVICE_SILENT',
    since,
    `no heartbeat since ${since} (expected every ${device.heartbeatSeconds} s)`,
  );
}

/** Far ahead: a silent device needs no further look until it speaks (its batch folds the rest). */
const NEVER = '9999-12-31T00:00:00.000Z';

/**
 * When a clock tick could next find the device silent: just after heartbeat + tolerance from its
 * last sign of life (never while already silent). The caller indexes it, so a timer reads only the
 * devices due.
 */
export function silenceCheckAfter(state: CokState, device: CokDevice): string {
  if (state.open.some((i) => i.reason === 'silent')) return NEVER;
  return new Date(ms(baselineOf(state, device)) + thresholdMs(device) + 1).toISOString();
}

function dayOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * An accepted batch, in chain order (the ingestion has verified its signature and chain). First
 * the clock is at the batch's arrival — so whether the timer ran before it or not, a batch that
 * arrives after a silence finds the silence — then each event in turn:
 * - a hole in the device's own data longer than heartbeat + tolerance loses CoK (observation-gap);
 * - seal-open, tamper, or a heartbeat whose tamper switch turns on, with no inspection in
 *   progress at the facility: SEAL_OPENED, CoK lost;
 * - a camera trigger inside an opening of its containment's seal that no inspection or declared
 *   activity covers: CAMERA_UNDECLARED once per opening, CoK degraded;
 * - gate-count items are summed per UTC day and direction for GATE_MISMATCH (gateMismatch).
 * Last, a silence whose data have caught up (the last event within heartbeat + tolerance of the
 * arrival) closes: by `backlog` with CoK kept when the data had no hole, else by `data`.
 */
export function foldBatch(state: CokState, device: CokDevice, batch: CokBatch, ctx: CokContext): CokStep {
  const step = new Step(state, device);
  tick(step, device, batch.receivedAt);
  const threshold = thresholdMs(device);
  let base = baselineOf(step.state, device);
  let baseMs = ms(base);
  let lastEventAt = step.state.lastEventAt;
  let { sealOpenSince, tamperSince, cameraAlarmedFor } = step.state;
  const gate = new Map<string, GateCount>();
  let hole = false;
  for (const e of batch.events) {
    const t = ms(e.time);
    if (t - baseMs > threshold) {
      hole = true;
      if (step.open('observation-gap', base, `no data from ${base} to ${e.time}`)) {
        step.alarm('DEVICE_SILENT', base, `the device's data have a hole from ${base} to ${e.time}`);
      }
    }
    if (t > baseMs) {
      base = e.time;
      baseMs = t;
    }
    lastEventAt = later(lastEventAt, e.time);
    const inspected = covers(ctx.inspections, t) !== undefined;
    const opening = openingOf(e, sealOpenSince, tamperSince);
    if (e.type === 'seal-open' && sealOpenSince === null) {
      sealOpenSince = e.time;
      step.seal.push({ kind: 'open', at: e.time });
    }
    if (e.type === 'seal-close' && sealOpenSince !== null) {
      sealOpenSince = null;
      step.seal.push({ kind: 'close', at: e.time });
    }
    if (e.type === 'tamper' || (e.type === 'heartbeat' && e.tamper === true)) tamperSince ??= e.time;
    if (e.type === 'heartbeat' && e.tamper === false) tamperSince = null;
    if (opening && !inspected) {
      step.open('seal-opened', e.time, `${opening} at ${e.time} with no inspection in progress`);
      step.alarm('SEAL_OPENED', e.time, `${opening} at ${e.time} with no inspection in progress`);
    }
    if (e.type === 'camera-trigger') {
      const sealOpen = covers(ctx.containmentSealOpen, t);
      const excused = inspected || covers(ctx.declaredActivities, t) !== undefined;
      if (sealOpen && !excused && cameraAlarmedFor !== sealOpen.from) {
        cameraAlarmedFor = sealOpen.from;
        const detail = `camera triggered at ${e.time} while the containment's seal was open (since ${sealOpen.from}) with no declared activity`;
        step.open('camera-undeclared', e.time, detail);
        step.alarm('CAMERA_UNDECLARED', e.time, detail);
      }
    }
    if (e.type === 'gate-count' && e.direction !== undefined && e.items !== undefined && e.items > 0) {
      const day = dayOf(t);
      const key = `${day}|${e.direction}`;
      const prev = gate.get(key);
      gate.set(key, { day, direction: e.direction, items: (prev?.items ?? 0) + e.items });
    }
  }
  step.state = {
    ...step.state,
    lastSeq: batch.seq,
    lastEventAt,
    lastSeenAt: batch.receivedAt,
    sealOpenSince,
    tamperSince,
    cameraAlarmedFor,
  };
  for (const g of gate.values()) step.gate.push(g);
  closeCaughtUpSilence(step, device, batch, hole);
  return step.done();
}

/** What an event opens, if anything: a seal opening, a tamper event, a tamper switch turning on. */
function openingOf(
  e: CokEvent,
  sealOpenSince: string | null,
  tamperSince: string | null,
): string | undefined {
  if (e.type === 'seal-open' && sealOpenSince === null) return 'seal opened';
  if (e.type === 'tamper') return 'tamper';
  if (e.type === 'heartbeat' && e.tamper === true && tamperSince === null) return 'tamper switch on';
  return undefined;
}

function closeCaughtUpSilence(step: Step, device: CokDevice, batch: CokBatch, hole: boolean): void {
  const silent = step.isOpen('silent');
  if (!silent) return;
  const since = baselineOf(step.state, device);
  if (ms(batch.receivedAt) - ms(since) > thresholdMs(device)) return; // the backlog is still coming
  // A hole anywhere in the data since the silence began (this batch or an earlier backlog batch).
  const gap = step.isOpen('observation-gap');
  const holed = hole || (gap !== undefined && ms(gap.from) >= ms(silent.from));
  const note = holed
    ? `data resumed at ${batch.receivedAt} after no transmission since ${silent.from}, with a hole in the device's data: CoK lost`
    : `a late backlog with an intact chain (up to seq ${batch.seq}) closed the transmission gap from ${silent.from} to ${batch.receivedAt}: CoK kept`;
  if (step.close('silent', batch.receivedAt, holed ? 'data' : 'backlog', note)) step.notes.push(note);
}

/**
 * A batch the ingestion refused or flagged in the device's name: a broken chain (gap, fork,
 * replay) loses CoK and raises DEVICE_CHAIN_BROKEN; a signature failure degrades it and raises
 * DEVICE_AUTH_FAILED. One alarm per interval: more of the same before a re-verification adds
 * nothing (an attacker replaying forgeries must not open a case each).
 */
export function foldIncident(state: CokState, device: CokDevice, incident: CokIncident): CokStep {
  const step = new Step(state, device);
  const [reason, code]: [CokReason, CokAlarmCode] =
    incident.kind === 'chain-broken'
      ? ['chain-broken', 'DEVICE_CHAIN_BROKEN']
      : ['auth-failed', 'DEVICE_AUTH_FAILED'];
  if (step.open(reason, incident.at, incident.detail, incident.cause))
    step.alarm(code, incident.at, incident.detail);
  return step.done();
}

/**
 * An inspector re-verified the device on site (a logged, signed action): every open interval
 * closes and CoK is intact from `at`; silence and holes are measured from `at` on.
 */
export function foldReverification(
  state: CokState,
  device: CokDevice,
  at: string,
  by = 'an inspector',
): CokStep {
  const step = new Step(state, device);
  for (const i of [...step.state.open]) step.close(i.reason, at, 'reverification', `re-verified by ${by}`);
  step.state = { ...step.state, verifiedAt: later(step.state.verifiedAt, at) };
  step.notes.push(`re-verified at ${at}: CoK intact`);
  return step.done();
}
