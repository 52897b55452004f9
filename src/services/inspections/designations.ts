import { DomainError } from '../../domain/errors.js';
import { decideDesignation } from '../../domain/inspections/index.js';
import { isGlobalAdmin, isInspectorate, type Principal, type StateScope } from '../../domain/policy/index.js';
import { type DesignationListFilter, pageDesignations } from '../../store/inspection-lists.repo.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import type { Page } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { InspectorDesignationRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { notFound } from './access.js';
import { randomHex } from './ids.js';
import type { Designation } from './inspections.types.js';

/** A designation with its status on the day `at` (pending, accepted, rejected, unanswered). */
function toDesignation(r: InspectorDesignationRow, at: string): Designation {
  const status = decideDesignation({
    receivedOn: r.received_on,
    today: at.slice(0, 10),
    ...(r.decision !== null && r.decided_on !== null
      ? { answer: { decision: r.decision, on: r.decided_on } }
      : {}),
  });
  return {
    id: r.id,
    inspectorate: r.inspectorate,
    state: r.state,
    inspector: r.inspector,
    receivedOn: r.received_on,
    answerDueOn: status.answerDueOn,
    status: status.status,
    decidedOn: r.decided_on,
    lateAnswer: status.lateAnswer ?? false,
    designated: status.designated,
  };
}

/**
 * Which designations a caller lists, as the store's row filter: a global admin all; an
 * inspectorate its own proposals, whatever its scope today (none without an organisation); anyone
 * else those of the states in its scope.
 */
function designationsListedFor(p: Principal, scope: StateScope): DesignationListFilter | undefined {
  if (isGlobalAdmin(p)) return { states: 'all' };
  if (isInspectorate(p)) {
    return p.organisationId === null ? undefined : { states: 'all', inspectorate: p.organisationId };
  }
  return { states: scope === 'all' ? 'all' : [...scope] };
}

/** Inspector designations (INFCIRC/153 para 85): the inspectorate proposes, the state answers. */
export function createDesignationService(ports: Pick<Ports, 'db' | 'clock' | 'random'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  const registry = createRegistryRepo(ports.db);
  const now = () => isoNow(ports.clock);
  return {
    async proposeDesignation(
      p: Principal,
      input: { state: string; inspector: string },
    ): Promise<Designation> {
      enforce(p, 'inspect', await scopeOf(ports, p), { state: input.state });
      if (!isInspectorate(p) || p.organisationId === null) {
        throw new DomainError('FORBIDDEN', 'an inspectorate proposes its inspectors');
      }
      if (!(await registry.getState(input.state))) return notFound();
      const at = now();
      const row: InspectorDesignationRow = {
        id: `des-${randomHex(ports.random, 6)}`,
        inspectorate: p.organisationId,
        state: input.state,
        inspector: input.inspector,
        received_on: at.slice(0, 10),
        decision: null,
        decided_on: null,
        decided_by: null,
        created_at: at,
        created_by: p.userId,
      };
      await repo.insertDesignation(row);
      return toDesignation(row, at);
    },

    async decideDesignation(
      p: Principal,
      id: string,
      decision: 'accepted' | 'rejected',
    ): Promise<Designation> {
      const row = await repo.getDesignation(id);
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, { state: row?.state ?? '\0' });
      if (!row) return notFound();
      if (
        !isGlobalAdmin(p) &&
        !(p.organisationKind === 'state-authority' && p.state === row.state && p.roles.has('admin'))
      ) {
        throw new DomainError('FORBIDDEN', "the state's authority (admin) accepts or rejects a designation");
      }
      if (row.decision !== null)
        throw new DomainError('INVALID_TRANSITION', `designation already ${row.decision}`);
      const at = now();
      const answer = { decision, decided_on: at.slice(0, 10), decided_by: p.userId };
      await repo.recordDesignationDecision(id, answer);
      return toDesignation({ ...row, ...answer }, at);
    },

    /** A page of the designations the caller sees (designationsListedFor), in the order proposed. */
    async listDesignations(
      p: Principal,
      q: { state?: string | undefined; limit: number; offset: number },
    ): Promise<Page<Designation>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, q.state === undefined ? {} : { state: q.state });
      const window = { limit: q.limit, offset: q.offset };
      const shown = designationsListedFor(p, scope);
      if (shown === undefined) return { items: [], total: 0, ...window };
      const { rows, total } = await pageDesignations(ports.db.kysely, { ...shown, state: q.state }, window);
      const at = now();
      return { items: rows.map((r) => toDesignation(r, at)), total, ...window };
    },
  };
}
