import type { Db, DbOrTx } from './db.js';
import type { Schema } from './schema.types.js';

/** What authorization needs of a user: roles (comma-separated) and their organisation's kind and state. */
export interface UserWithOrganisation {
  readonly id: string;
  readonly login: string;
  readonly roles: string;
  readonly organisationId: string | null;
  readonly organisationKind: Schema['organisations']['kind'] | null;
  readonly state: string | null;
}

/** Users and their credentials: passwords (scrypt), sessions and API tokens (stored as hashes). */
export function createUsersRepo(db: Db) {
  const k = db.kysely;

  function withOrganisation() {
    return k
      .selectFrom('users')
      .leftJoin('organisations', 'organisations.id', 'users.organisation_id')
      .select([
        'users.id as id',
        'users.login as login',
        'users.roles as roles',
        'users.organisation_id as organisationId',
        'organisations.kind as organisationKind',
        'organisations.state as state',
      ]);
  }

  return {
    async insertUser(q: DbOrTx, row: Schema['users']): Promise<void> {
      await q.insertInto('users').values(row).execute();
    },
    async idOfLogin(login: string): Promise<string | undefined> {
      return (await k.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst())?.id;
    },
    /** The user's organisation (null: a registry-wide user), or undefined when there is no such user. */
    async organisationOf(userId: string): Promise<{ organisationId: string | null } | undefined> {
      const r = await k
        .selectFrom('users')
        .select('organisation_id')
        .where('id', '=', userId)
        .executeTakeFirst();
      return r && { organisationId: r.organisation_id };
    },
    async passwordOfLogin(login: string): Promise<{ id: string; passwordHash: string | null } | undefined> {
      const r = await k
        .selectFrom('users')
        .select(['id', 'password_hash'])
        .where('login', '=', login)
        .executeTakeFirst();
      return r && { id: r.id, passwordHash: r.password_hash };
    },
    async withOrganisationById(userId: string): Promise<UserWithOrganisation | undefined> {
      return withOrganisation().where('users.id', '=', userId).executeTakeFirst();
    },
    async withOrganisationByLogin(login: string): Promise<UserWithOrganisation | undefined> {
      return withOrganisation().where('users.login', '=', login).executeTakeFirst();
    },

    async insertSession(s: { idHash: string; userId: string; at: string; expiresAt: string }): Promise<void> {
      await k
        .insertInto('sessions')
        .values({ id_hash: s.idHash, user_id: s.userId, created_at: s.at, expires_at: s.expiresAt })
        .execute();
    },
    async sessionByHash(idHash: string): Promise<{ userId: string; expiresAt: string } | undefined> {
      const r = await k
        .selectFrom('sessions')
        .select(['user_id', 'expires_at'])
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return r && { userId: r.user_id, expiresAt: r.expires_at };
    },
    async deleteSession(idHash: string): Promise<void> {
      await k.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    async insertToken(row: Schema['api_tokens']): Promise<void> {
      await k.insertInto('api_tokens').values(row).execute();
    },
    async tokenByHash(
      tokenHash: string,
    ): Promise<{ userId: string; expiresAt: string | null; revokedAt: string | null } | undefined> {
      const r = await k
        .selectFrom('api_tokens')
        .select(['user_id', 'expires_at', 'revoked_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return r && { userId: r.user_id, expiresAt: r.expires_at, revokedAt: r.revoked_at };
    },

    /** The user's chosen language (migration 0013), or null when they never chose. */
    async localeOf(userId: string): Promise<string | null> {
      const r = await k
        .selectFrom('user_preferences')
        .select('locale')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r?.locale ?? null;
    },
    async setLocale(userId: string, locale: string, at: string): Promise<void> {
      await k
        .insertInto('user_preferences')
        .values({ user_id: userId, locale, updated_at: at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ locale, updated_at: at }))
        .execute();
    },
  };
}

/** A user's own API tokens, as the user manages them (issue 15 item 10). */
export function createOwnTokensRepo(db: Db) {
  const k = db.kysely;
  return {
    /** A user's API tokens, newest first: what they are, never their hashes. */
    async tokensOf(
      userId: string,
    ): Promise<
      { id: string; label: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }[]
    > {
      const rows = await k
        .selectFrom('api_tokens')
        .select(['id', 'label', 'created_at', 'expires_at', 'revoked_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(1000)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        label: r.label,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      }));
    },
    /** Revoke one of the user's own tokens; answers false when the user has no such token. */
    async revokeToken(userId: string, id: string, at: string): Promise<boolean> {
      const found = await k
        .selectFrom('api_tokens')
        .select('revoked_at')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) return false;
      if (found.revoked_at === null)
        await k
          .updateTable('api_tokens')
          .set({ revoked_at: at })
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .execute();
      return true;
    },
  };
}
