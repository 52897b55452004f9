import { DomainError } from '../../domain/errors.js';
import { inScope, isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { computeKeyId, type SigningKey } from '../../domain/registry/index.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import { ALL, attributionOf, checkSort, mustNotExist, notFound } from './shared.js';

/**
 * The view of an organisation's signing keys and of their registration and revocation records:
 * public keys are not secret, but the directory of an organisation outside your scope is.
 */
export async function assertKeysReadable(
  ports: Pick<Ports, 'db'>,
  p: Principal,
  organisationId: string | null,
): Promise<void> {
  const org =
    organisationId === null ? undefined : await createRegistryRepo(ports.db).getOrganisation(organisationId);
  const scope = await scopeOf(ports, p);
  const visible =
    isGlobalAdmin(p) ||
    (organisationId !== null && p.organisationId === organisationId) ||
    (org !== undefined && (org.state === null || inScope(scope, org.state)));
  enforce(p, 'directory.read', scope);
  if (!org || !visible) throw new DomainError('NOT_FOUND', 'no such resource');
}

/** Organisations' signing keys: registrations and revocations are logged. */
export function createSigningKeys(ports: Ports) {
  const repo = createRegistryRepo(ports.db);
  const k = ports.db.kysely;
  const attribution = (p: Principal) => attributionOf(ports, p);
  return {
    // ---- signing keys (registrations and revocations are logged)
    async registerKey(
      p: Principal,
      organisationId: string,
      input: { publicKey: string; validFrom?: string; validTo?: string },
    ): Promise<SigningKey & { logIndex: number }> {
      enforce(p, 'organisation.admin', 'all', { organisationId });
      const org = await repo.getOrganisation(organisationId);
      if (!org) return notFound();
      const raw = Buffer.from(input.publicKey, 'base64');
      if (raw.length !== 32 || raw.toString('base64') !== input.publicKey) {
        throw new DomainError(
          'KEY_INVALID',
          'publicKey must be the base64 of the raw 32-byte Ed25519 public key',
        );
      }
      const id = computeKeyId(raw);
      await mustNotExist(await repo.getSigningKey(id), `key ${id}`);
      const at = attribution(p);
      const key: SigningKey = {
        id,
        organisation: organisationId,
        publicKey: input.publicKey,
        validFrom: input.validFrom ?? at.at,
        validTo: input.validTo ?? null,
        revokedAt: null,
      };
      if (key.validTo !== null && Date.parse(key.validTo) <= Date.parse(key.validFrom)) {
        throw new DomainError('VALIDATION_FAILED', 'validTo must be after validFrom');
      }
      const logIndex = await k.transaction().execute(async (tx) => {
        await repo.insertSigningKey(tx, key, at);
        return appendRecord(tx, ports, {
          kind: 'key-registration',
          id: `key:${id}`,
          content: { ...key, revokedAt: null },
          subjectState: org.state,
          subjectOrg: org.id,
          at: at.at,
          by: at.by,
        });
      });
      return { ...key, logIndex };
    },
    async revokeKey(
      p: Principal,
      organisationId: string,
      keyId: string,
    ): Promise<SigningKey & { logIndex: number }> {
      enforce(p, 'organisation.admin', 'all', { organisationId });
      const key = await repo.getSigningKey(keyId);
      if (!key || key.organisation !== organisationId) return notFound();
      if (key.revokedAt !== null) throw new DomainError('CONFLICT', `key ${keyId} is already revoked`);
      const at = attribution(p);
      const org = await repo.getOrganisation(organisationId);
      const logIndex = await k.transaction().execute(async (tx) => {
        await repo.revokeSigningKey(tx, keyId, at.at);
        return appendRecord(tx, ports, {
          kind: 'key-revocation',
          id: `key-revocation:${keyId}`,
          content: { id: keyId, organisation: organisationId, revokedAt: at.at },
          subjectState: org?.state ?? null,
          subjectOrg: organisationId,
          at: at.at,
          by: at.by,
        });
      });
      return { ...key, revokedAt: at.at, logIndex };
    },
    async listKeys(p: Principal, organisationId: string, req: PageRequest = ALL): Promise<Page<SigningKey>> {
      await assertKeysReadable(ports, p, organisationId);
      return repo.pageSigningKeys(organisationId, checkSort('keys', req));
    },
  };
}
