import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DEADLINE_ANCHORS,
  INSTITUTION_KINDS,
  INSTITUTIONAL_DUTIES,
  INSTRUMENT_ID,
  INSTRUMENT_KINDS,
  LIMITS,
  NOTICE_CONDITIONS,
  NOTICE_SUBJECTS,
  REPORT_TYPE_NAME,
} from '../../domain/legal/index.js';
import type { InstitutionRoleService, InstrumentService } from '../../services/legal/index.js';
import { requirePrincipal } from '../auth.js';
import { pageOf, pageQuery, pageRequest } from './paging.js';

const tags = ['legal'];
const user = { auth: 'user' as const };
const isoDate = z.iso.date();

const LeadTimeSchema = z.union([
  z.strictObject({ hours: z.number().min(0).max(LIMITS.maxHours) }),
  z.strictObject({ as: z.enum(['none', 'agreed', 'after-consultation']) }),
]);
const DeadlineSchema = z.union([
  z.strictObject({
    anchor: z.enum(DEADLINE_ANCHORS).exclude(['annual', 'without-delay']),
    days: z.number().int().min(-LIMITS.maxDays).max(LIMITS.maxDays),
  }),
  z.strictObject({
    anchor: z.literal('annual'),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
  }),
  z.strictObject({ anchor: z.literal('without-delay') }),
]);
/** A typed obligation (domain/legal LegalObligation). */
export const ObligationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('report'),
    reportType: z.string().regex(REPORT_TYPE_NAME, 'upper-case letters, digits and _'),
    deadline: DeadlineSchema,
  }),
  z.strictObject({
    kind: z.literal('notice'),
    subject: z.enum(NOTICE_SUBJECTS),
    when: z.enum(NOTICE_CONDITIONS).optional(),
    leadTime: LeadTimeSchema,
  }),
  z.strictObject({
    kind: z.literal('access'),
    subject: z.literal('complementary-access'),
    when: z.enum(NOTICE_CONDITIONS).optional(),
    noticePeriod: LeadTimeSchema,
  }),
  z.strictObject({
    kind: z.literal('duty'),
    duty: z.enum(INSTITUTIONAL_DUTIES),
    holder: z.enum(INSTITUTION_KINDS).optional(),
  }),
]);
const ProvisionSchema = z.strictObject({
  ref: z.string().min(1).max(LIMITS.refLength),
  text: z.string().min(1).max(LIMITS.textLength),
  obligations: z.array(ObligationSchema).max(LIMITS.obligationsPerProvision).optional(),
});
/** POST /api/instruments (issue 19): the instrument as version 1. */
export const InstrumentSchema = z.strictObject({
  id: z.string().regex(INSTRUMENT_ID, 'letters, digits, ".", "_" or "-" (1-64)'),
  title: z.string().min(1).max(LIMITS.titleLength),
  kind: z.enum(INSTRUMENT_KINDS),
  parties: z.array(z.string().min(1).max(64)).min(1).max(LIMITS.parties),
  signature: isoDate.optional(),
  inForce: isoDate.optional(),
  suspended: isoDate.optional(),
  provisions: z.array(ProvisionSchema).max(LIMITS.provisions),
});
/** PUT /api/instruments/:id: the whole new text; `baseVersion` is the version it was edited from. */
const InstrumentChangeSchema = InstrumentSchema.omit({ id: true }).extend({
  baseVersion: z.number().int().min(1).optional(),
});

const ProvisionReply = z.object({
  ref: z.string(),
  text: z.string(),
  obligations: z.array(ObligationSchema).readonly().optional(),
});
export const InstrumentReply = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(INSTRUMENT_KINDS),
  parties: z.array(z.string()).readonly(),
  signature: z.string().optional(),
  inForce: z.string().optional(),
  suspended: z.string().optional(),
  version: z.number(),
  provisions: z.array(ProvisionReply).readonly(),
});
const InstrumentWrittenReply = InstrumentReply.extend({ logIndex: z.number() });
const InstrumentItem = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.enum(INSTRUMENT_KINDS),
  version: z.number(),
  inForce: z.string().nullable(),
  updatedAt: z.string(),
});
const ProvisionFoundReply = z.object({
  instrument: z.string(),
  version: z.number(),
  provision: ProvisionReply,
});

const RoleSchema = z.strictObject({
  duty: z.enum(INSTITUTIONAL_DUTIES),
  organisation: z.string().min(1).max(64),
  basis: z.string().min(1).max(LIMITS.refLength).optional(),
});
const RolesReply = z.object({
  state: z.string(),
  version: z.number(),
  roles: z.array(RoleSchema).readonly(),
  at: z.string(),
  by: z.string(),
});
const stateParams = z.object({ code: z.string().max(64) });

/** Institutional roles (issue 19 item 3, decision 0036): who holds which duty in a state. */
function registerRoleRoutes(app: FastifyInstance, svc: InstitutionRoleService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/states/:code/institutions',
    {
      config: user,
      schema: {
        tags,
        description:
          'Which institution of the state holds which duty (submit reports or declarations, receive notices, grant access…): the current version (0 when never set), or `version`.',
        params: stateParams,
        querystring: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: RolesReply },
      },
    },
    async (req) => svc.getRoles(requirePrincipal(req), req.params.code, req.query.version),
  );
  r.put(
    '/api/states/:code/institutions',
    {
      config: user,
      schema: {
        tags,
        description:
          'Replace the state’s roles (its state authority’s administrators only); the next version, logged. Notifications about an obligation go to its holders.',
        params: stateParams,
        body: z.strictObject({
          roles: z.array(RoleSchema).max(200),
          baseVersion: z.number().int().min(0).optional(),
        }),
        response: { 200: RolesReply.extend({ logIndex: z.number() }) },
      },
    },
    async (req) => svc.setRoles(requirePrincipal(req), req.params.code, req.body),
  );
}

/** The legal register (issue 19 item 1, decision 0031) and the states' institutional roles. */
export function registerLegalRoutes(
  app: FastifyInstance,
  svc: InstrumentService,
  roles: InstitutionRoleService,
): void {
  registerRoleRoutes(app, roles);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/instruments',
    { config: user, schema: { tags, body: InstrumentSchema, response: { 201: InstrumentWrittenReply } } },
    async (req, reply) => reply.status(201).send(await svc.createInstrument(requirePrincipal(req), req.body)),
  );
  r.put(
    '/api/instruments/:id',
    {
      config: user,
      schema: {
        tags,
        description: 'Change an instrument: the whole new text becomes its next version (logged).',
        params: z.object({ id: z.string() }),
        body: InstrumentChangeSchema,
        response: { 200: InstrumentWrittenReply },
      },
    },
    async (req) => {
      const { baseVersion, ...rest } = req.body;
      return svc.changeInstrument(requirePrincipal(req), { id: req.params.id, ...rest }, baseVersion);
    },
  );
  r.get(
    '/api/instruments',
    {
      config: user,
      schema: {
        tags,
        description: 'The legal register, paged. party: instruments that state or organisation is party to.',
        querystring: z.strictObject({
          kind: z.enum(INSTRUMENT_KINDS).optional(),
          party: z.string().max(64).optional(),
          ...pageQuery(['id', 'title', 'kind', 'inForce', 'updatedAt']),
        }),
        response: { 200: pageOf(InstrumentItem) },
      },
    },
    async (req) => svc.listInstruments(requirePrincipal(req), req.query, pageRequest(req.query)),
  );
  r.get(
    '/api/instruments/:id',
    {
      config: user,
      schema: {
        tags,
        description: 'An instrument with its provisions: the current version, or `version`.',
        params: z.object({ id: z.string() }),
        querystring: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: InstrumentReply },
      },
    },
    async (req) => svc.getInstrument(requirePrincipal(req), req.params.id, req.query.version),
  );
  r.get(
    '/api/provisions',
    {
      config: user,
      schema: {
        tags,
        description: 'The provision cited as `ref` (e.g. "INFCIRC/153 para 62") and its instrument.',
        querystring: z.strictObject({ ref: z.string().min(1).max(LIMITS.refLength) }),
        response: { 200: ProvisionFoundReply },
      },
    },
    async (req) => svc.provisionByRef(requirePrincipal(req), req.query.ref),
  );
}
