import type { ReportRejectionRow, ReportRow } from '../../store/schema.types.js';

/**
 * What a report's log commitment covers: its header, who signed it with which key, and the
 * SHA-256 of the exact signed body (the lines are in the body; the audit re-reads the stored body
 * against the stored lines). Hashing the body instead of canonicalising 100 000 lines keeps
 * acceptance fast and commits to exactly what the state signed.
 */
export function reportContent(r: Omit<ReportRow, 'log_index'>) {
  return {
    id: r.id,
    state: r.state,
    organisation: r.organisation_id,
    mba: r.mba,
    type: r.type,
    reportNumber: r.report_number,
    reportDate: r.report_date,
    period: r.period_from === null ? null : { from: r.period_from, to: r.period_to },
    pit: r.pit,
    lineCount: r.line_count,
    bodySha256: r.body_sha256,
    bodyFormat: r.body_format,
    keyId: r.key_id,
    signature: r.signature,
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
  };
}

/**
 * A refusal's committed content. A summary of refusals counted past the hour's quota (decision
 * 0023) also commits how many and since when; a single refusal has no `summary` member, so its
 * content is what it always was.
 */
export function rejectionContent(r: Omit<ReportRejectionRow, 'log_index'>) {
  return {
    ...(r.summary_count === null || r.summary_count === undefined
      ? {}
      : { summary: { count: Number(r.summary_count), from: r.summary_from } }),
    id: r.id,
    state: r.state,
    organisation: r.organisation_id,
    mba: r.mba,
    type: r.type,
    reportNumber: r.report_number,
    bodySha256: r.body_sha256,
    codes: JSON.parse(r.codes_json) as string[],
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
  };
}
