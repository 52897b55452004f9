import type { ErrorDetail } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import type { Report, SignatureOutcome } from '../../domain/reports/index.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { examineSubmission, reportId, type Submission } from './submit.js';

/**
 * Practice mode (issue 16 item 13, decision 0026): a state operator checks a signed report
 * against the real registry and the MBA's real account exactly as submitting would, and learns
 * what would happen, but nothing is kept. No report, no refusal record, no log entry, no event,
 * no notification: `examineSubmission` only reads, and this function writes nothing. The route
 * also keeps the request out of the server's request log.
 */
export interface PracticeVerdict {
  /** Always true: marks the answer as practice, never a receipt of anything. */
  readonly practice: true;
  /** Whether submitting these exact bytes with this signature now would be accepted. */
  readonly wouldBeAccepted: boolean;
  /** The id the report would get, when its header could be read. */
  readonly reportId: string | null;
  readonly type: Report['type'] | null;
  readonly mba: string | null;
  readonly reportNumber: number | null;
  readonly lines: number | null;
  /** The signature check alone: VALID, SIGNATURE_INVALID, KEY_UNKNOWN or KEY_NOT_VALID. */
  readonly signature: SignatureOutcome;
  readonly keyId: string | null;
  readonly errors: ErrorDetail[];
  readonly warnings: ErrorDetail[];
}

export async function practiseReport(ports: Ports, p: Principal, s: Submission): Promise<PracticeVerdict> {
  // The same permission as submitting: practice is for those who will submit.
  enforce(p, 'report.submit', await scopeOf(ports, p));
  const at = ports.clock.now().toISOString();
  const examined = await examineSubmission(ports, p, s, at);
  const report = examined.report;
  const unreadable = examined.ok ? undefined : examined.unreadable;
  const numberKnown = report !== undefined && !unreadable?.has('reportNumber');
  return {
    practice: true,
    wouldBeAccepted: examined.ok,
    reportId: report !== undefined && numberKnown ? reportId(report) : null,
    type: report?.type ?? null,
    mba: report?.mba ?? null,
    reportNumber: numberKnown ? report.reportNumber : null,
    lines: report?.lines.length ?? null,
    signature: examined.sig.outcome,
    keyId: examined.sig.keyId === '' ? null : examined.sig.keyId,
    errors: examined.ok ? [] : examined.details,
    warnings: examined.ok ? examined.warnings : [],
  };
}
