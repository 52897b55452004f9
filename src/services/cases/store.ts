import type { Kysely, Transaction } from 'kysely';
import type { Case, CaseEvent, CaseKind, CaseStatus, JointArrangement } from '../../domain/cases/index.js';
import type { IsoDate } from '../../domain/reports/report.types.js';
import type { Db } from '../../store/db.js';
import type { Schema } from '../../store/schema.types.js';
import type { AttachmentRef } from './attachments.js';

type Q = Kysely<Schema> | Transaction<Schema>;

/** What a case is about (issue: MBA, report and lines, transfer, balance period, finding). */
export interface CaseAbout {
  readonly report?: string;
  readonly lines?: readonly number[];
  readonly transfer?: string;
  readonly period?: { readonly from: string; readonly to: string };
  readonly element?: string;
  readonly inspection?: string;
  readonly finding?: string;
  readonly obligation?: string;
  readonly seal?: string;
  /** The alarm that opened it (source and test), when one did. */
  readonly alarm?: Readonly<Record<string, string>>;
}

export interface ResolutionSignature {
  readonly keyId: string;
  readonly signature: string;
}

/** A history entry as stored: the domain event plus its place in the thread and extras. */
export type StoredCaseEvent = CaseEvent & {
  readonly seq: number;
  readonly actorOrg: string | null;
  readonly attachments?: readonly AttachmentRef[];
  readonly linkedReport?: string;
  readonly signature?: ResolutionSignature;
};

export interface StoredCase extends Case {
  readonly title: string;
  readonly about: CaseAbout;
  readonly eventCount: number;
  readonly openedBy: string;
  readonly history: readonly StoredCaseEvent[];
}

export function toTransitionEvent(r: Schema['case_transitions']): StoredCaseEvent {
  return {
    type: r.from_status === null ? 'opened' : 'transition',
    seq: r.seq,
    at: r.at,
    by: r.by,
    actorKind: r.actor_kind as CaseEvent['actorKind'],
    actorOrg: r.actor_org,
    ...(r.from_status === null ? {} : { from: r.from_status as CaseStatus }),
    to: r.to_status as CaseStatus,
    ...(r.due_date === null ? {} : { dueDate: r.due_date as IsoDate }),
    ...(r.note === null ? {} : { note: { text: r.note, internal: r.note_internal === 1 } }),
    ...(r.linked_report === null ? {} : { linkedReport: r.linked_report }),
    ...(r.signature === null ? {} : { signature: JSON.parse(r.signature) as ResolutionSignature }),
  };
}

export function toMessageEvent(r: Schema['case_messages']): StoredCaseEvent {
  return {
    type: 'note',
    seq: r.seq,
    at: r.at,
    by: r.by,
    actorKind: r.actor_kind as CaseEvent['actorKind'],
    actorOrg: r.actor_org,
    note: { text: r.body, internal: r.internal === 1 },
    attachments: JSON.parse(r.attachments) as AttachmentRef[],
  };
}

export function toCase(
  r: Schema['cases'],
  shares: readonly string[],
  history: readonly StoredCaseEvent[],
): StoredCase {
  return {
    id: r.id,
    ...(r.case_key === null ? {} : { key: r.case_key }),
    kind: r.kind as CaseKind,
    state: r.state,
    ...(r.mba === null ? {} : { mba: r.mba }),
    inspectorate: r.inspectorate,
    sharedWith: [...shares].sort(),
    status: r.status as CaseStatus,
    ...(r.due_date === null ? {} : { dueDate: r.due_date as IsoDate }),
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    history,
    title: r.title,
    about: JSON.parse(r.about) as CaseAbout,
    eventCount: r.event_count,
    openedBy: r.opened_by,
  };
}

export async function loadCase(q: Q, id: string): Promise<StoredCase | undefined> {
  const row = await q.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [shares, transitions, messages] = await Promise.all([
    q.selectFrom('case_shares').select('inspectorate').where('case_id', '=', id).execute(),
    q.selectFrom('case_transitions').selectAll().where('case_id', '=', id).execute(),
    q.selectFrom('case_messages').selectAll().where('case_id', '=', id).execute(),
  ]);
  const history = [...transitions.map(toTransitionEvent), ...messages.map(toMessageEvent)].sort(
    (a, b) => a.seq - b.seq,
  );
  return toCase(
    row,
    shares.map((s) => s.inspectorate),
    history,
  );
}

/**
 * Joint arrangements from the registry: every agreement in force with two or more inspectorates
 * among its parties makes those inspectorates partners for its states (the demo's CSA-XA and
 * CSA-XB have both the agency and the regional authority as parties).
 */
export async function listJointArrangements(db: Db | Q): Promise<JointArrangement[]> {
  const k = 'kysely' in db ? db.kysely : db;
  const [agreements, parties, orgs] = await Promise.all([
    k.selectFrom('agreements').select(['id', 'status']).execute(),
    k.selectFrom('agreement_parties').selectAll().execute(),
    k
      .selectFrom('organisations')
      .select('id')
      .where('kind', 'in', ['inspectorate', 'regional-inspectorate'])
      .execute(),
  ]);
  const inspectorates = new Set(orgs.map((o) => o.id));
  const out: JointArrangement[] = [];
  for (const a of agreements) {
    if (a.status !== 'in-force') continue;
    const mine = parties.filter((p) => p.agreement_id === a.id);
    const insp = mine
      .filter((p) => p.party_kind === 'organisation' && inspectorates.has(p.party_ref))
      .map((p) => p.party_ref)
      .sort();
    const states = mine.filter((p) => p.party_kind === 'state').map((p) => p.party_ref);
    for (let i = 0; i < insp.length; i++)
      for (let j = i + 1; j < insp.length; j++)
        out.push({ id: a.id, inspectorates: [insp[i] as string, insp[j] as string], states });
  }
  return out;
}
