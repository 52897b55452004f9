import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal, StateScope } from '../../domain/policy/index.js';
import type { PageRequest } from '../../store/paging.js';
import { REGISTRY_SORTS, type StatesShown } from '../../store/registry.repo.js';
import { isoNow, type Ports } from '../ports.js';

/** In-process callers without a window: the first 1000 rows, as the API's largest page. */
export const ALL: PageRequest = { limit: 1000, offset: 0 };

/** The routes' enums already refuse an unknown field; this guards callers that skip them. */
export function checkSort(list: keyof typeof REGISTRY_SORTS, req: PageRequest): PageRequest {
  if (req.sort !== undefined && !Object.hasOwn(REGISTRY_SORTS[list].columns, req.sort)) {
    throw new DomainError('VALIDATION_FAILED', `cannot sort ${list} by ${req.sort}`, [
      {
        field: 'querystring.sort',
        ...problemOf('FIELD_INVALID.oneOf', { allowed: Object.keys(REGISTRY_SORTS[list].columns) }),
        message: `one of ${Object.keys(REGISTRY_SORTS[list].columns).join(', ')}`,
      },
    ]);
  }
  return req;
}

/** The policy's scope as the store's row filter. */
export function shownOf(scope: StateScope): StatesShown {
  return scope === 'all' ? 'all' : [...scope];
}

export function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

export async function mustNotExist(found: unknown, what: string): Promise<void> {
  if (found) throw new DomainError('ALREADY_EXISTS', `${what} already exists`);
}

export function unknownRef(what: string): never {
  throw new DomainError('UNKNOWN_REFERENCE', `${what} does not exist`);
}

/** Who wrote a registry row, and when. */
export function attributionOf(ports: Pick<Ports, 'clock'>, p: Principal): { at: string; by: string } {
  return { at: isoNow(ports.clock), by: p.userId };
}
