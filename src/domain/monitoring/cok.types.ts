import type { ParticularValue } from '../particulars.js';
import type { DeviceAlarmCode } from './alarm-codes.js';

/**
 * Continuity of knowledge (CoK) over a monitoring device's data (issue 18 §5, decision 0030).
 * Times are RFC 3339 strings: device time for events, server time for receipt and "now".
 */

/** What the evaluator needs to know of a device (the registry holds the rest). */
export interface CokDevice {
  readonly id: string;
  /** seal, camera, radiation-monitor, neutron-monitor, load-cell, gate … (extendable). */
  readonly kind: string;
  /** Expected interval between two heartbeats. */
  readonly heartbeatSeconds: number;
  /** Slack beyond the heartbeat interval before a silence counts (late radio, clock drift). */
  readonly toleranceSeconds: number;
  /** When the device was installed (or registered): silence is measured from here until it speaks. */
  readonly since: string;
}

/**
 * One event as the evaluator reads it: the batch format's event (issue 18 §2) narrowed to the
 * fields CoK looks at. Unknown types are signs of life and nothing more.
 */
export interface CokEvent {
  readonly time: string;
  readonly type: string;
  /** heartbeat: the tamper switch. */
  readonly tamper?: boolean;
  /** gate-count: which way the items went. */
  readonly direction?: 'in' | 'out';
  /** gate-count: how many items. */
  readonly items?: number;
}

/** One accepted batch, in chain order. */
export interface CokBatch {
  readonly seq: number;
  /** Server time the batch was committed. */
  readonly receivedAt: string;
  readonly events: readonly CokEvent[];
}

/** A half-open interval [from, to); `to` null: still going on. */
export interface TimeInterval {
  readonly from: string;
  readonly to: string | null;
}

/**
 * What else the evaluator needs to judge a batch, restricted by the caller to the batch's time
 * range (so it stays small): inspections in progress at the device's facility, activities the
 * state declared at the containment, and — for a camera — when its containment's seal was open.
 */
export interface CokContext {
  readonly inspections: readonly TimeInterval[];
  readonly declaredActivities: readonly TimeInterval[];
  readonly containmentSealOpen: readonly TimeInterval[];
}

/** Something the ingestion refused or flagged for this device (not an accepted batch). */
export interface CokIncident {
  readonly kind: 'chain-broken' | 'auth-failed';
  /** Server time it happened. */
  readonly at: string;
  /** What happened: "gap: expected seq 12, got 14", "fork at seq 9", "signature". */
  readonly detail: string;
  /** The refusal's problem with its values (SEQ_GAP: which seqs are missing), decision 0052. */
  readonly cause?: CokCause;
}

/** What opened an interval, as a problem's code and values (domain/particulars.ts). */
export interface CokCause {
  readonly code: string;
  readonly values: Readonly<Record<string, ParticularValue>>;
}

export type CokStatus = 'intact' | 'degraded' | 'lost';

/**
 * Why CoK is not intact (decision 0030):
 * - silent (degraded): no data for longer than heartbeat + tolerance, the device may still be
 *   recording (closed by a late backlog with an intact chain, without losing CoK);
 * - observation-gap (lost): the device's own data have a hole longer than heartbeat + tolerance;
 * - chain-broken (lost): a batch missing, forked or replayed;
 * - seal-opened (lost): a seal opened or a tamper switch with no inspection in progress;
 * - auth-failed (degraded): a batch with a bad signature arrived in the device's name;
 * - camera-undeclared (degraded): camera triggers while the containment's seal was open and
 *   neither an inspection nor a declared activity covered it.
 */
export type CokReason =
  | 'silent'
  | 'observation-gap'
  | 'chain-broken'
  | 'seal-opened'
  | 'auth-failed'
  | 'camera-undeclared';

export type CokAlarmCode = DeviceAlarmCode;

/** An interval of lost or degraded CoK. */
export interface CokInterval {
  readonly reason: CokReason;
  readonly status: Exclude<CokStatus, 'intact'>;
  readonly from: string;
  /** null while open. */
  readonly to: string | null;
  readonly detail: string;
  /** What opened it, as values (a chain-broken interval: the chain's problem). */
  readonly cause?: CokCause;
  /**
   * How it closed: `backlog` (a late backlog with an intact chain covered the silence: CoK kept),
   * `data` (data resumed but with a hole, so the silence became an observation gap),
   * `reverification` (an inspector re-verified the device).
   */
  readonly closedBy?: 'backlog' | 'data' | 'reverification';
}

/** An alarm, identified by device, code and `at` (the time of its cause): folding again repeats it. */
export interface CokAlarm {
  readonly code: CokAlarmCode;
  readonly device: string;
  readonly at: string;
  readonly detail: string;
  /** The particulars `detail` is written from (GATE_MISMATCH: the counts), decision 0052. */
  readonly values?: Readonly<Record<string, ParticularValue>>;
}

/** Gate items counted on one UTC day in one direction, to add to the day's totals. */
export interface GateCount {
  readonly day: string;
  readonly direction: 'in' | 'out';
  readonly items: number;
}

/**
 * A seal's own opening or closing (seal-open, seal-close), kept as intervals per containment so a
 * camera watching the same containment is judged against them (CAMERA_UNDECLARED).
 */
export interface SealChange {
  readonly kind: 'open' | 'close';
  readonly at: string;
}

/**
 * The small per-device state the fold carries from batch to batch: a few times and at most one
 * open interval per reason, whatever the number of batches (closed intervals leave in the step).
 */
export interface CokState {
  readonly status: CokStatus;
  readonly lastSeq: number;
  /** Device time of the latest event, or the last re-verification if later; null before any. */
  readonly lastEventAt: string | null;
  /** Server time of the last accepted batch. */
  readonly lastSeenAt: string | null;
  /** The last re-verification (silence and holes are measured from it when it is later). */
  readonly verifiedAt: string | null;
  /** The seal is open since (its own seal-open event), or null. */
  readonly sealOpenSince: string | null;
  /** The tamper switch is on since, or null. */
  readonly tamperSince: string | null;
  /** The containment seal-open interval (its `from`) a camera already alarmed for. */
  readonly cameraAlarmedFor: string | null;
  readonly open: readonly CokInterval[];
}

/** What one fold step changed: the new state, and what to store, raise and say. */
export interface CokStep {
  readonly state: CokState;
  readonly alarms: readonly CokAlarm[];
  /** Intervals opened by this step (still open in `state.open`). */
  readonly opened: readonly CokInterval[];
  /** Intervals closed by this step, with their end. */
  readonly closed: readonly CokInterval[];
  readonly gate: readonly GateCount[];
  /** The seal's openings and closings in this step, in order. */
  readonly seal: readonly SealChange[];
  /** Plain statements for the record, e.g. that a late backlog closed a gap without losing CoK. */
  readonly notes: readonly string[];
}
