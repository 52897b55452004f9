import type { Kysely } from 'kysely';
import type {
  Agreement,
  AgreementType,
  Facility,
  FacilityType,
  Kmp,
  Mba,
  Organisation,
  OrganisationKind,
  SigningKey,
  State,
} from '../../domain/registry/index.js';
import type { Db } from '../db.js';
import {
  countOf,
  orderTerms,
  type Page,
  type PageRequest,
  type SortColumns,
  textMatches,
} from '../paging.js';
import type { Schema } from '../schema.types.js';
import { toAgreement, toFacility, toKmp, toMba, toOrganisation, toSigningKey, toState } from './rows.js';

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

export interface UserSummary {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly organisation: string | null;
  readonly roles: string[];
}

/** Paged registry lists: filter, count, order and window in the database (docs/decisions/0007). */
export function createRegistryPages(db: Db) {
  const k = db.kysely;
  return {
    pageStates: pageStates.bind(null, k),
    pageOrganisations: pageOrganisations.bind(null, k),
    pageAgreements: pageAgreements.bind(null, k),
    pageFacilities: pageFacilities.bind(null, k),
    pageMbas: pageMbas.bind(null, k),
    pageKmps: pageKmps.bind(null, k),
    pageSigningKeys: pageSigningKeys.bind(null, k),
    pageUsers: pageUsers.bind(null, k),
  };
}

async function pageStates(k: Kysely<Schema>, req: PageRequest): Promise<Page<State>> {
  let sel = k.selectFrom('states');
  if (req.q) sel = sel.where(textMatches(['code', 'name'], req.q));
  let rows = sel.selectAll();
  for (const [e, d] of orderTerms(REGISTRY_SORTS.states, req)) rows = rows.orderBy(e, d);
  const [items, count] = await Promise.all([
    rows.limit(req.limit).offset(req.offset).execute(),
    sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { items: items.map(toState), total: countOf(count), limit: req.limit, offset: req.offset };
}

async function pageOrganisations(
  k: Kysely<Schema>,
  filter: { kind?: OrganisationKind | undefined; state?: string | undefined },
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
}

async function pageAgreements(
  k: Kysely<Schema>,
  filter: { type?: AgreementType | undefined; state?: string | undefined },
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
  const items = found.map((r) => toAgreement(r, parties));
  return { items, total: countOf(count), limit: req.limit, offset: req.offset };
}

async function pageFacilities(
  k: Kysely<Schema>,
  shown: StatesShown,
  filter: { state?: string | undefined; type?: FacilityType | undefined },
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
}

async function pageMbas(
  k: Kysely<Schema>,
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
  let rows = sel.selectAll('mbas').select(['facilities.state as state', 'facilities.name as facility_name']);
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
}

async function pageKmps(
  k: Kysely<Schema>,
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
}

async function pageSigningKeys(
  k: Kysely<Schema>,
  organisationId: string,
  req: PageRequest,
): Promise<Page<SigningKey>> {
  let sel = k.selectFrom('signing_keys').where('organisation_id', '=', organisationId);
  if (req.q) sel = sel.where(textMatches(['id', 'public_key'], req.q));
  let rows = sel.selectAll();
  for (const [e, d] of orderTerms(REGISTRY_SORTS.keys, req)) rows = rows.orderBy(e, d);
  const [items, count] = await Promise.all([
    rows.limit(req.limit).offset(req.offset).execute(),
    sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { items: items.map(toSigningKey), total: countOf(count), limit: req.limit, offset: req.offset };
}

async function pageUsers(
  k: Kysely<Schema>,
  organisationId: string,
  req: PageRequest,
): Promise<Page<UserSummary>> {
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
}
