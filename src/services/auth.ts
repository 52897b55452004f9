import { createHash, randomBytes as nodeRandomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '../domain/errors.js';
import type { Principal } from '../domain/policy/index.js';
import { ROLES, type Role } from '../domain/registry/index.js';
import type { Db } from '../store/db.js';
import { createOwnTokensRepo, createUsersRepo } from '../store/users.repo.js';
import { createLoginThrottle } from './login-throttle.js';
import type { Ports } from './ports.js';
import { isoNow } from './ports.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

// scrypt parameters (RFC 7914): N = 2^15, r = 8, p = 1 takes ~50 ms and 32 MiB here, the
// interactive-login setting OWASP recommends. N is configurable (CUSTOS_SCRYPT_LOG2N) so test
// suites can seed many users quickly; each stored hash carries its own parameters.
const SCRYPT = { r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string, salt: Buffer, log2N = 15): Promise<string> {
  const N = 2 ** log2N;
  const hash = await scrypt(password, salt, 32, { ...SCRYPT, N });
  return `scrypt$${N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const got = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Tokens are shown once; only their SHA-256 is stored, so a database leak leaks no credential. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(random: Ports['random'], prefix: 'cst' | 'css'): string {
  return `${prefix}_${Buffer.from(random.bytes(32)).toString('base64url')}`;
}

export function parseRoles(text: string): Set<Role> {
  const roles = new Set<Role>();
  for (const r of text.split(',')) if ((ROLES as readonly string[]).includes(r)) roles.add(r as Role);
  return roles;
}

async function principalForUser(db: Db, userId: string): Promise<Principal | undefined> {
  const row = await createUsersRepo(db).withOrganisationById(userId);
  if (!row) return undefined;
  return {
    userId: row.id,
    login: row.login,
    organisationId: row.organisationId,
    organisationKind: row.organisationKind ?? null,
    state: row.state ?? null,
    roles: parseRoles(row.roles),
  };
}

export async function authenticateToken(ports: Ports, token: string): Promise<Principal | undefined> {
  const now = isoNow(ports.clock);
  const row = await createUsersRepo(ports.db).tokenByHash(hashToken(token));
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) return undefined;
  return principalForUser(ports.db, row.userId);
}

export async function authenticateSession(ports: Ports, sessionId: string): Promise<Principal | undefined> {
  const now = isoNow(ports.clock);
  const row = await createUsersRepo(ports.db).sessionByHash(hashToken(sessionId));
  if (!row || row.expiresAt <= now) return undefined;
  return principalForUser(ports.db, row.userId);
}

export const SESSION_HOURS = 12;

/** Password login for the web app; answers the session id for the HttpOnly cookie. */
export async function login(
  ports: Ports,
  loginName: string,
  password: string,
  /** The client's address (behind a trusted proxy, the one it names): decision 0022. */
  address: string,
): Promise<{ sessionId: string; principal: Principal; expiresAt: string }> {
  const users = createUsersRepo(ports.db);
  const throttle = createLoginThrottle(ports);
  // Before any password work: a throttled guess costs no scrypt and tells nothing.
  await throttle.check(loginName, address);
  const user = await users.passwordOfLogin(loginName);
  // Same work whether or not the user exists, so timing does not reveal valid logins.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || user.passwordHash === null || !ok) {
    // Unknown logins count too, so the answer (and the throttling) does not tell which exist.
    await throttle.failed(loginName, address);
    throw new DomainError('INVALID_CREDENTIALS', 'login or password is wrong');
  }
  await throttle.succeeded(loginName, address);
  const sessionId = newToken(ports.random, 'css');
  const now = ports.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await users.insertSession({
    idHash: hashToken(sessionId),
    userId: user.id,
    at: now.toISOString(),
    expiresAt,
  });
  const principal = await principalForUser(ports.db, user.id);
  if (!principal) throw new DomainError('INVALID_CREDENTIALS', 'login or password is wrong');
  return { sessionId, principal, expiresAt };
}

export async function logout(ports: Ports, sessionId: string): Promise<void> {
  await createUsersRepo(ports.db).deleteSession(hashToken(sessionId));
}

let dummy: string | undefined;
async function dummyHash(): Promise<string> {
  dummy ??= await hashPassword('not a password', nodeRandomBytes(16), 15);
  return dummy;
}

export async function createToken(
  ports: Ports,
  userId: string,
  label: string,
  expiresAt: string | null,
): Promise<{ id: string; token: string }> {
  const token = newToken(ports.random, 'cst');
  const id = Buffer.from(ports.random.bytes(8)).toString('hex');
  await createUsersRepo(ports.db).insertToken({
    id,
    user_id: userId,
    token_hash: hashToken(token),
    label,
    created_at: isoNow(ports.clock),
    expires_at: expiresAt,
    revoked_at: null,
  });
  return { id, token };
}

/** The caller's own API tokens (issue 15 item 10): id, label and dates, never the token. */
export async function listOwnTokens(ports: Ports, p: Principal) {
  return createOwnTokensRepo(ports.db).tokensOf(p.userId);
}

/**
 * Revoke one of the caller's own tokens (also the one in use: signing out everywhere). A token of
 * someone else is 404, as one that does not exist.
 */
export async function revokeOwnToken(ports: Ports, p: Principal, id: string): Promise<void> {
  if (!(await createOwnTokensRepo(ports.db).revokeToken(p.userId, id, isoNow(ports.clock))))
    throw new DomainError('NOT_FOUND', 'no such token');
}
