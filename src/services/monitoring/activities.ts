import { DomainError } from '../../domain/errors.js';
import { checkActivityWindow } from '../../domain/monitoring/index.js';
import type { Principal } from '../../domain/policy/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  findDeclaredActivity,
  insertDeclaredActivity,
  pageDeclaredActivities,
} from '../../store/declared-activities.repo.js';
import type { Page } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { DeclaredActivityRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';

/** What a state declares (POST /api/facilities/:code/activities). */
export interface ActivityInput {
  readonly containment: string;
  readonly from: string;
  readonly to: string;
  readonly description: string;
}

export interface ActivityView {
  readonly id: string;
  readonly state: string;
  readonly facility: string;
  readonly containment: string;
  readonly from: string;
  readonly to: string;
  readonly description: string;
  readonly declaredAt: string;
  readonly declaredBy: string;
  readonly logIndex: number;
}

export function declaredActivityRecordId(id: string): string {
  return `declared-activity:${id}`;
}

/** `declared-activity:<id>` → the declaration's id. */
export function parseDeclaredActivityRecordId(id: string): string | undefined {
  const m = /^declared-activity:([A-Za-z0-9_-]+)$/.exec(id);
  return m?.[1];
}

/** The logged content of a declaration, as the audit rebuilds it from its row. */
function contentOf(row: DeclaredActivityRow): unknown {
  return {
    id: row.id,
    state: row.state,
    facility: row.facility,
    containment: row.containment,
    from: row.from_at,
    to: row.to_at,
    description: row.description,
    declaredAt: row.declared_at,
    declaredBy: row.declared_by,
  };
}

export async function loadDeclaredActivity(q: DbOrTx, recordId: string): Promise<unknown | undefined> {
  const id = parseDeclaredActivityRecordId(recordId);
  const row = id === undefined ? undefined : await findDeclaredActivity(q, id);
  return row && contentOf(row);
}

function viewOf(r: DeclaredActivityRow): ActivityView {
  return {
    id: r.id,
    state: r.state,
    facility: r.facility,
    containment: r.containment,
    from: r.from_at,
    to: r.to_at,
    description: r.description,
    declaredAt: r.declared_at,
    declaredBy: r.declared_by,
    logIndex: r.log_index,
  };
}

/**
 * Declared activities (issue 18 §5): a state's submitter or administrator says that work will go
 * on in a containment between two times; the declaration is a logged record, and camera triggers
 * inside it while the containment's seal is open raise no CAMERA_UNDECLARED. Only batches judged
 * after the declaration see it: a trigger already judged keeps its alarm (the record says when
 * the state declared).
 */
export function createActivityDeclarations(ports: Ports) {
  const registry = createRegistryRepo(ports.db);
  const k = ports.db.kysely;

  async function facilityOf(p: Principal, code: string) {
    const facility = await registry.getFacility(code);
    const scope = await scopeOf(ports, p);
    if (!facility) throw new DomainError('NOT_FOUND', 'no such facility');
    enforce(p, 'data.read', scope, { state: facility.state });
    return { facility, scope };
  }

  return {
    async declare(p: Principal, code: string, input: ActivityInput): Promise<ActivityView> {
      const { facility, scope } = await facilityOf(p, code);
      enforce(p, 'report.submit', scope, { state: facility.state });
      const from = new Date(input.from).toISOString();
      const to = new Date(input.to).toISOString();
      const problems = checkActivityWindow(from, to);
      if (problems.length > 0)
        throw new DomainError('VALIDATION_FAILED', 'the declared activity is not valid', problems);
      const at = isoNow(ports.clock);
      const row: DeclaredActivityRow = {
        id: `act_${Buffer.from(ports.random.bytes(10)).toString('hex')}`,
        state: facility.state,
        facility: facility.code,
        containment: input.containment,
        from_at: from,
        to_at: to,
        description: input.description,
        declared_at: at,
        declared_by: p.userId,
        log_index: 0,
      };
      const logIndex = await k.transaction().execute(async (tx) => {
        const index = await appendRecord(tx, ports, {
          kind: 'declared-activity',
          id: declaredActivityRecordId(row.id),
          content: contentOf(row),
          subjectState: row.state,
          subjectOrg: null,
          at,
          by: p.userId,
        });
        await insertDeclaredActivity(tx, { ...row, log_index: index });
        return index;
      });
      return viewOf({ ...row, log_index: logIndex });
    },

    async list(
      p: Principal,
      code: string,
      window: { limit: number; offset: number },
    ): Promise<Page<ActivityView>> {
      const { facility } = await facilityOf(p, code);
      const page = await pageDeclaredActivities(k, facility.code, window);
      return { ...page, items: page.items.map(viewOf) };
    },

    /** The declaration behind a record, NOT_FOUND unless the caller reads the state's data. */
    async visible(p: Principal, recordId: string): Promise<void> {
      const id = parseDeclaredActivityRecordId(recordId);
      const row = id === undefined ? undefined : await findDeclaredActivity(k, id);
      if (!row) throw new DomainError('NOT_FOUND', 'no such record');
      await facilityOf(p, row.facility);
    },
  };
}
