import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import type {
  Agreement,
  AgreementType,
  Organisation,
  OrganisationKind,
  State,
} from '../../domain/registry/index.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce, scopeOf } from '../scope.js';
import { ALL, attributionOf, checkSort, mustNotExist, notFound, unknownRef } from './shared.js';

/** The view of agreements and their log records (issue 15 item 1): the directory. */
export async function assertAgreementsReadable(ports: Pick<Ports, 'db'>, p: Principal): Promise<void> {
  enforce(p, 'directory.read', await scopeOf(ports, p));
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

/** The directory: states, organisations and agreements (agreements are committed to the log). */
export function createDirectory(ports: Ports) {
  const repo = createRegistryRepo(ports.db);
  const k = ports.db.kysely;
  const attribution = (p: Principal) => attributionOf(ports, p);
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
  };
}
