import { DomainError } from '../domain/errors.js';
import {
  type Action,
  computeStateScope,
  decide,
  type Principal,
  type StateScope,
  type Target,
} from '../domain/policy/index.js';
import { createRegistryRepo } from '../store/registry.repo.js';
import type { Ports } from './ports.js';

/** The caller's state scope, from the agreements in force (policy.computeStateScope). */
export async function scopeOf(ports: Pick<Ports, 'db'>, principal: Principal): Promise<StateScope> {
  const agreements = await createRegistryRepo(ports.db).listAgreements();
  return computeStateScope(principal, agreements);
}

/**
 * Ask the policy and turn its answer into the error the caller must see: 403 when the role may
 * never do this, 404 (NOT_FOUND) when the target lies outside the caller's scope.
 */
export function enforce(principal: Principal, action: Action, scope: StateScope, target: Target = {}): void {
  const d = decide(principal, action, scope, target);
  if (d === 'forbidden') throw new DomainError('FORBIDDEN', `your roles do not allow ${action}`);
  if (d === 'not-found') throw new DomainError('NOT_FOUND', 'no such resource');
}
