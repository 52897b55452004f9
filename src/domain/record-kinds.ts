/**
 * Record kinds committed to the log (log issue: "every record kind that can be disputed"): the
 * `kind` of a log entry and of its record row. A closed list so the browser names each in the
 * user's language (`record.kind.<kind>` in every catalogue; tests/guards/i18n.test.ts checks)
 * while the identifier itself stays visible for experts and the CLI.
 */
export const RECORD_KINDS = [
  'report',
  'report-rejection',
  'key-registration',
  'key-revocation',
  'agreement',
  'inspection-statement',
  'case-transition',
  'case-message',
  'sampling-draw',
  'declaration',
  // federation (issue 17, decision 0027): peers, arrangements, and what this node received
  'peer',
  'peer-revocation',
  'arrangement',
  // the end of an arrangement (decision 0044)
  'arrangement-end',
  'received',
  'legal-instrument',
  'institution-roles',
  // a monitoring device registered or changed (install, service, remove): decision 0029
  'device-change',
  // one accepted batch of a monitoring device (its commitment, not each event)
  'device-batch',
  // an activity a state declared at a containment (camera triggers in it are explained)
  'declared-activity',
  'compatibility-entry',
  'compatibility-step',
  // an administrator's decision on a split view of a peer's log (decision 0043)
  'split-view-decision',
] as const;

export type RecordKind = (typeof RECORD_KINDS)[number];
