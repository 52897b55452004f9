import type {
  Agreement,
  Facility,
  FacilityType,
  Kmp,
  Mba,
  Organisation,
  SigningKey,
  State,
} from '../domain/registry/index.js';
import type { Db, DbOrTx } from './db.js';
import { createRegistryPages } from './registry/pages.js';
import {
  toAgreement,
  toFacility,
  toKmp,
  toMba,
  toOrganisation,
  toSigningKey,
  toState,
} from './registry/rows.js';

export type { StatesShown, UserSummary } from './registry/pages.js';
export { REGISTRY_SORTS } from './registry/pages.js';

/** Registry repository: plain rows in, domain objects out. Attribution columns on every write. */
export interface Attribution {
  readonly at: string;
  readonly by: string;
}

/** The registry: one repository over its parts, each a factory of its own. */
export function createRegistryRepo(db: Db) {
  return {
    ...createPartiesRepo(db),
    ...createPlacesRepo(db),
    ...createKeysRepo(db),
    ...createRegistryPages(db),
  };
}

/** States, organisations and agreements (the parties to safeguards). */
function createPartiesRepo(db: Db) {
  const k = db.kysely;
  return {
    async insertState(q: DbOrTx, s: State, a: Attribution) {
      await q
        .insertInto('states')
        .values({ code: s.code, name: s.name, created_at: a.at, created_by: a.by })
        .execute();
    },
    async listStates(): Promise<State[]> {
      return (await k.selectFrom('states').selectAll().orderBy('code').execute()).map(toState);
    },
    async getState(code: string): Promise<State | undefined> {
      const r = await k.selectFrom('states').selectAll().where('code', '=', code).executeTakeFirst();
      return r && toState(r);
    },

    async insertOrganisation(q: DbOrTx, o: Organisation, a: Attribution) {
      await q
        .insertInto('organisations')
        .values({ id: o.id, name: o.name, kind: o.kind, state: o.state, created_at: a.at, created_by: a.by })
        .execute();
    },
    async listOrganisations(): Promise<Organisation[]> {
      return (await k.selectFrom('organisations').selectAll().orderBy('id').execute()).map(toOrganisation);
    },
    async getOrganisation(id: string): Promise<Organisation | undefined> {
      const r = await k.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toOrganisation(r);
    },

    async insertAgreement(q: DbOrTx, ag: Agreement, a: Attribution) {
      await q
        .insertInto('agreements')
        .values({
          id: ag.id,
          type: ag.type,
          title: ag.title,
          entry_into_force: ag.entryIntoForce,
          status: ag.status,
          created_at: a.at,
          created_by: a.by,
        })
        .execute();
      if (ag.parties.length > 0) {
        await q
          .insertInto('agreement_parties')
          .values(ag.parties.map((p) => ({ agreement_id: ag.id, party_kind: p.kind, party_ref: p.ref })))
          .execute();
      }
    },
    async agreementExists(id: string): Promise<boolean> {
      return (
        (await k.selectFrom('agreements').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
      );
    },
    /** Ids of every agreement (the audit checks each has its record). */
    async agreementIds(): Promise<string[]> {
      return (await k.selectFrom('agreements').select('id').execute()).map((r) => r.id);
    },
    async listAgreements(): Promise<Agreement[]> {
      const rows = await k.selectFrom('agreements').selectAll().orderBy('id').execute();
      const parties = await k.selectFrom('agreement_parties').selectAll().execute();
      const byAgreement = new Map<string, typeof parties>();
      for (const p of parties) {
        const list = byAgreement.get(p.agreement_id);
        if (list) list.push(p);
        else byAgreement.set(p.agreement_id, [p]);
      }
      return rows.map((r) => toAgreement(r, byAgreement.get(r.id) ?? []));
    },
  };
}

/** Facilities, their MBAs and key measurement points. */
function createPlacesRepo(db: Db) {
  const k = db.kysely;
  return {
    async insertFacility(q: DbOrTx, f: Facility, a: Attribution) {
      await q
        .insertInto('facilities')
        .values({ ...f, created_at: a.at, created_by: a.by })
        .execute();
    },
    async listFacilities(filter: { state?: string; type?: FacilityType } = {}): Promise<Facility[]> {
      let sel = k.selectFrom('facilities').selectAll();
      if (filter.state) sel = sel.where('state', '=', filter.state);
      if (filter.type) sel = sel.where('type', '=', filter.type);
      return (await sel.orderBy('code').execute()).map(toFacility);
    },
    async getFacility(code: string): Promise<Facility | undefined> {
      const r = await k.selectFrom('facilities').selectAll().where('code', '=', code).executeTakeFirst();
      return r && toFacility(r);
    },

    async insertMba(q: DbOrTx, m: Mba, a: Attribution) {
      await q
        .insertInto('mbas')
        .values({
          code: m.code,
          facility: m.facility,
          description: m.description,
          item_mba: m.itemMba ? 1 : 0,
          created_at: a.at,
          created_by: a.by,
        })
        .execute();
    },
    /** MBAs with the state of their facility, which is what the policy scopes on. */
    async listMbas(filter: { facility?: string; state?: string } = {}): Promise<(Mba & { state: string })[]> {
      let sel = k
        .selectFrom('mbas')
        .innerJoin('facilities', 'facilities.code', 'mbas.facility')
        .selectAll('mbas')
        .select('facilities.state as state');
      if (filter.facility) sel = sel.where('mbas.facility', '=', filter.facility);
      if (filter.state) sel = sel.where('facilities.state', '=', filter.state);
      return (await sel.orderBy('mbas.code').execute()).map((r) => ({ ...toMba(r), state: r.state }));
    },
    async getMba(code: string): Promise<(Mba & { state: string }) | undefined> {
      const r = await k
        .selectFrom('mbas')
        .innerJoin('facilities', 'facilities.code', 'mbas.facility')
        .selectAll('mbas')
        .select('facilities.state as state')
        .where('mbas.code', '=', code)
        .executeTakeFirst();
      return r && { ...toMba(r), state: r.state };
    },

    async insertKmp(q: DbOrTx, m: Kmp, a: Attribution) {
      await q
        .insertInto('kmps')
        .values({
          mba: m.mba,
          code: m.code,
          kind: m.kind,
          method: m.method,
          random_rsd: m.randomRsd,
          systematic_rsd: m.systematicRsd,
          created_at: a.at,
          created_by: a.by,
        })
        .execute();
    },
    async listKmps(filter: { mba?: string; state?: string } = {}): Promise<(Kmp & { state: string })[]> {
      let sel = k
        .selectFrom('kmps')
        .innerJoin('mbas', 'mbas.code', 'kmps.mba')
        .innerJoin('facilities', 'facilities.code', 'mbas.facility')
        .selectAll('kmps')
        .select('facilities.state as state');
      if (filter.mba) sel = sel.where('kmps.mba', '=', filter.mba);
      if (filter.state) sel = sel.where('facilities.state', '=', filter.state);
      return (await sel.orderBy('kmps.mba').orderBy('kmps.code').execute()).map((r) => ({
        ...toKmp(r),
        state: r.state,
      }));
    },

    async kmpExists(mba: string, code: string): Promise<boolean> {
      const r = await k
        .selectFrom('kmps')
        .select('code')
        .where('mba', '=', mba)
        .where('code', '=', code)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}

/** Organisations' signing keys. */
function createKeysRepo(db: Db) {
  const k = db.kysely;
  return {
    async insertSigningKey(q: DbOrTx, key: SigningKey, a: Attribution) {
      await q
        .insertInto('signing_keys')
        .values({
          id: key.id,
          organisation_id: key.organisation,
          public_key: key.publicKey,
          valid_from: key.validFrom,
          valid_to: key.validTo,
          revoked_at: key.revokedAt,
          created_at: a.at,
          created_by: a.by,
        })
        .execute();
    },
    async listSigningKeys(organisationId: string): Promise<SigningKey[]> {
      return (
        await k
          .selectFrom('signing_keys')
          .selectAll()
          .where('organisation_id', '=', organisationId)
          .orderBy('created_at')
          .execute()
      ).map(toSigningKey);
    },
    async getSigningKey(id: string): Promise<SigningKey | undefined> {
      const r = await k.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toSigningKey(r);
    },

    async revokeSigningKey(q: DbOrTx, id: string, at: string): Promise<void> {
      await q.updateTable('signing_keys').set({ revoked_at: at }).where('id', '=', id).execute();
    },
    /** Ids of every key, or of the revoked ones only (the audit checks each has its record). */
    async signingKeyIds(which: 'all' | 'revoked'): Promise<string[]> {
      let sel = k.selectFrom('signing_keys').select('id');
      if (which === 'revoked') sel = sel.where('revoked_at', 'is not', null);
      return (await sel.execute()).map((r) => r.id);
    },
  };
}

export type RegistryRepo = ReturnType<typeof createRegistryRepo>;
