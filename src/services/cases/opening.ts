import { type CaseKind, caseKeyForAlarm, openCase, sharedWithFor } from '../../domain/cases/index.js';
import { utcDateOf } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import {
  findCaseIdByKey,
  insertCaseUnlessKeyTaken,
  insertShares,
  insertTransition,
  listJointArrangements,
} from '../../store/cases.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { CaseRow, CaseTransitionRow } from '../../store/schema.types.js';
import { isoNow, type Ports, type Random } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import type { CaseAbout, CaseView, OpenCaseRequest } from './cases.types.js';
import { transitionContent, transitionRecordId } from './content.js';
import { publishCaseEvent } from './events.js';
import { loadWrittenCase, viewOf } from './stored-case.js';
import type { CaseReader } from './visibility.js';

/** A case to open, by hand or for an alarm. */
export interface NewCase {
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

export function newCaseId(random: Random): string {
  return `case_${Buffer.from(random.bytes(10)).toString('hex')}`;
}

/**
 * Insert a new case (and its opening, committed to the log) in the caller's transaction. With a
 * key already taken, inserts nothing and answers false: the unique index on the key is what
 * makes re-evaluation (also concurrent) never open a duplicate.
 */
export async function insertCase(
  tx: DbOrTx,
  ports: Pick<Ports, 'db' | 'random'>,
  input: NewCase,
): Promise<boolean> {
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
  const row: CaseRow = {
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
  if (!(await insertCaseUnlessKeyTaken(tx, row))) return false;
  await insertShares(tx, c.id, c.sharedWith);
  const opened: CaseTransitionRow = {
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
  await insertTransition(tx, opened);
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

/**
 * An inspector opens a case by hand; its inspectorate owns it. One case per cause (issue 16,
 * docs/decisions/0024): a request that names the alarm it is about (`cause`) gets that cause's key,
 * the very key the automatic path uses (caseKeyForAlarm), and opening it again answers the
 * existing case with `created: false`. The unique index on the key decides between concurrent
 * opens. A case about anything else has no key.
 */
export function createCaseOpener(
  ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>,
  reader: Pick<CaseReader, 'get'>,
) {
  const k = ports.db.kysely;
  /** The case already opened for `key`, as `p` sees it; CONFLICT when `p` may not see it. */
  async function existing(p: Principal, key: string): Promise<CaseView | undefined> {
    const id = await findCaseIdByKey(k, key);
    if (id === undefined) return undefined;
    try {
      return await reader.get(p, id);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND')
        throw new DomainError(
          'CONFLICT',
          'a case about this cause is already open with another inspectorate',
        );
      throw err;
    }
  }
  return async function open(
    p: Principal,
    req: OpenCaseRequest,
  ): Promise<{ case: CaseView; created: boolean }> {
    const scope = await scopeOf(ports, p);
    enforce(p, 'inspect', scope, { state: req.state });
    const inspectorate = p.organisationId;
    if (inspectorate === null) throw new DomainError('FORBIDDEN', 'cases are opened by an inspectorate');
    if (req.mba !== undefined) {
      const m = await createRegistryRepo(ports.db).getMba(req.mba);
      if (!m || m.state !== req.state)
        throw new DomainError('UNKNOWN_MBA', `MBA ${req.mba} is not an MBA of ${req.state}`);
    }
    const cause = req.cause;
    if (cause !== undefined) {
      const mba = 'mba' in cause ? cause.mba : undefined;
      if (cause.state !== req.state || (mba !== undefined && req.mba !== undefined && mba !== req.mba))
        throw new DomainError('BAD_REQUEST', 'the cause is about another state or MBA than the case');
    }
    const key = cause === undefined ? undefined : caseKeyForAlarm(cause);
    if (key !== undefined) {
      const found = await existing(p, key);
      if (found) return { case: found, created: false };
    }
    const id = newCaseId(ports.random);
    const at = isoNow(ports.clock);
    const created = await k.transaction().execute((tx) =>
      insertCase(tx, ports, {
        id,
        kind: req.kind,
        state: req.state,
        inspectorate,
        title: req.title,
        about: req.about ?? {},
        by: p.userId,
        actorOrg: inspectorate,
        at,
        ...(key === undefined ? {} : { key }),
        ...(req.mba === undefined ? {} : { mba: req.mba }),
        ...(req.note === undefined ? {} : { note: req.note }),
      }),
    );
    if (!created && key !== undefined) {
      // Another open of the same cause committed first: answer that one.
      const found = await existing(p, key);
      if (found) return { case: found, created: false };
      throw new DomainError('INTERNAL', `no case for ${key} after opening it`);
    }
    const c = await loadWrittenCase(k, id);
    await publishCaseEvent(ports, c, 'case.opened');
    return { case: viewOf(c, utcDateOf(isoNow(ports.clock))), created: true };
  };
}
