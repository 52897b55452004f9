import { getCase, getMessage, getTransition, threadRefsAfter } from '../../store/cases.repo.js';
import type { CaseMessageRow, CaseRow, CaseTransitionRow } from '../../store/schema.types.js';
import { pagesOf, registerContentLoader, registerRowLister } from '../record-content.js';

/** What the opening (transition 0) commits of the case itself. */
type OpenedCase = Pick<
  CaseRow,
  'id' | 'case_key' | 'kind' | 'state' | 'mba' | 'inspectorate' | 'title' | 'about'
>;

export const transitionRecordId = (caseId: string, seq: number) => `case-transition:${caseId}:${seq}`;
export const messageRecordId = (caseId: string, seq: number) => `case-message:${caseId}:${seq}`;

export function parseRecordId(id: string, prefix: string): { caseId: string; seq: number } | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  const colon = rest.lastIndexOf(':');
  const seq = Number(rest.slice(colon + 1));
  if (colon <= 0 || !Number.isSafeInteger(seq)) return undefined;
  return { caseId: rest.slice(0, colon), seq };
}

/**
 * The committed content of a transition (the opening is transition 0, from null to open, and
 * carries what the case is about). Built from rows only, so `custos audit` rebuilds it.
 */
export function transitionContent(c: OpenedCase, t: CaseTransitionRow): Record<string, unknown> {
  return {
    v: 1,
    case: c.id,
    seq: t.seq,
    ...(t.from_status === null
      ? {
          opened: {
            key: c.case_key,
            kind: c.kind,
            state: c.state,
            mba: c.mba,
            inspectorate: c.inspectorate,
            title: c.title,
            about: JSON.parse(c.about) as unknown,
          },
        }
      : {}),
    from: t.from_status,
    to: t.to_status,
    at: t.at,
    by: t.by,
    actorKind: t.actor_kind,
    actorOrg: t.actor_org,
    note: t.note === null ? null : { text: t.note, internal: t.note_internal === 1 },
    dueDate: t.due_date,
    linkedReport: t.linked_report,
    // null: the decision is attested by the log commitment only (see decisionBytes).
    signature: t.signature === null ? null : (JSON.parse(t.signature) as unknown),
  };
}

export function messageContent(m: CaseMessageRow): Record<string, unknown> {
  return {
    v: 1,
    case: m.case_id,
    seq: m.seq,
    at: m.at,
    by: m.by,
    actorKind: m.actor_kind,
    actorOrg: m.actor_org,
    text: m.body,
    internal: m.internal === 1,
    attachments: JSON.parse(m.attachments) as unknown,
  };
}

registerContentLoader('case-transition', async (db, id) => {
  const ref = parseRecordId(id, 'case-transition:');
  if (!ref) return undefined;
  const c = await getCase(db.kysely, ref.caseId);
  const t = await getTransition(db.kysely, ref.caseId, ref.seq);
  return c && t && transitionContent(c, t);
});

registerContentLoader('case-message', async (db, id) => {
  const ref = parseRecordId(id, 'case-message:');
  if (!ref) return undefined;
  const m = await getMessage(db.kysely, ref.caseId, ref.seq);
  return m && messageContent(m);
});

// Threads grow with the years: their ids come a page at a time (the audit's bounded memory).
const START = { case_id: '', seq: 0 };
registerRowLister('case-transition', (db) =>
  pagesOf(
    START,
    (after, limit) => threadRefsAfter(db.kysely, 'case_transitions', after, limit),
    (r) => transitionRecordId(r.case_id, r.seq),
  ),
);
registerRowLister('case-message', (db) =>
  pagesOf(
    START,
    (after, limit) => threadRefsAfter(db.kysely, 'case_messages', after, limit),
    (r) => messageRecordId(r.case_id, r.seq),
  ),
);
