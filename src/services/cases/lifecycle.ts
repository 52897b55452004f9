import { applyTransition, type CaseStatus } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { claimNextSeq, getCase, insertTransition } from '../../store/cases.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { CaseRow, CaseTransitionRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import type { CaseView, StoredCase, TransitionInput } from './cases.types.js';
import { transitionContent, transitionRecordId } from './content.js';
import { checkDecisionSignature } from './decisions.js';
import { EVENT_FOR, publishCaseEvent } from './events.js';
import { loadWrittenCase } from './stored-case.js';
import { actorOf, type CaseReader } from './visibility.js';

/**
 * Takes the case's next thread number, or fails with CONFLICT when someone moved the case since
 * it was read (optimistic lock: reload and try again).
 */
export async function claimSeq(
  tx: DbOrTx,
  c: StoredCase,
  set: Partial<Pick<CaseRow, 'status' | 'due_date'>>,
  at: string,
): Promise<number> {
  if (!(await claimNextSeq(tx, c, set, at))) {
    throw new DomainError('CONFLICT', `case ${c.id} changed meanwhile; reload and try again`);
  }
  return c.eventCount;
}

/**
 * Only an answer or a resolution links a correction report; the state answers with its
 * correction, which must be a report of that state.
 */
async function checkLinkedReport(ports: Pick<Ports, 'db'>, c: StoredCase, to: CaseStatus, linked?: string) {
  if (linked === undefined) return;
  if (to !== 'resolved' && to !== 'answered') {
    throw new DomainError('VALIDATION_FAILED', 'only an answer or a resolution links a correction report', [
      {
        field: 'linkedReport',
        ...problemOf('NOT_ALLOWED.onlyTo', { allowed: ['answered', 'resolved'] }),
        message: 'linkedReport needs to: answered or resolved',
      },
    ]);
  }
  if (to !== 'answered') return;
  const report = await createReportsRepo(ports.db).getReport(linked);
  if (!report || report.state !== c.state) {
    throw new DomainError('VALIDATION_FAILED', `report ${linked} is not a report of ${c.state}`, [
      {
        field: 'linkedReport',
        ...problemOf('UNKNOWN_REPORT', { report: linked, state: c.state }),
        message: linked,
      },
    ]);
  }
}

/** Moving a case through its lifecycle (domain/cases CASE_TRANSITIONS), each move committed to the log. */
export function createCaseTransitions(
  ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>,
  reader: CaseReader,
) {
  const k = ports.db.kysely;
  return async function transition(p: Principal, id: string, req: TransitionInput): Promise<CaseView> {
    const { c, scope } = await reader.visibleCase(p, id);
    const actor = actorOf(p, scope, c);
    const at = isoNow(ports.clock);
    const next = applyTransition(c, {
      to: req.to,
      actor,
      at,
      ...(req.note === undefined ? {} : { note: req.note }),
      ...(req.dueDate === undefined ? {} : { dueDate: req.dueDate }),
      ...(req.internal === undefined ? {} : { internal: req.internal }),
    });
    const event = next.history[next.history.length - 1];
    if (!event) throw new DomainError('INTERNAL', 'transition produced no event');
    await checkLinkedReport(ports, c, req.to, req.linkedReport);
    await checkDecisionSignature(ports, c, {
      to: req.to,
      note: event.note?.text ?? '',
      linkedReport: req.linkedReport ?? null,
      signature: req.signature,
      at,
    });
    const row: CaseTransitionRow = {
      case_id: c.id,
      seq: c.eventCount,
      from_status: c.status,
      to_status: req.to,
      at,
      by: p.userId,
      actor_kind: actor.kind,
      actor_org: p.organisationId,
      note: event.note?.text ?? null,
      note_internal: event.note?.internal ? 1 : 0,
      due_date: event.dueDate ?? null,
      linked_report: req.linkedReport ?? null,
      signature:
        req.signature === undefined
          ? null
          : JSON.stringify({ keyId: req.signature.keyId, signature: req.signature.signature }),
    };
    await k.transaction().execute(async (tx) => {
      await claimSeq(tx, c, { status: next.status, due_date: next.dueDate ?? null }, at);
      await insertTransition(tx, row);
      const caseRow = await getCase(tx, c.id);
      if (!caseRow) throw new DomainError('INTERNAL', `case ${c.id} vanished in its transaction`);
      await appendRecord(tx, ports, {
        kind: 'case-transition',
        id: transitionRecordId(c.id, row.seq),
        content: transitionContent(caseRow, row),
        subjectState: c.state,
        subjectOrg: c.inspectorate,
        at,
        by: p.userId,
      });
    });
    const type = EVENT_FOR[req.to];
    if (type) {
      await publishCaseEvent(ports, await loadWrittenCase(k, id), type, {
        from: c.status,
        ...(req.to === 'open' ? { reopened: true } : {}),
        ...(req.linkedReport === undefined ? {} : { linkedReport: req.linkedReport }),
      });
    }
    return reader.get(p, id);
  };
}
