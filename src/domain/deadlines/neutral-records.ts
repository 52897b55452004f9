import type { RecordKind } from '../record-kinds.js';

/**
 * The record kinds that cannot change what a state owes or by when (docs/decisions/0093): keys,
 * inspections, cases, federation's peers and arrangements, monitoring, compatibility steps and
 * split-view decisions. Every other kind — reports, refusals, declarations, agreements, legal
 * instruments, institution roles, what a peer sent — may, so a pass of the deadline scheduler
 * judges again the state (or MBA) it names. A kind added to the log is judged as may-change until
 * it is listed here.
 */
export const OBLIGATION_NEUTRAL_KINDS = [
  'key-registration',
  'key-revocation',
  'inspection-statement',
  'case-transition',
  'case-message',
  'sampling-draw',
  'peer',
  'peer-revocation',
  'arrangement',
  'arrangement-end',
  'device-change',
  'device-batch',
  'declared-activity',
  'compatibility-entry',
  'compatibility-step',
  'split-view-decision',
] as const satisfies readonly RecordKind[];
