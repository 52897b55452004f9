import { createCipheriv, createDecipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../domain/errors.js';
import { createWebhooksRepo } from '../store/webhooks.repo.js';
import { writeSecret } from './init.js';
import type { Ports } from './ports.js';

/**
 * Secrets Custos must use again (a webhook's signing secret: HMAC needs the secret itself, so a
 * hash would not do) are stored encrypted (issue 15 item 8, decision 0020): AES-256-GCM under a
 * key kept in the data directory (`secrets.key`, 0600), never in the database. A copy of the
 * database alone (a leaked backup of PostgreSQL, a stolen custos.db) reveals no secret. The row's
 * id is the additional data, so a sealed secret moved to another row does not open.
 */
export const SECRETS_KEY_FILE = 'secrets.key';
const PREFIX = 'enc:v1:';

const keys = new Map<string, Buffer>();

/** The node's secrets key, created on first use (32 random bytes, base64, mode 0600). */
export function secretsKey(ports: Pick<Ports, 'config' | 'random'>): Buffer {
  const path = join(ports.config.dataDir, SECRETS_KEY_FILE);
  const cached = keys.get(path);
  if (cached) return cached;
  if (!existsSync(path)) writeSecret(path, `${Buffer.from(ports.random.bytes(32)).toString('base64')}\n`);
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new DomainError('CONFIG_INVALID', `${path} does not hold a 32-byte key`);
  keys.set(path, key);
  return key;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function sealSecret(ports: Pick<Ports, 'config' | 'random'>, rowId: string, secret: string): string {
  const iv = Buffer.from(ports.random.bytes(12));
  const cipher = createCipheriv('aes-256-gcm', secretsKey(ports), iv);
  cipher.setAAD(Buffer.from(rowId, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

/** The secret of a row; a row from before encryption (plain text) is read as it is. */
export function openSecret(ports: Pick<Ports, 'config' | 'random'>, rowId: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', secretsKey(ports), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(rowId, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/**
 * At start: seal every webhook secret and header set (credentials for the receiver) still stored
 * in plain text (rows from before this change). Answers how many rows it sealed.
 */
export async function sealStoredSecrets(ports: Pick<Ports, 'db' | 'config' | 'random'>): Promise<number> {
  const repo = createWebhooksRepo(ports.db);
  let sealed = 0;
  for (const row of await repo.plaintextSecrets()) {
    if (!isSealed(row.secret))
      await repo.setSealed(row.id, 'secret', row.secret, sealSecret(ports, row.id, row.secret));
    if (!isSealed(row.headers))
      await repo.setSealed(
        row.id,
        'headers',
        row.headers,
        sealSecret(ports, `${row.id}:headers`, row.headers),
      );
    sealed++;
  }
  return sealed;
}
