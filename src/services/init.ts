import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { type Db, openPostgres, openSqlite } from '../store/db.js';
import { secureTree } from '../store/file-modes.js';
import { migrateToLatest } from '../store/migrate.js';
import { createUsersRepo } from '../store/users.repo.js';
import { createToken } from './auth.js';
import type { Ports } from './ports.js';
import { sealStoredSecrets } from './secrets.js';

export const ADMIN_LOGIN = 'admin';

export function openDatabase(config: Config): Db {
  // 0700 and 0600 whatever existed before (issue 15 item 8), before the database is opened.
  secureTree(config.dataDir);
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openSqlite(join(config.dataDir, 'custos.db'));
}

/** Write a secret file readable by its owner only (0600), also when it already existed. */
export function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export interface InitResult {
  readonly adminTokenPath: string;
  readonly adminCreated: boolean;
}

/**
 * First-start work, idempotent: schema, the global administrator and its token file. The log key
 * is created by the log service (ensureLogKey) so that the key and the log live together.
 */
export async function initialise(ports: Ports): Promise<InitResult> {
  const { db, config } = ports;
  secureTree(config.dataDir);
  await migrateToLatest(db);
  const adminTokenPath = join(config.dataDir, 'admin.token');
  const users = createUsersRepo(db);
  let adminId = await users.idOfLogin(ADMIN_LOGIN);
  let adminCreated = false;
  if (!adminId) {
    adminId = Buffer.from(ports.random.bytes(8)).toString('hex');
    await users.insertUser(db.kysely, {
      id: adminId,
      login: ADMIN_LOGIN,
      name: 'Custos administrator',
      organisation_id: null,
      roles: 'admin',
      password_hash: null,
      created_at: ports.clock.now().toISOString(),
      created_by: 'custos init',
    });
    adminCreated = true;
  }
  // A data directory without the token (new node on a shared PostgreSQL, or a deleted file) gets
  // a fresh token for the same administrator; the old ones stay valid until revoked.
  if (adminCreated || !existsSync(adminTokenPath) || readFileSync(adminTokenPath, 'utf8').trim() === '') {
    const { token } = await createToken(ports, adminId, 'admin (custos init)', null);
    writeSecret(adminTokenPath, `${token}\n`);
  }
  await sealStoredSecrets(ports);
  return { adminTokenPath, adminCreated };
}
