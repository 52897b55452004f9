import type { Kysely, Transaction } from 'kysely';
import type {
  Agreement,
  AgreementParty,
  Facility,
  Kmp,
  Mba,
  Organisation,
  SigningKey,
  State,
} from '../domain/registry/index.js';
import type { Db } from './db.js';
import { countOf, orderTerms, type Page, type PageRequest, type SortColumns, textMatches } from './paging.js';
import type { Schema } from './schema.types.js';

type Q = Kysely<Schema> | Transaction<Schema>;

/** Registry repository: plain rows in, domain objects out. Attribution columns on every write. */
export interface Attribution {
  readonly at: string;
  readonly by: string;
}

export function toState(r: Schema['states']): State {
  return { code: r.code, name: r.name };
}
export function toOrganisation(r: Schema['organisations']): Organisation {
  return { id: r.id, name: r.name, kind: r.kind as Organisation['kind'], state: r.state };
}
export function toFacility(r: Schema['facilities']): Facility {
  return {
    code: r.code,
    name: r.name,
    type: r.type as Facility['type'],
    state: r.state,
    latitude: r.latitude,
    longitude: r.longitude,
  };
}
export function toMba(r: Schema['mbas']): Mba {
  return { code: r.code, facility: r.facility, description: r.description, itemMba: r.item_mba === 1 };
}
export function toKmp(r: Schema['kmps']): Kmp {
  return {
    code: r.code,
    mba: r.mba,
    kind: r.kind as Kmp['kind'],
    method: r.method,
    randomRsd: r.random_rsd,
    systematicRsd: r.systematic_rsd,
  };
}
export function toSigningKey(r: Schema['signing_keys']): SigningKey {
  return {
    id: r.id,
    organisation: r.organisation_id,
    publicKey: r.public_key,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    revokedAt: r.revoked_at,
  };
}

/** Which states' rows a paged list may show: every state, or only these (the caller's scope). */
export type StatesShown = 'all' | readonly string[];

/** The sortable fields of each registry list (API names, as the routes' `sort` enums spell them). */
export const REGISTRY_SORTS = {
  states: { columns: { code: 'code', name: 'name' }, natural: ['code'] },
  organisations: {
    columns: { id: 'id', name: 'name', kind: 'kind', state: 'state' },
    nullable: ['state'],
    natural: ['id'],
  },
  agreements: {
    columns: {
      id: 'id',
      type: 'type',
      title: 'title',
      entryIntoForce: 'entry_into_force',
      status: 'status',
    },
    natural: ['id'],
  },
  facilities: {
    columns: {
      code: 'code',
      name: 'name',
      type: 'type',
      state: 'state',
      latitude: 'latitude',
      longitude: 'longitude',
    },
    natural: ['code'],
  },
  mbas: {
    columns: {
      code: 'mbas.code',
      facility: 'mbas.facility',
      facilityName: 'facilities.name',
      state: 'facilities.state',
      description: 'mbas.description',
      itemMba: 'mbas.item_mba',
    },
    natural: ['mbas.code'],
  },
  kmps: {
    columns: {
      mba: 'kmps.mba',
      code: 'kmps.code',
      kind: 'kmps.kind',
      method: 'kmps.method',
      randomRsd: 'kmps.random_rsd',
      systematicRsd: 'kmps.systematic_rsd',
    },
    natural: ['kmps.mba', 'kmps.code'],
  },
  keys: {
    columns: { id: 'id', validFrom: 'valid_from', validTo: 'valid_to', revokedAt: 'revoked_at' },
    nullable: ['validTo', 'revokedAt'],
    natural: ['created_at', 'id'],
  },
  users: { columns: { login: 'login', name: 'name' }, natural: ['login'] },
} as const satisfies Record<string, SortColumns>;

export type RegistrySortField<L extends keyof typeof REGISTRY_SORTS> =
  keyof (typeof REGISTRY_SORTS)[L]['columns'] & string;

export interface UserSummary {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly organisation: string | null;
  readonly roles: string[];
}

export function createRegistryRepo(db: Db) {
  const k = db.kysely;
  return {
    async insertState(q: Q, s: State, a: Attribution) {
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

    async insertOrganisation(q: Q, o: Organisation, a: Attribution) {
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

    async insertAgreement(q: Q, ag: Agreement, a: Attribution) {
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
    async listAgreements(): Promise<Agreement[]> {
      const rows = await k.selectFrom('agreements').selectAll().orderBy('id').execute();
      const parties = await k.selectFrom('agreement_parties').selectAll().execute();
      const byAgreement = new Map<string, AgreementParty[]>();
      for (const p of parties) {
        const list = byAgreement.get(p.agreement_id) ?? [];
        list.push({ kind: p.party_kind as AgreementParty['kind'], ref: p.party_ref });
        byAgreement.set(p.agreement_id, list);
      }
      return rows.map((r) => ({
        id: r.id,
        type: r.type as Agreement['type'],
        title: r.title,
        entryIntoForce: r.entry_into_force,
        status: r.status as Agreement['status'],
        parties: (byAgreement.get(r.id) ?? []).sort((x, y) => (x.kind + x.ref).localeCompare(y.kind + y.ref)),
      }));
    },

    async insertFacility(q: Q, f: Facility, a: Attribution) {
      await q
        .insertInto('facilities')
        .values({ ...f, created_at: a.at, created_by: a.by })
        .execute();
    },
    async listFacilities(filter: { state?: string; type?: string } = {}): Promise<Facility[]> {
      let sel = k.selectFrom('facilities').selectAll();
      if (filter.state) sel = sel.where('state', '=', filter.state);
      if (filter.type) sel = sel.where('type', '=', filter.type);
      return (await sel.orderBy('code').execute()).map(toFacility);
    },
    async getFacility(code: string): Promise<Facility | undefined> {
      const r = await k.selectFrom('facilities').selectAll().where('code', '=', code).executeTakeFirst();
      return r && toFacility(r);
    },

    async insertMba(q: Q, m: Mba, a: Attribution) {
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

    async insertKmp(q: Q, m: Kmp, a: Attribution) {
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

    async insertSigningKey(q: Q, key: SigningKey, a: Attribution) {
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

    // ---- paged lists: filter, count, order and window in the database (docs/decisions/0007)
    async pageStates(req: PageRequest): Promise<Page<State>> {
      let sel = k.selectFrom('states');
      if (req.q) sel = sel.where(textMatches(['code', 'name'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(REGISTRY_SORTS.states, req)) rows = rows.orderBy(e, d);
      const [items, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: items.map(toState), total: countOf(count), limit: req.limit, offset: req.offset };
    },
    async pageOrganisations(
      filter: { kind?: string | undefined; state?: string | undefined },
      req: PageRequest,
    ): Promise<Page<Organisation>> {
      let sel = k.selectFrom('organisations');
      if (filter.kind) sel = sel.where('kind', '=', filter.kind);
      if (filter.state) sel = sel.where('state', '=', filter.state);
      if (req.q) sel = sel.where(textMatches(['id', 'name'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(REGISTRY_SORTS.organisations, req)) rows = rows.orderBy(e, d);
      const [items, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return {
        items: items.map(toOrganisation),
        total: countOf(count),
        limit: req.limit,
        offset: req.offset,
      };
    },
    async pageAgreements(
      filter: { type?: string | undefined; state?: string | undefined },
      req: PageRequest,
    ): Promise<Page<Agreement>> {
      let sel = k.selectFrom('agreements');
      if (filter.type) sel = sel.where('type', '=', filter.type);
      const party = filter.state;
      if (party) {
        sel = sel.where((eb) =>
          eb.exists(
            eb
              .selectFrom('agreement_parties')
              .select('agreement_id')
              .whereRef('agreement_parties.agreement_id', '=', 'agreements.id')
              .where('party_kind', '=', 'state')
              .where('party_ref', '=', party),
          ),
        );
      }
      if (req.q) sel = sel.where(textMatches(['id', 'title', 'type'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(REGISTRY_SORTS.agreements, req)) rows = rows.orderBy(e, d);
      const [found, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      const ids = found.map((r) => r.id);
      const parties =
        ids.length === 0
          ? []
          : await k.selectFrom('agreement_parties').selectAll().where('agreement_id', 'in', ids).execute();
      const items = found.map((r) => ({
        id: r.id,
        type: r.type as Agreement['type'],
        title: r.title,
        entryIntoForce: r.entry_into_force,
        status: r.status as Agreement['status'],
        parties: parties
          .filter((p) => p.agreement_id === r.id)
          .map((p) => ({ kind: p.party_kind as AgreementParty['kind'], ref: p.party_ref }))
          .sort((x, y) => (x.kind + x.ref).localeCompare(y.kind + y.ref)),
      }));
      return { items, total: countOf(count), limit: req.limit, offset: req.offset };
    },
    async pageFacilities(
      shown: StatesShown,
      filter: { state?: string | undefined; type?: string | undefined },
      req: PageRequest,
    ): Promise<Page<Facility>> {
      let sel = k.selectFrom('facilities');
      if (shown !== 'all') sel = sel.where('state', 'in', shown.length ? [...shown] : ['\0']);
      if (filter.state) sel = sel.where('state', '=', filter.state);
      if (filter.type) sel = sel.where('type', '=', filter.type);
      if (req.q) sel = sel.where(textMatches(['code', 'name'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(REGISTRY_SORTS.facilities, req)) rows = rows.orderBy(e, d);
      const [items, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: items.map(toFacility), total: countOf(count), limit: req.limit, offset: req.offset };
    },
    async pageMbas(
      shown: StatesShown,
      filter: { facility?: string | undefined; state?: string | undefined },
      req: PageRequest,
    ): Promise<Page<Mba & { state: string; facilityName: string }>> {
      let sel = k.selectFrom('mbas').innerJoin('facilities', 'facilities.code', 'mbas.facility');
      if (shown !== 'all') sel = sel.where('facilities.state', 'in', shown.length ? [...shown] : ['\0']);
      if (filter.facility) sel = sel.where('mbas.facility', '=', filter.facility);
      if (filter.state) sel = sel.where('facilities.state', '=', filter.state);
      if (req.q) {
        sel = sel.where(
          textMatches(['mbas.code', 'mbas.description', 'mbas.facility', 'facilities.name'], req.q),
        );
      }
      let rows = sel
        .selectAll('mbas')
        .select(['facilities.state as state', 'facilities.name as facility_name']);
      for (const [e, d] of orderTerms(REGISTRY_SORTS.mbas, req)) rows = rows.orderBy(e, d);
      const [found, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return {
        items: found.map((r) => ({ ...toMba(r), state: r.state, facilityName: r.facility_name })),
        total: countOf(count),
        limit: req.limit,
        offset: req.offset,
      };
    },
    async pageKmps(
      shown: StatesShown,
      filter: { mba?: string | undefined; state?: string | undefined },
      req: PageRequest,
    ): Promise<Page<Kmp>> {
      let sel = k
        .selectFrom('kmps')
        .innerJoin('mbas', 'mbas.code', 'kmps.mba')
        .innerJoin('facilities', 'facilities.code', 'mbas.facility');
      if (shown !== 'all') sel = sel.where('facilities.state', 'in', shown.length ? [...shown] : ['\0']);
      if (filter.mba) sel = sel.where('kmps.mba', '=', filter.mba);
      if (filter.state) sel = sel.where('facilities.state', '=', filter.state);
      if (req.q) sel = sel.where(textMatches(['kmps.code', 'kmps.mba', 'kmps.method', 'kmps.kind'], req.q));
      let rows = sel.selectAll('kmps');
      for (const [e, d] of orderTerms(REGISTRY_SORTS.kmps, req)) rows = rows.orderBy(e, d);
      const [items, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: items.map(toKmp), total: countOf(count), limit: req.limit, offset: req.offset };
    },
    async pageSigningKeys(organisationId: string, req: PageRequest): Promise<Page<SigningKey>> {
      let sel = k.selectFrom('signing_keys').where('organisation_id', '=', organisationId);
      if (req.q) sel = sel.where(textMatches(['id', 'public_key'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(REGISTRY_SORTS.keys, req)) rows = rows.orderBy(e, d);
      const [items, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: items.map(toSigningKey), total: countOf(count), limit: req.limit, offset: req.offset };
    },
    async pageUsers(organisationId: string, req: PageRequest): Promise<Page<UserSummary>> {
      let sel = k.selectFrom('users').where('organisation_id', '=', organisationId);
      if (req.q) sel = sel.where(textMatches(['login', 'name'], req.q));
      let rows = sel.select(['id', 'login', 'name', 'organisation_id', 'roles']);
      for (const [e, d] of orderTerms(REGISTRY_SORTS.users, req)) rows = rows.orderBy(e, d);
      const [found, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      const items = found.map((r) => ({
        id: r.id,
        login: r.login,
        name: r.name,
        organisation: r.organisation_id,
        roles: r.roles.split(','),
      }));
      return { items, total: countOf(count), limit: req.limit, offset: req.offset };
    },
  };
}

export type RegistryRepo = ReturnType<typeof createRegistryRepo>;
