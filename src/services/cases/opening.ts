import { type CaseKind, openCase, sharedWithFor } from '../../domain/cases/index.js';
import { utcDateOf } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import {
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

/** An inspector opens a case by hand; its inspectorate owns it. */
export function createCaseOpener(ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events' | 'logger'>) {
  const k = ports.db.kysely;
  return async function open(p: Principal, req: OpenCaseRequest): Promise<CaseView> {
    const scope = await scopeOf(ports, p);
    enforce(p, 'inspect', scope, { state: req.state });
    const inspectorate = p.organisationId;
    if (inspectorate === null) throw new DomainError('FORBIDDEN', 'cases are opened by an inspectorate');
    if (req.mba !== undefined) {
      const m = await createRegistryRepo(ports.db).getMba(req.mba);
      if (!m || m.state !== req.state)
        throw new DomainError('UNKNOWN_MBA', `MBA ${req.mba} is not an MBA of ${req.state}`);
    }
    const id = newCaseId(ports.random);
    const at = isoNow(ports.clock);
    await k.transaction().execute((tx) =>
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
        ...(req.mba === undefined ? {} : { mba: req.mba }),
        ...(req.note === undefined ? {} : { note: req.note }),
      }),
    );
    const c = await loadWrittenCase(k, id);
    await publishCaseEvent(ports, c, 'case.opened');
    return viewOf(c, utcDateOf(isoNow(ports.clock)));
  };
}
