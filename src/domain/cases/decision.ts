import { canonicalizeRecord } from '../../log/index.js';
import type { CaseStatus } from './cases.types.js';

/**
 * A decision closes the inspectorate's follow-up one way or the other; it is signed by a key of
 * the owning inspectorate over `decisionBytes` and committed to the log with the transition.
 */
export const DECISION_STATUSES = ['resolved', 'escalated'] as const satisfies readonly CaseStatus[];
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export function isDecisionStatus(status: string): status is DecisionStatus {
  return (DECISION_STATUSES as readonly string[]).includes(status);
}

export interface DecisionInput {
  readonly caseId: string;
  readonly decision: string;
  readonly inspectorate: string;
  /** The note as the server keeps it: trimmed, '' when there is none. */
  readonly note: string;
  readonly linkedReport: string | null;
}

/**
 * The bytes an inspectorate signs (Ed25519, a key registered to it) for a decision: RFC 8785
 * canonical JSON of `{type:"custos.case-decision/v1", case, decision, inspectorate, note,
 * linkedReport}`. No server time inside, so the signer can compute them before sending. Pure and
 * browser-safe: the server checks and the web app signs and verifies with this one function.
 */
export function decisionBytes(input: DecisionInput): Uint8Array {
  return canonicalizeRecord({
    type: 'custos.case-decision/v1',
    case: input.caseId,
    decision: input.decision,
    inspectorate: input.inspectorate,
    note: input.note,
    linkedReport: input.linkedReport,
  });
}
