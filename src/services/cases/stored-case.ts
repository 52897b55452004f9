import { isAnswerOverdue } from '../../domain/cases/index.js';
import type { IsoDate } from '../../domain/reports/report.types.js';
import { getCase, listSharesOf, listThread } from '../../store/cases.repo.js';
import type { DbOrTx } from '../../store/db.js';
import type { CaseMessageRow, CaseRow, CaseTransitionRow } from '../../store/schema.types.js';
import type {
  AttachmentRef,
  CaseAbout,
  CaseSummary,
  CaseView,
  ResolutionSignature,
  StoredCase,
  StoredCaseEvent,
} from './cases.types.js';

/** The case as rows say it: a case row, its partners and its thread in `seq` order. */

function toTransitionEvent(r: CaseTransitionRow): StoredCaseEvent {
  return {
    type: r.from_status === null ? 'opened' : 'transition',
    seq: r.seq,
    at: r.at,
    by: r.by,
    actorKind: r.actor_kind,
    actorOrg: r.actor_org,
    ...(r.from_status === null ? {} : { from: r.from_status }),
    to: r.to_status,
    ...(r.due_date === null ? {} : { dueDate: r.due_date }),
    ...(r.note === null ? {} : { note: { text: r.note, internal: r.note_internal === 1 } }),
    ...(r.linked_report === null ? {} : { linkedReport: r.linked_report }),
    ...(r.signature === null ? {} : { signature: JSON.parse(r.signature) as ResolutionSignature }),
  };
}

function toMessageEvent(r: CaseMessageRow): StoredCaseEvent {
  return {
    type: 'note',
    seq: r.seq,
    at: r.at,
    by: r.by,
    actorKind: r.actor_kind,
    actorOrg: r.actor_org,
    note: { text: r.body, internal: r.internal === 1 },
    attachments: JSON.parse(r.attachments) as AttachmentRef[],
  };
}

export function toCase(
  r: CaseRow,
  shares: readonly string[],
  history: readonly StoredCaseEvent[],
): StoredCase {
  return {
    id: r.id,
    ...(r.case_key === null ? {} : { key: r.case_key }),
    kind: r.kind,
    state: r.state,
    ...(r.mba === null ? {} : { mba: r.mba }),
    inspectorate: r.inspectorate,
    sharedWith: [...shares].sort(),
    status: r.status,
    ...(r.due_date === null ? {} : { dueDate: r.due_date }),
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    history,
    title: r.title,
    about: JSON.parse(r.about) as CaseAbout,
    eventCount: r.event_count,
    openedBy: r.opened_by,
  };
}

export async function loadCase(q: DbOrTx, id: string): Promise<StoredCase | undefined> {
  const row = await getCase(q, id);
  if (!row) return undefined;
  const [shares, { transitions, messages }] = await Promise.all([listSharesOf(q, [id]), listThread(q, id)]);
  const history = [...transitions.map(toTransitionEvent), ...messages.map(toMessageEvent)].sort(
    (a, b) => a.seq - b.seq,
  );
  return toCase(
    row,
    shares.map((s) => s.inspectorate),
    history,
  );
}

/** A case that exists: loaded right after the caller wrote it. */
export async function loadWrittenCase(q: DbOrTx, id: string): Promise<StoredCase> {
  const c = await loadCase(q, id);
  if (!c) throw new Error(`case ${id} vanished after it was written`);
  return c;
}

export function summaryOf(c: StoredCase, today: IsoDate): CaseSummary {
  return {
    id: c.id,
    key: c.key ?? null,
    kind: c.kind,
    state: c.state,
    mba: c.mba ?? null,
    inspectorate: c.inspectorate,
    sharedWith: c.sharedWith,
    title: c.title,
    about: c.about,
    status: c.status,
    dueDate: c.dueDate ?? null,
    overdue: isAnswerOverdue(c, today),
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
  };
}

export function viewOf(c: StoredCase, today: IsoDate): CaseView {
  const last = [...c.history].reverse().find((e) => e.type === 'transition');
  const decided = c.status === 'resolved' || c.status === 'escalated' ? c.status : undefined;
  return {
    ...summaryOf(c, today),
    history: c.history,
    decision:
      decided && last
        ? { status: decided, seq: last.seq, attestation: last.signature ? 'signature' : 'log-commitment' }
        : null,
  };
}
