import { DomainError } from '../domain/errors.js';
import { inScope, isGlobalAdmin, type Principal, type StateScope } from '../domain/policy/index.js';
import {
  type Agreement,
  type AgreementType,
  computeKeyId,
  type Facility,
  type FacilityType,
  type Kmp,
  type Mba,
  type Organisation,
  type OrganisationKind,
  type SigningKey,
  type State,
} from '../domain/registry/index.js';
import type { Page, PageRequest } from '../store/paging.js';
import {
  createRegistryRepo,
  REGISTRY_SORTS,
  type StatesShown,
  type UserSummary,
} from '../store/registry.repo.js';
import { createUsersRepo } from '../store/users.repo.js';
import { createToken, hashPassword } from './auth.js';
import { isoNow, type Ports } from './ports.js';
import { appendRecord } from './records.js';
import { enforce, scopeOf } from './scope.js';

/** The view of agreements and their log records (issue 15 item 1): the directory. */
export async function assertAgreementsReadable(ports: Pick<Ports, 'db'>, p: Principal): Promise<void> {
  enforce(p, 'directory.read', await scopeOf(ports, p));
}

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

/** Registry use cases: every one asks the policy first and attributes its write to the caller. */
export function createRegistryService(ports: Ports) {
  const repo = createRegistryRepo(ports.db);
  const users = createUsersRepo(ports.db);
  const k = ports.db.kysely;
  const attribution = (p: Principal) => ({ at: isoNow(ports.clock), by: p.userId });

  async function mustNotExist(found: unknown, what: string): Promise<void> {
    if (found) throw new DomainError('ALREADY_EXISTS', `${what} already exists`);
  }
  function unknownRef(what: string): never {
    throw new DomainError('UNKNOWN_REFERENCE', `${what} does not exist`);
  }

  return {
    // ---- states
    async createState(p: Principal, s: State): Promise<State> {
      enforce(p, 'registry.write', 'all');
      await mustNotExist(await repo.getState(s.code), `state ${s.code}`);
      await repo.insertState(k, s, attribution(p));
      return s;
    },
    async listStates(p: Principal, req: PageRequest = ALL): Promise<Page<State>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'directory.read', scope);
      return repo.pageStates(checkSort('states', req));
    },
    async getState(p: Principal, code: string): Promise<State> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return (await repo.getState(code)) ?? notFound();
    },

    // ---- organisations
    async createOrganisation(p: Principal, o: Organisation): Promise<Organisation> {
      enforce(p, 'registry.write', 'all');
      await mustNotExist(await repo.getOrganisation(o.id), `organisation ${o.id}`);
      const needsState = o.kind === 'state-authority' || o.kind === 'operator';
      if (needsState && o.state === null)
        throw new DomainError('VALIDATION_FAILED', `a ${o.kind} needs a state`);
      if (!needsState && o.state !== null)
        throw new DomainError('VALIDATION_FAILED', `an ${o.kind} has no state`);
      if (o.state !== null && !(await repo.getState(o.state))) unknownRef(`state ${o.state}`);
      await repo.insertOrganisation(k, o, attribution(p));
      return o;
    },
    async listOrganisations(
      p: Principal,
      filter: { kind?: OrganisationKind | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Organisation>> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return repo.pageOrganisations(filter, checkSort('organisations', req));
    },
    async getOrganisation(p: Principal, id: string): Promise<Organisation> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return (await repo.getOrganisation(id)) ?? notFound();
    },

    // ---- agreements (committed to the log: an agreement change can be disputed)
    async createAgreement(p: Principal, a: Agreement): Promise<Agreement & { logIndex: number }> {
      enforce(p, 'registry.write', 'all');
      await mustNotExist(await repo.agreementExists(a.id), `agreement ${a.id}`);
      for (const party of a.parties) {
        const ok =
          party.kind === 'state' ? await repo.getState(party.ref) : await repo.getOrganisation(party.ref);
        if (!ok) unknownRef(`${party.kind} ${party.ref}`);
      }
      const at = attribution(p);
      const logIndex = await k.transaction().execute(async (tx) => {
        await repo.insertAgreement(tx, a, at);
        return appendRecord(tx, ports, {
          kind: 'agreement',
          id: `agreement:${a.id}`,
          content: agreementContent(a),
          subjectState: null,
          subjectOrg: null,
          at: at.at,
          by: at.by,
        });
      });
      return { ...a, logIndex };
    },
    async listAgreements(
      p: Principal,
      filter: { type?: AgreementType | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Agreement>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'directory.read', scope);
      return repo.pageAgreements(filter, checkSort('agreements', req));
    },
    async getAgreement(p: Principal, id: string): Promise<Agreement> {
      await assertAgreementsReadable(ports, p);
      return (await repo.listAgreements()).find((a) => a.id === id) ?? notFound();
    },

    // ---- facilities, MBAs, KMPs (state data: scoped)
    async createFacility(p: Principal, f: Facility): Promise<Facility> {
      enforce(p, 'facility.write', await scopeOf(ports, p), { state: f.state });
      if (!(await repo.getState(f.state))) unknownRef(`state ${f.state}`);
      await mustNotExist(await repo.getFacility(f.code), `facility ${f.code}`);
      await repo.insertFacility(k, f, attribution(p));
      return f;
    },
    /** Only facilities of states in the caller's scope; the filters narrow within it. */
    async listFacilities(
      p: Principal,
      filter: { state?: string | undefined; type?: FacilityType | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Facility>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageFacilities(shownOf(scope), filter, checkSort('facilities', req));
    },
    async getFacility(p: Principal, code: string): Promise<Facility> {
      const f = await repo.getFacility(code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: f?.state ?? '\0' });
      return f ?? notFound();
    },
    async createMba(p: Principal, m: Mba): Promise<Mba> {
      const f = await repo.getFacility(m.facility);
      const scope = await scopeOf(ports, p);
      enforce(p, 'facility.write', scope, { state: f?.state ?? '\0' });
      if (!f) unknownRef(`facility ${m.facility}`);
      await mustNotExist(await repo.getMba(m.code), `MBA ${m.code}`);
      await repo.insertMba(k, m, attribution(p));
      return m;
    },
    async listMbas(
      p: Principal,
      filter: { facility?: string | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Mba & { state: string; facilityName: string }>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageMbas(shownOf(scope), filter, checkSort('mbas', req));
    },
    async getMba(p: Principal, code: string): Promise<Mba & { state: string }> {
      const m = await repo.getMba(code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: m?.state ?? '\0' });
      return m ?? notFound();
    },
    async createKmp(p: Principal, kmp: Kmp): Promise<Kmp> {
      const m = await repo.getMba(kmp.mba);
      enforce(p, 'facility.write', await scopeOf(ports, p), { state: m?.state ?? '\0' });
      if (!m) unknownRef(`MBA ${kmp.mba}`);
      await mustNotExist(await repo.kmpExists(kmp.mba, kmp.code), `KMP ${kmp.code} in ${kmp.mba}`);
      await repo.insertKmp(k, kmp, attribution(p));
      return kmp;
    },
    async listKmps(
      p: Principal,
      filter: { mba?: string | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Kmp>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageKmps(shownOf(scope), filter, checkSort('kmps', req));
    },
    async getKmp(p: Principal, mba: string, code: string): Promise<Kmp> {
      const list = await repo.listKmps({ mba });
      const found = list.find((x) => x.code === code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: found?.state ?? '\0' });
      if (!found) return notFound();
      const { state: _s, ...kmp } = found;
      return kmp;
    },

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

/** In-process callers without a window: the first 1000 rows, as the API's largest page. */
const ALL: PageRequest = { limit: 1000, offset: 0 };

/** The routes' enums already refuse an unknown field; this guards callers that skip them. */
function checkSort(list: keyof typeof REGISTRY_SORTS, req: PageRequest): PageRequest {
  if (req.sort !== undefined && !Object.hasOwn(REGISTRY_SORTS[list].columns, req.sort)) {
    throw new DomainError('VALIDATION_FAILED', `cannot sort ${list} by ${req.sort}`, [
      {
        field: 'querystring.sort',
        code: 'FIELD_INVALID',
        message: `one of ${Object.keys(REGISTRY_SORTS[list].columns).join(', ')}`,
      },
    ]);
  }
  return req;
}

/** The policy's scope as the store's row filter. */
function shownOf(scope: StateScope): StatesShown {
  return scope === 'all' ? 'all' : [...scope];
}

function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

export function agreementContent(a: Agreement) {
  return {
    id: a.id,
    type: a.type,
    title: a.title,
    entryIntoForce: a.entryIntoForce,
    status: a.status,
    parties: [...a.parties].sort((x, y) => (x.kind + x.ref).localeCompare(y.kind + y.ref)),
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
