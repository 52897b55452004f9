import type { Principal } from '../../domain/policy/index.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo, type UserSummary } from '../../store/registry.repo.js';
import { createUsersRepo } from '../../store/users.repo.js';
import { createToken, hashPassword } from '../auth.js';
import type { Ports } from '../ports.js';
import { enforce } from '../scope.js';
import { ALL, attributionOf, checkSort, mustNotExist, notFound, unknownRef } from './shared.js';

/** Users and their API tokens. */
export function createUserAccounts(ports: Ports) {
  const repo = createRegistryRepo(ports.db);
  const users = createUsersRepo(ports.db);
  const k = ports.db.kysely;
  const attribution = (p: Principal) => attributionOf(ports, p);
  return {
    // ---- users and tokens
    async createUser(
      p: Principal,
      input: { login: string; name: string; organisation: string | null; roles: string[]; password?: string },
    ): Promise<{ id: string; login: string; organisation: string | null; roles: string[] }> {
      if (input.organisation === null) enforce(p, 'registry.write', 'all');
      else enforce(p, 'organisation.admin', 'all', { organisationId: input.organisation });
      if (input.organisation !== null && !(await repo.getOrganisation(input.organisation))) {
        unknownRef(`organisation ${input.organisation}`);
      }
      await mustNotExist(await users.idOfLogin(input.login), `user ${input.login}`);
      const id = Buffer.from(ports.random.bytes(8)).toString('hex');
      const at = attribution(p);
      await users.insertUser(k, {
        id,
        login: input.login,
        name: input.name,
        organisation_id: input.organisation,
        roles: input.roles.join(','),
        password_hash:
          input.password === undefined
            ? null
            : await hashPassword(
                input.password,
                Buffer.from(ports.random.bytes(16)),
                ports.config.scryptLog2N,
              ),
        created_at: at.at,
        created_by: at.by,
      });
      return { id, login: input.login, organisation: input.organisation, roles: input.roles };
    },
    async listUsers(
      p: Principal,
      organisationId: string,
      req: PageRequest = ALL,
    ): Promise<Page<UserSummary>> {
      enforce(p, 'organisation.admin', 'all', { organisationId });
      return repo.pageUsers(organisationId, checkSort('users', req));
    },
    /** A user creates tokens for themself; an admin for users of their organisation. */
    async issueToken(
      p: Principal,
      input: { user?: string; label: string; expiresAt?: string },
    ): Promise<{ id: string; token: string; user: string }> {
      const userId = input.user ?? p.userId;
      if (userId !== p.userId) {
        const target = await users.organisationOf(userId);
        if (!target) return notFound();
        if (target.organisationId === null) enforce(p, 'registry.write', 'all');
        else enforce(p, 'organisation.admin', 'all', { organisationId: target.organisationId });
      }
      const { id, token } = await createToken(ports, userId, input.label, input.expiresAt ?? null);
      return { id, token, user: userId };
    },
  };
}
