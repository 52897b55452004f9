import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AGREEMENT_STATUSES,
  AGREEMENT_TYPES,
  FACILITY_TYPES,
  KMP_KINDS,
  ORGANISATION_KINDS,
  REGISTRY_CODE,
  ROLES,
  STATE_CODE,
} from '../../domain/registry/index.js';
import type { RegistryService } from '../../services/registry.js';
import { requirePrincipal } from '../auth.js';
import { pageOf, pageQuery, pageRequest } from './paging.js';

const code = z.string().regex(REGISTRY_CODE, 'letters, digits, ".", "_" or "-" (1-64)');
const stateCode = z.string().regex(STATE_CODE, 'an ISO 3166-1 alpha-2 code, e.g. XA');
const isoDate = z.iso.date();
const isoTime = z.iso.datetime({ offset: true });
const rsd = z.number().min(0).max(1);

export const StateSchema = z.strictObject({ code: stateCode, name: z.string().min(1).max(200) });
export const OrganisationSchema = z.strictObject({
  id: code,
  name: z.string().min(1).max(200),
  kind: z.enum(ORGANISATION_KINDS),
  state: stateCode.nullable().default(null),
});
export const AgreementSchema = z.strictObject({
  id: code,
  type: z.enum(AGREEMENT_TYPES),
  title: z.string().min(1).max(300),
  entryIntoForce: isoDate,
  status: z.enum(AGREEMENT_STATUSES).default('in-force'),
  parties: z
    .array(z.strictObject({ kind: z.enum(['state', 'organisation']), ref: z.string().min(1).max(64) }))
    .min(2)
    .max(50),
});
export const FacilitySchema = z.strictObject({
  code,
  name: z.string().min(1).max(200),
  type: z.enum(FACILITY_TYPES),
  state: stateCode,
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export const MbaSchema = z.strictObject({
  code,
  facility: code,
  description: z.string().max(500).default(''),
  itemMba: z.boolean().default(false),
});
export const KmpSchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9]{1,8}$/, '1-8 letters or digits'),
  mba: code,
  kind: z.enum(KMP_KINDS),
  method: z.string().min(1).max(100),
  randomRsd: rsd,
  systematicRsd: rsd,
});
const KeySchema = z.strictObject({
  publicKey: z.string().min(40).max(60),
  validFrom: isoTime.optional(),
  validTo: isoTime.optional(),
});
const UserSchema = z.strictObject({
  login: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, ".", "_" or "-"'),
  name: z.string().min(1).max(200),
  organisation: code.nullable(),
  roles: z.array(z.enum(ROLES)).min(1),
  password: z.string().min(10).max(200).optional(),
});
const TokenSchema = z.strictObject({
  user: z.string().min(1).max(64).optional(),
  label: z.string().min(1).max(100).default('api'),
  expiresAt: isoTime.optional(),
});

/*
 * Every list pages, sorts and filters on the server (paging.ts; docs/decisions/0007). The item
 * schemas document every field a list answers.
 */
const StateItem = z.object({ code: z.string(), name: z.string() });
const OrganisationItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ORGANISATION_KINDS),
  state: z.string().nullable(),
});
const AgreementItem = z.object({
  id: z.string(),
  type: z.enum(AGREEMENT_TYPES),
  title: z.string(),
  entryIntoForce: z.string(),
  status: z.enum(AGREEMENT_STATUSES),
  parties: z.array(z.object({ kind: z.enum(['state', 'organisation']), ref: z.string() })).readonly(),
});
const FacilityItem = z.object({
  code: z.string(),
  name: z.string(),
  type: z.enum(FACILITY_TYPES),
  state: z.string(),
  latitude: z.number(),
  longitude: z.number(),
});
const MbaItem = z.object({
  code: z.string(),
  facility: z.string(),
  facilityName: z.string(),
  state: z.string(),
  description: z.string(),
  itemMba: z.boolean(),
});
/** One MBA as GET /api/mbas/:code answers it: the registry's fields and its facility's state. */
const MbaReply = z.object({
  code: z.string(),
  facility: z.string(),
  description: z.string(),
  itemMba: z.boolean(),
  state: z.string(),
});
const KmpItem = z.object({
  code: z.string(),
  mba: z.string(),
  kind: z.enum(KMP_KINDS),
  method: z.string(),
  randomRsd: z.number(),
  systematicRsd: z.number(),
});
const KeyItem = z.object({
  id: z.string(),
  organisation: z.string(),
  publicKey: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const UserItem = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string(),
  organisation: z.string().nullable(),
  roles: z.array(z.string()),
});
const pagedList =
  'Paged: limit, offset, sort (a field, "-" for descending), q (text filter). Answers {items, total, limit, offset}.';

const user = { auth: 'user' as const };
const tags = ['registry'];

/** The parties: states and organisations. */
function registerPartyRoutes(app: FastifyInstance, svc: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/states', { config: user, schema: { tags, body: StateSchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createState(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/states',
    {
      config: user,
      schema: {
        tags,
        description: pagedList,
        querystring: z.strictObject(pageQuery(['code', 'name'])),
        response: { 200: pageOf(StateItem) },
      },
    },
    async (req) => svc.listStates(requirePrincipal(req), pageRequest(req.query)),
  );
  r.get(
    '/api/states/:code',
    { config: user, schema: { tags, params: z.object({ code: z.string() }) } },
    async (req) => svc.getState(requirePrincipal(req), req.params.code),
  );

  r.post(
    '/api/organisations',
    { config: user, schema: { tags, body: OrganisationSchema } },
    async (req, reply) =>
      reply.status(201).send(await svc.createOrganisation(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/organisations',
    {
      config: user,
      schema: {
        tags,
        description: pagedList,
        querystring: z.strictObject({
          kind: z.enum(ORGANISATION_KINDS).optional(),
          state: stateCode.optional(),
          ...pageQuery(['id', 'name', 'kind', 'state']),
        }),
        response: { 200: pageOf(OrganisationItem) },
      },
    },
    async (req) => svc.listOrganisations(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  r.get(
    '/api/organisations/:id',
    { config: user, schema: { tags, params: z.object({ id: z.string() }) } },
    async (req) => svc.getOrganisation(requirePrincipal(req), req.params.id),
  );
}

/** What hangs off an organisation: its signing keys (register, list, revoke) and its users. */
function registerOrganisationKeyRoutes(app: FastifyInstance, svc: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/organisations/:id/keys',
    { config: user, schema: { tags: ['keys'], params: z.object({ id: z.string() }), body: KeySchema } },
    async (req, reply) =>
      reply.status(201).send(await svc.registerKey(requirePrincipal(req), req.params.id, req.body)),
  );
  r.get(
    '/api/organisations/:id/keys',
    {
      config: user,
      schema: {
        tags: ['keys'],
        description: `${pagedList} Natural order: registration time.`,
        params: z.object({ id: z.string() }),
        querystring: z.strictObject(pageQuery(['id', 'validFrom', 'validTo', 'revokedAt'])),
        response: { 200: pageOf(KeyItem) },
      },
    },
    async (req) => svc.listKeys(requirePrincipal(req), req.params.id, pageRequest(req.query)),
  );
  r.post(
    '/api/organisations/:id/keys/:keyId/revoke',
    { config: user, schema: { tags: ['keys'], params: z.object({ id: z.string(), keyId: z.string() }) } },
    async (req) => svc.revokeKey(requirePrincipal(req), req.params.id, req.params.keyId),
  );
  r.get(
    '/api/organisations/:id/users',
    {
      config: user,
      schema: {
        tags: ['users'],
        description: pagedList,
        params: z.object({ id: z.string() }),
        querystring: z.strictObject(pageQuery(['login', 'name'])),
        response: { 200: pageOf(UserItem) },
      },
    },
    async (req) => svc.listUsers(requirePrincipal(req), req.params.id, pageRequest(req.query)),
  );
}

/** Agreements between the parties. */
function registerAgreementRoutes(app: FastifyInstance, svc: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/agreements', { config: user, schema: { tags, body: AgreementSchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createAgreement(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/agreements',
    {
      config: user,
      schema: {
        tags,
        description: `${pagedList} state: agreements that state is party to.`,
        querystring: z.strictObject({
          type: z.enum(AGREEMENT_TYPES).optional(),
          state: stateCode.optional(),
          ...pageQuery(['id', 'type', 'title', 'entryIntoForce', 'status']),
        }),
        response: { 200: pageOf(AgreementItem) },
      },
    },
    async (req) => svc.listAgreements(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  r.get(
    '/api/agreements/:id',
    { config: user, schema: { tags, params: z.object({ id: z.string() }) } },
    async (req) => svc.getAgreement(requirePrincipal(req), req.params.id),
  );
}

/** The installations under safeguards: facilities, their MBAs and the MBAs' KMPs. */
function registerFacilityRoutes(app: FastifyInstance, svc: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/facilities', { config: user, schema: { tags, body: FacilitySchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createFacility(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/facilities',
    {
      config: user,
      schema: {
        tags,
        description: `${pagedList} Only facilities of states in the caller's scope.`,
        querystring: z.strictObject({
          state: stateCode.optional(),
          type: z.enum(FACILITY_TYPES).optional(),
          ...pageQuery(['code', 'name', 'type', 'state', 'latitude', 'longitude']),
        }),
        response: { 200: pageOf(FacilityItem) },
      },
    },
    async (req) => svc.listFacilities(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  r.get(
    '/api/facilities/:code',
    {
      config: user,
      schema: { tags, params: z.object({ code: z.string() }), response: { 200: FacilityItem } },
    },
    async (req) => svc.getFacility(requirePrincipal(req), req.params.code),
  );

  r.post('/api/mbas', { config: user, schema: { tags, body: MbaSchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createMba(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/mbas',
    {
      config: user,
      schema: {
        tags,
        description: `${pagedList} Only MBAs of states in the caller's scope; q also matches the facility's name.`,
        querystring: z.strictObject({
          facility: code.optional(),
          state: stateCode.optional(),
          ...pageQuery(['code', 'facility', 'facilityName', 'state', 'description', 'itemMba']),
        }),
        response: { 200: pageOf(MbaItem) },
      },
    },
    async (req) => svc.listMbas(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  r.get(
    '/api/mbas/:code',
    { config: user, schema: { tags, params: z.object({ code: z.string() }), response: { 200: MbaReply } } },
    async (req) => svc.getMba(requirePrincipal(req), req.params.code),
  );

  r.post('/api/kmps', { config: user, schema: { tags, body: KmpSchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createKmp(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/kmps',
    {
      config: user,
      schema: {
        tags,
        description: `${pagedList} Only KMPs of MBAs in the caller's scope.`,
        querystring: z.strictObject({
          mba: code.optional(),
          state: stateCode.optional(),
          ...pageQuery(['mba', 'code', 'kind', 'method', 'randomRsd', 'systematicRsd']),
        }),
        response: { 200: pageOf(KmpItem) },
      },
    },
    async (req) => svc.listKmps(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  // A KMP code is unique within its MBA, so its id is `<mba>:<code>` (e.g. XA-R1:A).
  r.get(
    '/api/kmps/:id',
    {
      config: user,
      schema: { tags, params: z.object({ id: z.string().regex(/^[^:]+:[^:]+$/, '<mba>:<code>') }) },
    },
    async (req) => {
      const [mba, kmpCode] = req.params.id.split(':') as [string, string];
      return svc.getKmp(requirePrincipal(req), mba, kmpCode);
    },
  );
}

/** Logins: creating users and issuing API tokens. */
function registerUserRoutes(app: FastifyInstance, svc: RegistryService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/users', { config: user, schema: { tags: ['users'], body: UserSchema } }, async (req, reply) =>
    reply.status(201).send(await svc.createUser(requirePrincipal(req), req.body)),
  );
  r.post(
    '/api/tokens',
    { config: user, schema: { tags: ['users'], body: TokenSchema } },
    async (req, reply) => reply.status(201).send(await svc.issueToken(requirePrincipal(req), req.body)),
  );
}

/** The registry: parties, keys, agreements, installations and logins. Thin: schema → service. */
export function registerRegistryRoutes(app: FastifyInstance, svc: RegistryService): void {
  registerPartyRoutes(app, svc);
  registerOrganisationKeyRoutes(app, svc);
  registerAgreementRoutes(app, svc);
  registerFacilityRoutes(app, svc);
  registerUserRoutes(app, svc);
}
