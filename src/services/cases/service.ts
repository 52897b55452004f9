import type { Kysely, Transaction } from 'kysely';
import {
  addCaseNote,
  applyTransition,
  type CaseActor,
  type CaseKind,
  type CaseStatus,
  type CaseViewer,
  isAnswerOverdue,
  openCase,
  sharedWithFor,
  viewCaseFor,
} from '../../domain/cases/index.js';
import { utcDateOf } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import {
  decide,
  isGlobalAdmin,
  isInspectorate,
  type Principal,
  type StateScope,
} from '../../domain/policy/index.js';
import { isKeyValidAt } from '../../domain/registry/keys.js';
import type { IsoDate } from '../../domain/reports/report.types.js';
import { ed25519Verify } from '../../log/index.js';
import type { Schema } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import { type AttachmentRef, checkAttachment, MAX_ATTACHMENTS_PER_MESSAGE } from './attachments.js';
import {
  decisionBytes,
  messageContent,
  messageRecordId,
  transitionContent,
  transitionRecordId,
} from './content.js';
import {
  type CaseAbout,
  listJointArrangements,
  loadCase,
  type ResolutionSignature,
  type StoredCase,
  type StoredCaseEvent,
} from './store.js';

type Q = Kysely<Schema> | Transaction<Schema>;

export interface CaseSummary {
  readonly id: string;
  readonly key: string | null;
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba: string | null;
  readonly inspectorate: string;
  readonly sharedWith: readonly string[];
  readonly title: string;
  readonly about: CaseAbout;
  readonly status: CaseStatus;
  readonly dueDate: string | null;
  readonly overdue: boolean;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export interface CaseView extends CaseSummary {
  readonly history: readonly StoredCaseEvent[];
  /** How the decision (resolved/escalated) is attested: signature of the inspectorate, or the log only. */
  readonly decision: {
    readonly status: 'resolved' | 'escalated';
    readonly seq: number;
    readonly attestation: 'signature' | 'log-commitment';
  } | null;
}

export interface CaseFilter {
  readonly state?: string;
  readonly mba?: string;
  readonly kind?: CaseKind;
  readonly status?: CaseStatus;
  readonly limit?: number;
  readonly offset?: number;
}

export interface OpenCaseRequest {
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba?: string;
  readonly title: string;
  readonly about?: CaseAbout;
  readonly note?: string;
}

export interface TransitionInput {
  readonly to: CaseStatus;
  readonly note?: string;
  readonly dueDate?: IsoDate;
  readonly internal?: boolean;
  readonly linkedReport?: string;
  readonly signature?: ResolutionSignature;
}

export interface MessageInput {
  readonly text: string;
  readonly internal?: boolean;
  readonly attachments?: readonly { name: string; contentType: string; data: string }[];
}

/** Case events that notify (domain/notifications NOTIFICATION_EVENTS); under-review is silent. */
const EVENT_FOR: Partial<Record<CaseStatus, string>> = {
  open: 'case.opened',
  'question-sent': 'case.question-sent',
  answered: 'case.answered',
  resolved: 'case.resolved',
  escalated: 'case.escalated',
};

function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such case');
}

/** Who the principal is to a case: a state, an inspectorate (with its scope), or the node admin. */
function viewerOf(p: Principal, scope: StateScope): CaseViewer | 'admin' {
  if (isGlobalAdmin(p)) return 'admin';
  if (isInspectorate(p) && p.organisationId !== null) {
    return {
      kind: 'inspectorate',
      inspectorate: p.organisationId,
      states: scope === 'all' ? 'all' : [...scope],
    };
  }
  if (p.state !== null) return { kind: 'state', state: p.state };
  throw new DomainError('FORBIDDEN', 'only states and inspectorates have cases');
}

/** The node admin reads every case, as a state would (never an inspectorate's internal notes). */
function viewAs(viewer: CaseViewer | 'admin', c: StoredCase): StoredCase | undefined {
  const v: CaseViewer = viewer === 'admin' ? { kind: 'state', state: c.state } : viewer;
  return viewCaseFor(v, c) as StoredCase | undefined;
}

function summaryOf(c: StoredCase, today: IsoDate): CaseSummary {
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

function viewOf(c: StoredCase, today: IsoDate): CaseView {
  const last = [...c.history].reverse().find((e) => e.type === 'transition');
  const decided = c.status === 'resolved' || c.status === 'escalated';
  return {
    ...summaryOf(c, today),
    history: c.history,
    decision:
      decided && last
        ? {
            status: c.status as 'resolved' | 'escalated',
            seq: last.seq,
            attestation: last.signature ? 'signature' : 'log-commitment',
          }
        : null,
  };
}

function caseEventData(c: StoredCase, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    case: c.id,
    kind: c.kind,
    title: c.title,
    mba: c.mba ?? null,
    status: c.status,
    dueDate: c.dueDate ?? null,
    // The audience: the owner and its partners (the state is added from `state`).
    inspectorates: [c.inspectorate, ...c.sharedWith],
    ...extra,
  };
}

export interface NewCaseRow {
  readonly id: string;
  readonly key?: string;
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba?: string;
  readonly inspectorate: string;
  readonly title: string;
  readonly about: CaseAbout;
  readonly note?: string;
  readonly by: string;
  readonly actorOrg: string | null;
  readonly at: string;
}

/**
 * Insert a new case (and its opening, committed to the log) in the caller's transaction. With a
 * key already taken, inserts nothing and answers false: the unique index on the key is what
 * makes re-evaluation (also concurrent) never open a duplicate.
 */
export async function insertCase(tx: Q, ports: Ports, input: NewCaseRow): Promise<boolean> {
  const arrangements = await listJointArrangements(tx);
  const c = openCase({
    id: input.id,
    kind: input.kind,
    state: input.state,
    inspectorate: input.inspectorate,
    sharedWith: sharedWithFor(arrangements, input.inspectorate, input.state),
    by: input.by,
    at: input.at,
    ...(input.mba === undefined ? {} : { mba: input.mba }),
    ...(input.key === undefined ? {} : { key: input.key }),
    ...(input.note === undefined ? {} : { note: input.note }),
  });
  const row: Schema['cases'] = {
    id: c.id,
    case_key: c.key ?? null,
    kind: c.kind,
    state: c.state,
    mba: c.mba ?? null,
    inspectorate: c.inspectorate,
    title: input.title,
    about: JSON.stringify(input.about),
    status: c.status,
    due_date: null,
    event_count: 1,
    opened_at: c.openedAt,
    opened_by: input.by,
    updated_at: c.updatedAt,
  };
  const inserted = await tx
    .insertInto('cases')
    .values(row)
    .onConflict((oc) => oc.column('case_key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
  if (c.sharedWith.length > 0) {
    await tx
      .insertInto('case_shares')
      .values(c.sharedWith.map((i) => ({ case_id: c.id, inspectorate: i })))
      .execute();
  }
  const opened: Schema['case_transitions'] = {
    case_id: c.id,
    seq: 0,
    from_status: null,
    to_status: 'open',
    at: c.openedAt,
    by: input.by,
    actor_kind: 'inspectorate',
    actor_org: input.actorOrg,
    note: input.note ?? null,
    note_internal: 1,
    due_date: null,
    linked_report: null,
    signature: null,
  };
  await tx.insertInto('case_transitions').values(opened).execute();
  await appendRecord(tx, ports, {
    kind: 'case-transition',
    id: transitionRecordId(c.id, 0),
    content: transitionContent(row, opened),
    subjectState: c.state,
    subjectOrg: c.inspectorate,
    at: c.openedAt,
    by: input.by,
  });
  return true;
}

export function newCaseId(ports: Ports): string {
  return `case_${Buffer.from(ports.random.bytes(10)).toString('hex')}`;
}

export async function publishCaseEvent(
  ports: Ports,
  c: StoredCase,
  type: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  try {
    await ports.events.publish({
      type,
      state: c.state,
      organisation: null,
      at: c.updatedAt,
      data: caseEventData(c, extra),
    });
  } catch (err) {
    // The case is committed; a lost notification is logged, never turned into a failed request.
    ports.logger.error({ err, case: c.id, type }, 'publishing a case event failed');
  }
}

async function verifyDecisionSignature(
  ports: Ports,
  c: StoredCase,
  decision: string,
  note: string,
  linkedReport: string | null,
  sig: ResolutionSignature,
  at: string,
): Promise<void> {
  const key = await ports.db.kysely
    .selectFrom('signing_keys')
    .selectAll()
    .where('id', '=', sig.keyId)
    .executeTakeFirst();
  if (!key || key.organisation_id !== c.inspectorate) {
    throw new DomainError('KEY_UNKNOWN', `key ${sig.keyId} is not a registered key of ${c.inspectorate}`);
  }
  if (!isKeyValidAt({ validFrom: key.valid_from, validTo: key.valid_to, revokedAt: key.revoked_at }, at)) {
    throw new DomainError('KEY_NOT_VALID', `key ${sig.keyId} is not valid now`);
  }
  // The log's one strict RFC 8032 verification (docs/decisions/0014), as for reports and statements.
  const ok = ed25519Verify(
    Buffer.from(key.public_key, 'base64'),
    decisionBytes({ caseId: c.id, decision, inspectorate: c.inspectorate, note, linkedReport }),
    Buffer.from(sig.signature, 'base64'),
  );
  if (!ok) throw new DomainError('SIGNATURE_INVALID', 'the decision signature does not verify');
}

/** Case use cases: each asks the policy, then works in one transaction committed to the log. */
export function createCaseService(ports: Ports) {
  const k = ports.db.kysely;
  const today = () => utcDateOf(isoNow(ports.clock));

  async function visibleCase(p: Principal, id: string) {
    const scope = await scopeOf(ports, p);
    if (decide(p, 'data.read', scope) === 'forbidden')
      throw new DomainError('FORBIDDEN', 'your roles do not allow reading cases');
    const viewer = viewerOf(p, scope);
    const c = await loadCase(k, id);
    const seen = c && viewAs(viewer, c);
    if (!c || !seen) return notFound();
    return { c, seen, scope, viewer };
  }

  function actorOf(p: Principal, scope: StateScope, c: StoredCase): CaseActor {
    if (isInspectorate(p) && p.organisationId !== null) {
      enforce(p, 'inspect', scope, { state: c.state });
      return { kind: 'inspectorate', inspectorate: p.organisationId, user: p.userId };
    }
    if (p.state !== null && p.state === c.state && !isGlobalAdmin(p)) {
      enforce(p, 'data.read', scope, { state: c.state });
      return { kind: 'state', state: p.state, user: p.userId };
    }
    throw new DomainError('FORBIDDEN', 'only the owning inspectorate and the state act on a case');
  }

  /** Bump the thread counter only if nobody else moved the case meanwhile (optimistic lock). */
  async function claimSeq(tx: Q, c: StoredCase, set: Partial<Schema['cases']>, at: string): Promise<number> {
    const r = await tx
      .updateTable('cases')
      .set({ ...set, event_count: c.eventCount + 1, updated_at: at })
      .where('id', '=', c.id)
      .where('event_count', '=', c.eventCount)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      throw new DomainError('CONFLICT', `case ${c.id} changed meanwhile; reload and try again`);
    }
    return c.eventCount;
  }

  return {
    async list(
      p: Principal,
      filter: CaseFilter,
    ): Promise<{ items: CaseSummary[]; total: number; limit: number; offset: number }> {
      const scope = await scopeOf(ports, p);
      if (decide(p, 'data.read', scope) === 'forbidden')
        throw new DomainError('FORBIDDEN', 'your roles do not allow reading cases');
      const viewer = viewerOf(p, scope);
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
      const offset = Math.max(filter.offset ?? 0, 0);
      let q = k.selectFrom('cases');
      if (viewer !== 'admin') {
        if (viewer.kind === 'state') q = q.where('state', '=', viewer.state);
        else {
          const org = viewer.inspectorate;
          const states = viewer.states;
          q = q.where((eb) =>
            eb.or([
              states === 'all'
                ? eb('inspectorate', '=', org)
                : states.length === 0
                  ? eb.val(false)
                  : eb.and([eb('inspectorate', '=', org), eb('state', 'in', states)]),
              eb('id', 'in', eb.selectFrom('case_shares').select('case_id').where('inspectorate', '=', org)),
            ]),
          );
        }
      }
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.mba) q = q.where('mba', '=', filter.mba);
      if (filter.kind) q = q.where('kind', '=', filter.kind);
      if (filter.status) q = q.where('status', '=', filter.status);
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      const ids = rows.map((r) => r.id);
      const shares =
        ids.length === 0
          ? []
          : await k.selectFrom('case_shares').selectAll().where('case_id', 'in', ids).execute();
      const d = today();
      const items = rows.map((r) => {
        const sharedWith = shares
          .filter((s) => s.case_id === r.id)
          .map((s) => s.inspectorate)
          .sort();
        const c: StoredCase = {
          id: r.id,
          ...(r.case_key === null ? {} : { key: r.case_key }),
          kind: r.kind as CaseKind,
          state: r.state,
          ...(r.mba === null ? {} : { mba: r.mba }),
          inspectorate: r.inspectorate,
          sharedWith,
          status: r.status as CaseStatus,
          ...(r.due_date === null ? {} : { dueDate: r.due_date as IsoDate }),
          openedAt: r.opened_at,
          updatedAt: r.updated_at,
          history: [],
          title: r.title,
          about: JSON.parse(r.about) as CaseAbout,
          eventCount: r.event_count,
          openedBy: r.opened_by,
        };
        return summaryOf(c, d);
      });
      return { items, total: Number(count?.n ?? 0), limit, offset };
    },

    async get(p: Principal, id: string): Promise<CaseView> {
      const { seen } = await visibleCase(p, id);
      return viewOf(seen, today());
    },

    /** An inspector opens a case by hand; its inspectorate owns it. */
    async open(p: Principal, req: OpenCaseRequest): Promise<CaseView> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'inspect', scope, { state: req.state });
      if (p.organisationId === null)
        throw new DomainError('FORBIDDEN', 'cases are opened by an inspectorate');
      if (req.mba !== undefined) {
        const m = await k
          .selectFrom('mbas')
          .innerJoin('facilities', 'facilities.code', 'mbas.facility')
          .select('facilities.state')
          .where('mbas.code', '=', req.mba)
          .executeTakeFirst();
        if (!m || m.state !== req.state)
          throw new DomainError('UNKNOWN_MBA', `MBA ${req.mba} is not an MBA of ${req.state}`);
      }
      const id = newCaseId(ports);
      const at = isoNow(ports.clock);
      await k.transaction().execute((tx) =>
        insertCase(tx, ports, {
          id,
          kind: req.kind,
          state: req.state,
          inspectorate: p.organisationId as string,
          title: req.title,
          about: req.about ?? {},
          by: p.userId,
          actorOrg: p.organisationId,
          at,
          ...(req.mba === undefined ? {} : { mba: req.mba }),
          ...(req.note === undefined ? {} : { note: req.note }),
        }),
      );
      const c = (await loadCase(k, id)) as StoredCase;
      await publishCaseEvent(ports, c, 'case.opened');
      return viewOf(c, today());
    },

    async transition(p: Principal, id: string, req: TransitionInput): Promise<CaseView> {
      const { c, scope } = await visibleCase(p, id);
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
      const decision = req.to === 'resolved' || req.to === 'escalated';
      if (req.linkedReport !== undefined && req.to !== 'resolved' && req.to !== 'answered') {
        throw new DomainError(
          'VALIDATION_FAILED',
          'only an answer or a resolution links a correction report',
          [
            {
              field: 'linkedReport',
              code: 'NOT_ALLOWED',
              message: 'linkedReport needs to: answered or resolved',
            },
          ],
        );
      }
      // The state answers with its correction: it must be an accepted report of that state.
      if (req.linkedReport !== undefined && req.to === 'answered') {
        const report = await k
          .selectFrom('reports')
          .select('state')
          .where('id', '=', req.linkedReport)
          .executeTakeFirst();
        if (!report || report.state !== c.state) {
          throw new DomainError(
            'VALIDATION_FAILED',
            `report ${req.linkedReport} is not a report of ${c.state}`,
            [{ field: 'linkedReport', code: 'UNKNOWN_REPORT', message: req.linkedReport }],
          );
        }
      }
      // Issue 6: the resolution is signed by the deciding inspectorate, so neither side can deny it.
      if (decision && req.signature === undefined) {
        throw new DomainError('VALIDATION_FAILED', `moving to ${req.to} needs the inspectorate's signature`, [
          {
            field: 'signature',
            code: 'SIGNATURE_REQUIRED',
            message:
              'sign decisionBytes(case, decision, inspectorate, note, linkedReport) with a key of the inspectorate',
          },
        ]);
      }
      if (req.signature !== undefined) {
        if (!decision) {
          throw new DomainError('VALIDATION_FAILED', 'only a decision (resolved, escalated) is signed', [
            { field: 'signature', code: 'NOT_ALLOWED', message: 'signature needs to: resolved or escalated' },
          ]);
        }
        await verifyDecisionSignature(
          ports,
          c,
          req.to,
          event.note?.text ?? '',
          req.linkedReport ?? null,
          req.signature,
          at,
        );
      }
      const row: Schema['case_transitions'] = {
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
        await tx.insertInto('case_transitions').values(row).execute();
        const caseRow = await tx
          .selectFrom('cases')
          .selectAll()
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow();
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
      const after = (await loadCase(k, id)) as StoredCase;
      const type = EVENT_FOR[req.to];
      if (type) {
        await publishCaseEvent(ports, after, type, {
          from: c.status,
          ...(req.to === 'open' ? { reopened: true } : {}),
          ...(req.linkedReport === undefined ? {} : { linkedReport: req.linkedReport }),
        });
      }
      return viewOf((await visibleCase(p, id)).seen, today());
    },

    async postMessage(p: Principal, id: string, req: MessageInput): Promise<CaseView> {
      const { c, scope } = await visibleCase(p, id);
      const actor = actorOf(p, scope, c);
      const at = isoNow(ports.clock);
      const attachments = req.attachments ?? [];
      if (attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) {
        throw new DomainError('VALIDATION_FAILED', `at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`, [
          { field: 'attachments', code: 'TOO_MANY', message: String(attachments.length) },
        ]);
      }
      const files: { ref: AttachmentRef; bytes: Uint8Array }[] = attachments.map((a, i) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.data) || a.data.length % 4 !== 0) {
          throw new DomainError('VALIDATION_FAILED', 'attachment data is not base64', [
            { field: `attachments.${i}.data`, code: 'NOT_BASE64', message: 'standard base64 expected' },
          ]);
        }
        const bytes = new Uint8Array(Buffer.from(a.data, 'base64'));
        return { ref: checkAttachment({ name: a.name, contentType: a.contentType, bytes }), bytes };
      });
      const next = addCaseNote(c, {
        actor,
        text: req.text,
        at,
        ...(req.internal === undefined ? {} : { internal: req.internal }),
      });
      const note = next.history[next.history.length - 1]?.note;
      if (!note) throw new DomainError('INTERNAL', 'message produced no note');
      const row: Schema['case_messages'] = {
        case_id: c.id,
        seq: c.eventCount,
        at,
        by: p.userId,
        actor_kind: actor.kind,
        actor_org: p.organisationId,
        body: note.text,
        internal: note.internal ? 1 : 0,
        attachments: JSON.stringify(files.map((f) => f.ref)),
      };
      await k.transaction().execute(async (tx) => {
        await claimSeq(tx, c, {}, at);
        for (const f of files) {
          await tx
            .insertInto('case_attachments')
            .values({
              hash: f.ref.hash,
              content_type: f.ref.contentType,
              size: f.ref.size,
              bytes: f.bytes,
              created_at: at,
              created_by: p.userId,
            })
            .onConflict((oc) => oc.column('hash').doNothing())
            .execute();
        }
        await tx.insertInto('case_messages').values(row).execute();
        await appendRecord(tx, ports, {
          kind: 'case-message',
          id: messageRecordId(c.id, row.seq),
          content: messageContent(row),
          subjectState: c.state,
          subjectOrg: c.inspectorate,
          at,
          by: p.userId,
        });
      });
      // Live threads: everyone who sees the case hears of a new message; an internal note is not
      // announced, since the state must not learn that one exists.
      if (!note.internal)
        await publishCaseEvent(ports, { ...c, updatedAt: at }, 'case.message', { seq: row.seq });
      return viewOf((await visibleCase(p, id)).seen, today());
    },

    /** An attachment of a message the caller may read (an internal note's files stay internal). */
    async getAttachment(
      p: Principal,
      id: string,
      hash: string,
    ): Promise<{ bytes: Uint8Array; contentType: string; name: string }> {
      const { seen } = await visibleCase(p, id);
      const ref = seen.history.flatMap((e) => e.attachments ?? []).find((a) => a.hash === hash);
      if (!ref) throw new DomainError('NOT_FOUND', 'no such attachment on this case');
      const row = await k
        .selectFrom('case_attachments')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst();
      if (!row) throw new DomainError('NOT_FOUND', 'attachment content missing');
      return { bytes: row.bytes, contentType: row.content_type, name: ref.name };
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
