import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { createLegalRepo, type InstitutionRole, type InstitutionRoles } from '../../store/legal.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { attributionOf, notFound } from '../registry/shared.js';
import { enforce, scopeOf } from '../scope.js';
import { rolesContent, rolesRecordId } from './content.js';

/** At most this many (duty, institution) pairs per state: six duties, a few institutions each. */
const MAX_ROLES = 200;

export interface RolesChange {
  readonly roles: readonly InstitutionRole[];
  /** The version the change was made from; another change in between is a CONFLICT. */
  readonly baseVersion?: number | undefined;
}

/**
 * Institutional roles (issue 19 item 3, decision 0036): for each state, which of its
 * institutions — the registry's organisations of that state (state authority, regulator,
 * operator) — holds which duty: who submits reports and declarations, who receives inspection
 * notices, who grants access. Notifications about an obligation go to its holders' users
 * (notifications/sink.ts). A state's roles are its data: read as `data.read` allows, set by the
 * state authority's administrators for their own state only; every version is kept and logged.
 */
export function createInstitutionRoleService(ports: Ports) {
  const k = ports.db.kysely;
  const repo = createLegalRepo(k);
  const registry = createRegistryRepo(ports.db);

  async function check(state: string, roles: readonly InstitutionRole[]): Promise<void> {
    const details: ErrorDetail[] = [];
    if (roles.length > MAX_ROLES)
      details.push({
        field: 'roles',
        ...problemOf('TOO_MANY.atMost', { max: MAX_ROLES }),
        message: `at most ${MAX_ROLES} roles`,
      });
    const seen = new Set<string>();
    for (const [i, r] of roles.entries()) {
      const key = `${r.duty}\0${r.organisation}`;
      if (seen.has(key))
        details.push({
          field: `roles[${i}]`,
          ...problemOf('DUPLICATE.role', { organisation: r.organisation, duty: r.duty }),
          message: `${r.organisation} already holds ${r.duty}`,
        });
      seen.add(key);
      const org = await registry.getOrganisation(r.organisation);
      // Only the state's own institutions hold its duties; another state's organisation is as
      // unknown to the caller as a missing one.
      if (!org || org.state !== state)
        details.push({
          field: `roles[${i}].organisation`,
          ...problemOf('UNKNOWN.organisation', { organisation: r.organisation, state }),
          message: `no organisation ${r.organisation} in ${state}`,
        });
      if (r.basis !== undefined && !(await repo.provisionByRef(r.basis)))
        details.push({
          field: `roles[${i}].basis`,
          ...problemOf('UNKNOWN.provision', { ref: r.basis }),
          message: `the register holds no provision ${r.basis}`,
        });
    }
    if (details.length > 0)
      throw new DomainError('VALIDATION_FAILED', `${details.length} problem(s) in the roles`, details);
  }

  return {
    /** The state's roles in force (version 0 with none when never set), or an earlier `version`. */
    async getRoles(p: Principal, state: string, version?: number): Promise<InstitutionRoles> {
      enforce(p, 'data.read', await scopeOf(ports, p), { state });
      if (!(await registry.getState(state))) return notFound();
      const r = await repo.roles(state, version);
      if (r) return r;
      if (version !== undefined) return notFound();
      return { state, version: 0, roles: [], at: '', by: '' };
    },

    /** Replace the state's roles with `change.roles`, as the next version (logged). */
    async setRoles(
      p: Principal,
      state: string,
      change: RolesChange,
    ): Promise<InstitutionRoles & { readonly logIndex: number }> {
      enforce(p, 'law.write', await scopeOf(ports, p), { state });
      // Naming who speaks for the state is its administrators' act, not a submitter's.
      if (!p.roles.has('admin')) throw new DomainError('FORBIDDEN', 'only an administrator sets roles');
      if (!(await registry.getState(state))) return notFound();
      await check(state, change.roles);
      const at = attributionOf(ports, p);
      return k.transaction().execute(async (tx) => {
        const current = await repo.currentRolesVersion(tx, state);
        if (change.baseVersion !== undefined && change.baseVersion !== current)
          throw new DomainError('CONFLICT', `the roles of ${state} are at version ${current}`);
        const roles: InstitutionRoles = {
          state,
          version: current + 1,
          roles: [...change.roles].sort(
            (a, b) => a.duty.localeCompare(b.duty) || a.organisation.localeCompare(b.organisation),
          ),
          at: at.at,
          by: at.by,
        };
        if (!(await repo.insertRoles(tx, roles)))
          throw new DomainError('CONFLICT', `the roles of ${state} changed meanwhile; read them again`);
        const logIndex = await appendRecord(tx, ports, {
          kind: 'institution-roles',
          id: rolesRecordId(state, roles.version),
          content: rolesContent(roles),
          subjectState: state,
          subjectOrg: p.organisationId,
          at: at.at,
          by: at.by,
        });
        return { ...roles, logIndex };
      });
    },
  };
}

export type InstitutionRoleService = ReturnType<typeof createInstitutionRoleService>;
