import type { Principal } from '../../domain/policy/index.js';
import { createCaseService, openCaseForAlarm } from '../cases/index.js';
import type { Ports } from '../ports.js';
import type { FindingCaseRequest } from './inspections.types.js';

/**
 * A finding opens a case through the cases service (domain.md §7: anomalies and discrepancies are
 * followed up with the state). An anomaly goes through `openCaseForAlarm` with the verification
 * alarm, so asking twice for one finding answers the same case. A discrepancy (records against
 * measurements) is a manual case opened by the caller's inspectorate; the finding remembers the
 * case it opened, which keeps that path single too.
 */
export async function openCaseForFinding(
  ports: Ports,
  principal: Principal,
  request: FindingCaseRequest,
): Promise<{ caseId: string }> {
  const about = { inspection: request.alarm.inspection, finding: request.alarm.finding };
  if (request.kind === 'anomaly') {
    const opened = await openCaseForAlarm(ports, request.alarm, {
      inspectorate: request.inspectorate,
      title: request.summary,
      about,
      by: request.by,
      ...(request.mba === undefined ? {} : { mba: request.mba }),
    });
    return { caseId: opened.case.id };
  }
  // The finding is the cause either way: one case per finding, whichever kind opened it first.
  const opened = await createCaseService(ports).open(principal, {
    kind: 'discrepancy',
    state: request.state,
    title: request.summary,
    about,
    cause: request.alarm,
    ...(request.mba === undefined ? {} : { mba: request.mba }),
  });
  return { caseId: opened.case.id };
}
