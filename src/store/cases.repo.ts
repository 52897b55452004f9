import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import {
  CASE_STATUSES,
  type CaseKind,
  type CaseStatus,
  type CaseViewer,
  type JointArrangement,
} from '../domain/cases/index.js';
import type { DbOrTx } from './db.js';
import { pageOfParts } from './paging.js';
import type {
  CaseAttachmentRow,
  CaseMessageRow,
  CaseRow,
  CaseShareRow,
  CaseTransitionRow,
  Schema,
} from './schema.types.js';

/**
 * The cases aggregate (migration 0005): a case, the inspectorates it is shared with, its thread
 * of transitions and messages (numbered together by `seq`), and the attachments the messages
 * name by hash. Every function takes a database or a transaction, so the caller chooses the unit
 * of work; the case service commits each change together with its log record.
 */

// ---- cases

export async function getCase(q: DbOrTx, id: string): Promise<CaseRow | undefined> {
  return q.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The case opened for an alarm's cause (caseKeyForAlarm), if any. */
export async function findCaseIdByKey(q: DbOrTx, key: string): Promise<string | undefined> {
  const row = await q.selectFrom('cases').select('id').where('case_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Which of `keys` name a case already (one statement; the case opener asks per batch of alarms). */
export async function findTakenCaseKeys(q: DbOrTx, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await q
    .selectFrom('cases')
    .select('case_key')
    .where('case_key', 'in', [...keys])
    .execute();
  return new Set(rows.map((r) => r.case_key).filter((k): k is string => k !== null));
}

/**
 * Inserts a case unless its key is taken, answering whether it did: the unique index on the key
 * is what keeps re-evaluation (also concurrent) from opening a duplicate.
 */
export async function insertCaseUnlessKeyTaken(q: DbOrTx, row: CaseRow): Promise<boolean> {
  const r = await q
    .insertInto('cases')
    .values(row)
    .onConflict((oc) => oc.column('case_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Takes the next thread number of a case only if nobody moved it meanwhile (optimistic lock on
 * the event count the caller read), setting `set` with it. Answers whether it won.
 */
export async function claimNextSeq(
  q: DbOrTx,
  c: { readonly id: string; readonly eventCount: number },
  set: Partial<Pick<CaseRow, 'status' | 'due_date'>>,
  at: string,
): Promise<boolean> {
  const r = await q
    .updateTable('cases')
    .set({ ...set, event_count: c.eventCount + 1, updated_at: at })
    .where('id', '=', c.id)
    .where('event_count', '=', c.eventCount)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface CaseListFilter {
  readonly state?: string;
  readonly mba?: string;
  readonly kind?: CaseKind;
  readonly status?: CaseStatus;
}

/**
 * The disjoint parts of what `viewer` may see (decision 0106), each a condition one index walks in
 * the list's order: everything (the node admin); the state's cases; an inspectorate's own cases
 * (about every state, or one part per state of its scope) and, apart, the cases shared with it
 * that it does not own. Mirrors domain/cases canViewCase. A status asked for goes inside each part
 * (with it beside an OR, the planner read every case of that status: decision 0095).
 */
function visibleParts(
  viewer: CaseViewer | 'admin',
  status: CaseStatus | undefined,
): ((eb: ExpressionBuilder<Schema, 'cases'>) => Expression<SqlBool>)[] {
  const ofStatus = (eb: ExpressionBuilder<Schema, 'cases'>, e: Expression<SqlBool>) =>
    status ? eb.and([e, eb('status', '=', status)]) : e;
  if (viewer === 'admin') return [(eb) => (status ? eb('status', '=', status) : sql<SqlBool>`1 = 1`)];
  if (viewer.kind === 'state') return [(eb) => ofStatus(eb, eb('state', '=', viewer.state))];
  const { inspectorate, states } = viewer;
  const own =
    states === 'all'
      ? [(eb: ExpressionBuilder<Schema, 'cases'>) => ofStatus(eb, eb('inspectorate', '=', inspectorate))]
      : states.map(
          (state) => (eb: ExpressionBuilder<Schema, 'cases'>) =>
            ofStatus(eb, eb.and([eb('inspectorate', '=', inspectorate), eb('state', '=', state)])),
        );
  // Shared cases by their ids, the status checked on each (with the status beside the list, the
  // planner again read every case of that status).
  const shared = (eb: ExpressionBuilder<Schema, 'cases'>) =>
    eb.and([
      eb('inspectorate', '<>', inspectorate),
      eb(
        'id',
        'in',
        status
          ? eb
              .selectFrom('case_shares as s')
              .innerJoin('cases as c', 'c.id', 's.case_id')
              .select('s.case_id')
              .where('s.inspectorate', '=', inspectorate)
              .where('c.status', '=', status)
          : eb.selectFrom('case_shares').select('case_id').where('inspectorate', '=', inspectorate),
      ),
    ]);
  return [...own, shared];
}

/**
 * One page of the cases `viewer` may see (the node admin: all), newest change first, and how
 * many there are. Hundreds of thousands of cases accumulate (one per unmatched line or device
 * alarm, resolved ones kept for ever): each part of the view (visibleParts) walks its index in
 * the list's order for its first offset + limit rows, and only those are merged; the number is
 * each part's count, read from an index (decision 0106).
 */
export async function pageCases(
  q: DbOrTx,
  viewer: CaseViewer | 'admin',
  filter: CaseListFilter,
  page: { readonly limit: number; readonly offset: number },
): Promise<{ rows: CaseRow[]; total: number }> {
  const of = (part: (eb: ExpressionBuilder<Schema, 'cases'>) => Expression<SqlBool>) => {
    let sel = q.selectFrom('cases').where(part);
    if (filter.state) sel = sel.where('state', '=', filter.state);
    if (filter.mba) sel = sel.where('mba', '=', filter.mba);
    if (filter.kind) sel = sel.where('kind', '=', filter.kind);
    return sel;
  };
  const parts = visibleParts(viewer, filter.status);
  if (parts.length === 0) return { rows: [], total: 0 };
  const rows = await pageOfParts(
    q,
    parts.map((p) => of(p).selectAll().orderBy('updated_at', 'desc').orderBy('id')),
    sql`updated_at desc, id`,
    page,
  );
  let total = 0;
  for (const p of parts)
    total += Number(
      (
        await of(p)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return { rows, total };
}

/** Ids of the cases whose question is unanswered and due before `today` (YYYY-MM-DD). */
export async function listQuestionsDueBefore(q: DbOrTx, today: string): Promise<string[]> {
  const rows = await q
    .selectFrom('cases')
    .select('id')
    .where('status', '=', 'question-sent')
    .where('due_date', '<', today)
    .execute();
  return rows.map((r) => r.id);
}

// ---- shares

export async function insertShares(
  q: DbOrTx,
  caseId: string,
  inspectorates: readonly string[],
): Promise<void> {
  if (inspectorates.length === 0) return;
  await q
    .insertInto('case_shares')
    .values(inspectorates.map((inspectorate) => ({ case_id: caseId, inspectorate })))
    .execute();
}

export async function listSharesOf(q: DbOrTx, caseIds: readonly string[]): Promise<CaseShareRow[]> {
  if (caseIds.length === 0) return [];
  return q
    .selectFrom('case_shares')
    .selectAll()
    .where('case_id', 'in', [...caseIds])
    .execute();
}

// ---- the thread: transitions and messages

export async function insertTransition(q: DbOrTx, row: CaseTransitionRow): Promise<void> {
  await q.insertInto('case_transitions').values(row).execute();
}

export async function insertMessage(q: DbOrTx, row: CaseMessageRow): Promise<void> {
  await q.insertInto('case_messages').values(row).execute();
}

/** A case's whole thread, each part in no particular order (the caller sorts by seq). */
export async function listThread(
  q: DbOrTx,
  caseId: string,
): Promise<{ transitions: CaseTransitionRow[]; messages: CaseMessageRow[] }> {
  const [transitions, messages] = await Promise.all([
    q.selectFrom('case_transitions').selectAll().where('case_id', '=', caseId).execute(),
    q.selectFrom('case_messages').selectAll().where('case_id', '=', caseId).execute(),
  ]);
  return { transitions, messages };
}

export async function getTransition(
  q: DbOrTx,
  caseId: string,
  seq: number,
): Promise<CaseTransitionRow | undefined> {
  return q
    .selectFrom('case_transitions')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

export async function getMessage(
  q: DbOrTx,
  caseId: string,
  seq: number,
): Promise<CaseMessageRow | undefined> {
  return q
    .selectFrom('case_messages')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

/** Every (case, seq) of the one thread part: what the audit expects to find in the log. */
/** A page of a thread part's keys after `after`, in key order: the audit pages through them. */
export async function threadRefsAfter(
  q: DbOrTx,
  part: 'case_transitions' | 'case_messages',
  after: { case_id: string; seq: number },
  limit: number,
): Promise<{ case_id: string; seq: number }[]> {
  const rows = await q
    .selectFrom(part)
    .select(['case_id', 'seq'])
    // A row value, which plans as a range of the key (an OR of the two halves scanned the index
    // from its first row on every page: decision 0095).
    .where(sql<SqlBool>`(case_id, seq) > (${after.case_id}, ${after.seq})`)
    .orderBy('case_id')
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ case_id: r.case_id, seq: Number(r.seq) }));
}

// ---- attachments (content-addressed: the same file twice is stored once)

export async function insertAttachmentOnce(q: DbOrTx, row: CaseAttachmentRow): Promise<void> {
  await q
    .insertInto('case_attachments')
    .values(row)
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}

export async function getAttachment(q: DbOrTx, hash: string): Promise<CaseAttachmentRow | undefined> {
  return q.selectFrom('case_attachments').selectAll().where('hash', '=', hash).executeTakeFirst();
}

// ---- what the registry says about who works a case

/**
 * Joint arrangements from the registry: every agreement in force with two or more inspectorates
 * among its parties makes those inspectorates partners for its states (the demo's CSA-XA and
 * CSA-XB have both the agency and the regional authority as parties).
 */
export async function listJointArrangements(q: DbOrTx): Promise<JointArrangement[]> {
  const [agreements, parties, orgs] = await Promise.all([
    q.selectFrom('agreements').select(['id', 'status']).where('status', '=', 'in-force').execute(),
    q.selectFrom('agreement_parties').selectAll().execute(),
    q
      .selectFrom('organisations')
      .select('id')
      .where('kind', 'in', ['inspectorate', 'regional-inspectorate'])
      .execute(),
  ]);
  const inspectorates = new Set(orgs.map((o) => o.id));
  const out: JointArrangement[] = [];
  for (const a of agreements) {
    const mine = parties.filter((p) => p.agreement_id === a.id);
    const insp = mine
      .filter((p) => p.party_kind === 'organisation' && inspectorates.has(p.party_ref))
      .map((p) => p.party_ref)
      .sort();
    const states = mine.filter((p) => p.party_kind === 'state').map((p) => p.party_ref);
    for (const [i, first] of insp.entries())
      for (const second of insp.slice(i + 1)) out.push({ id: a.id, inspectorates: [first, second], states });
  }
  return out;
}

/** The inspectorates (international or regional) party to an agreement in force with `state`. */
export async function listInspectoratesOfState(
  q: DbOrTx,
  state: string,
): Promise<{ id: string; kind: string }[]> {
  return q
    .selectFrom('agreement_parties as org')
    .innerJoin('agreement_parties as st', 'st.agreement_id', 'org.agreement_id')
    .innerJoin('agreements as a', 'a.id', 'org.agreement_id')
    .innerJoin('organisations as o', 'o.id', 'org.party_ref')
    .select(['o.id', 'o.kind'])
    .where('a.status', '=', 'in-force')
    .where('org.party_kind', '=', 'organisation')
    .where('o.kind', 'in', ['inspectorate', 'regional-inspectorate'])
    .where('st.party_kind', '=', 'state')
    .where('st.party_ref', '=', state)
    .execute();
}

/** How many cases about `state` are not resolved (the annual conclusion's basis). */
export async function countUnresolvedCasesOfState(q: DbOrTx, state: string): Promise<number> {
  const r = await q
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('state', '=', state)
    // The unresolved statuses named, so that (state, status) ranges of cases_state_status are
    // read (migration 0052), not every case the state ever had (decision 0095).
    .where(
      'status',
      'in',
      CASE_STATUSES.filter((x) => x !== 'resolved'),
    )
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Which of `keys` (case keys) name a resolved case; asked in chunks so the list stays bounded. */
export async function resolvedCaseKeys(q: DbOrTx, keys: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await caseStatusesByKey(q, keys.slice(i, i + 500)).execute();
    for (const r of rows) if (r.case_key !== null && r.status === 'resolved') out.add(r.case_key);
  }
  return out;
}

/**
 * The status of the cases of these keys, by the key's index. The status is compared by the
 * caller: asked in SQL too, the planner (no statistics) read every resolved case of every state
 * through `cases_status` instead of a few keys (decision 0095).
 */
export function caseStatusesByKey(q: DbOrTx, keys: readonly string[]) {
  return q.selectFrom('cases').select(['case_key', 'status']).where('case_key', 'in', keys);
}
