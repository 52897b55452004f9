import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import { isGlobalAdmin, isInspectorate, type Principal, type StateScope } from '../../domain/policy/index.js';
import type { InspectionListFilter } from '../../store/inspection-lists.repo.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import type { InspectionRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { parseList } from './rows.js';

/** What a caller sees of an inspection: all of it (a participant), or the state's part. */
export type View = 'inspectorate' | 'state';

export function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

export function invalid(message: string, details: ErrorDetail[] = []): never {
  throw new DomainError('VALIDATION_FAILED', message, details);
}

/**
 * Who sees an inspection: its participating inspectorates (all of it), and the state it is in
 * (notices, findings, statements; an unannounced inspection only once the team has arrived).
 * Anyone else gets 404, so its existence is not revealed.
 */
export function createInspectionAccess(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  return async function access(
    p: Principal,
    id: string,
    mode: 'read' | 'write',
  ): Promise<{ row: InspectionRow; view: View }> {
    const row = await repo.getInspection(id);
    const scope = await scopeOf(ports, p);
    if (!row) {
      enforce(p, mode === 'write' ? 'inspect' : 'data.read', scope);
      return notFound();
    }
    if (isGlobalAdmin(p)) return { row, view: 'inspectorate' };
    if (mode === 'write' || isInspectorate(p)) {
      enforce(p, mode === 'write' ? 'inspect' : 'data.read', scope, { state: row.state });
      if (!isInspectorate(p) || !parseList(row.participants).includes(p.organisationId ?? '')) notFound();
      return { row, view: 'inspectorate' };
    }
    enforce(p, 'data.read', scope, { state: row.state });
    if (row.type === 'unannounced' && row.arrived_at === null) notFound();
    return { row, view: 'state' };
  };
}

/**
 * `access`'s rule for a list, as the store's row filter: a global admin every inspection (all of
 * it); an inspectorate those of the states in its scope it takes part in (all of it); anyone else
 * those of the states in its scope but unannounced ones before the team arrives (the state's
 * part). The list answers exactly the inspections `access(p, id, 'read')` would open.
 */
export function inspectionsListedFor(
  p: Principal,
  scope: StateScope,
): { shown: Pick<InspectionListFilter, 'states' | 'participant' | 'hideUnarrivedUnannounced'>; view: View } {
  const states = scope === 'all' ? 'all' : [...scope];
  if (isGlobalAdmin(p)) return { shown: { states }, view: 'inspectorate' };
  if (isInspectorate(p)) {
    return { shown: { states, participant: p.organisationId ?? '' }, view: 'inspectorate' };
  }
  return { shown: { states, hideUnarrivedUnannounced: true }, view: 'state' };
}
