import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FACILITY_KINDS, INSPECTION_TYPES } from '../../domain/inspections/index.js';
import { REGISTRY_CODE, STATE_CODE } from '../../domain/registry/index.js';
import type { InspectionService } from '../../services/inspections/index.js';
import { requirePrincipal } from '../auth.js';
import {
  DesignationReply,
  EffortReply,
  FindingReply,
  InspectionReply,
  ListedStatementReply,
  SamplingDrawReply,
  SamplingPlanReply,
  StatementReply,
  StratumReply,
  SubmittedStatementReply,
} from './inspections.replies.js';
import { pageOf } from './paging.js';

const code = z.string().regex(REGISTRY_CODE, 'letters, digits, ".", "_" or "-" (1-64)');
const stateCode = z.string().regex(STATE_CODE, 'an ISO 3166-1 alpha-2 code, e.g. XA');
const isoTime = z.iso.datetime({ offset: true });
const itemId = z.string().min(1).max(128);
const stratumName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64)');
const rsd = z.number().min(0).max(1);
const ekg = z.number().min(0).max(1e9);
const assignment = z.strictObject({ activity: z.string().min(1).max(64), inspectorate: code });
const noticeTerms = {
  forTransfer: z.boolean().optional(),
  combinedWithInspection: z.boolean().optional(),
  consultationAt: isoTime.optional(),
  agreedNoticeHours: z.number().min(0).max(8760).optional(),
};

const CreateSchema = z.strictObject({
  type: z.enum(INSPECTION_TYPES),
  facility: code,
  mbas: z.array(code).min(1).max(50).optional(),
  participants: z.array(code).min(1).max(2),
  startsAt: isoTime,
  noticeGivenAt: isoTime.optional(),
  facilityKind: z.enum(FACILITY_KINDS).optional(),
  plannedManDays: z.number().min(0).max(10_000).optional(),
  inventoryEkg: ekg.optional(),
  throughputEkg: ekg.optional(),
  activities: z.array(z.string().min(1).max(64)).max(20).optional(),
  assignments: z.array(assignment).max(20).optional(),
  ...noticeTerms,
});
const ScheduleSchema = z.strictObject({
  startsAt: isoTime,
  noticeGivenAt: isoTime.optional(),
  ...noticeTerms,
});
const ActivitiesSchema = z.strictObject({
  activities: z.array(z.string().min(1).max(64)).max(20),
  assignments: z.array(assignment).max(20).optional(),
});
const SamplingPlanSchema = z.strictObject({
  population: z.number().int().min(1).max(10_000_000),
  averageContent: z.number().positive(),
  goalQuantity: z.number().positive(),
  nonDetectionProbability: z.number().gt(0).lt(1),
  defectLevel: z.enum(['gross', 'partial', 'bias']),
  itemIds: z.array(itemId).max(100_000).optional(),
  seed: z.string().min(1).max(256).optional(),
  inspectionId: z.string().min(1).max(64).optional(),
});
const errors = z.strictObject({ random: rsd, systematic: rsd });
const StratumSchema = z.strictObject({
  mba: code.optional(),
  activity: z.string().min(1).max(64).optional(),
  population: z.number().int().min(1).max(10_000_000),
  operator: errors,
  inspector: errors,
  goalQuantity: z.number().positive().optional(),
  samplingPlanId: z.string().min(1).max(64).optional(),
});
const ItemSchema = z.strictObject({
  itemId,
  declared: z.number().finite(),
  measured: z.number().finite().nullable().optional(),
  present: z.boolean().nullable().optional(),
  sealIntact: z.boolean().nullable().optional(),
});
const ItemsSchema = z.strictObject({ items: z.array(ItemSchema).min(1).max(10_000) });
const FindingSchema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'lower-case words joined by "-"'),
  severity: z.enum(['low', 'medium', 'high']),
  items: z.array(itemId).max(10_000).optional(),
  mbas: z.array(code).max(50).optional(),
  stratum: stratumName.optional(),
  description: z.string().min(1).max(4000),
  openCase: z.enum(['anomaly', 'discrepancy']).optional(),
});
const StatementSchema = z.strictObject({
  v: z.literal(1),
  type: z.literal('custos/inspection-statement'),
  inspection: z.string().min(1).max(64),
  inspectorate: code,
  state: stateCode,
  facility: code,
  mbas: z.array(code).max(50),
  inspectionType: z.enum(INSPECTION_TYPES),
  startsAt: z.string().min(1).max(64),
  activities: z.array(z.strictObject({ activity: z.string().max(64), inspectorate: code })).max(20),
  findings: z
    .array(
      z.strictObject({
        id: z.string().max(64),
        type: z.string().max(64),
        severity: z.string().max(16),
        items: z.array(itemId).max(10_000),
        mbas: z.array(code).max(50),
      }),
    )
    .max(10_000),
  conclusion: z.string().min(1).max(10_000),
  signedAt: isoTime,
});
const SignedStatementSchema = z.strictObject({
  statement: StatementSchema,
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'base64 of a 64-byte Ed25519 signature'),
  keyId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});

const idParam = z.object({ id: z.string().min(1).max(64) });

/**
 * The window of the inspection and designation lists (decision 0090): `limit` and `offset` as on
 * the other paged lists, at most 500 a page since each inspection carries its activities and its
 * facility's routine effort.
 */
const listWindow = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size (1-500)'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('rows to skip'),
};
const InspectionListQuery = z.strictObject({
  state: stateCode.optional(),
  facility: code.optional(),
  from: z.iso
    .date()
    .optional()
    .describe('inspections starting on or after this date (the start as written, in its own offset)'),
  to: z.iso.date().optional().describe('inspections starting before this date (likewise)'),
  ...listWindow,
});

/** Planning: inspections, their notice, schedule, arrival, activities and routine effort. */
function registerPlanningRoutes(app: FastifyInstance, svc: InspectionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const tags = ['inspections'];

  r.post(
    '/api/inspections',
    { config: user, schema: { tags, body: CreateSchema, response: { 201: InspectionReply } } },
    async (req, reply) => reply.status(201).send(await svc.createInspection(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/inspections',
    {
      config: user,
      schema: {
        tags,
        description:
          'A page of the inspections the caller may open, by start then id: a participating inspectorate sees all of each, the state its part (an unannounced inspection once the team has arrived).',
        querystring: InspectionListQuery,
        response: { 200: pageOf(InspectionReply) },
      },
    },
    async (req) => svc.listInspections(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/inspection-effort',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({
          facility: code,
          year: z.coerce.number().int().min(1970).max(9999),
          facilityKind: z.enum(FACILITY_KINDS).optional(),
          inventoryEkg: z.coerce.number().min(0).max(1e9).optional(),
          throughputEkg: z.coerce.number().min(0).max(1e9).optional(),
        }),
        response: { 200: EffortReply },
      },
    },
    async (req) => svc.getEffort(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/inspections/:id',
    { config: user, schema: { tags, params: idParam, response: { 200: InspectionReply } } },
    async (req) => svc.getInspection(requirePrincipal(req), req.params.id),
  );
  r.post(
    '/api/inspections/:id/schedule',
    {
      config: user,
      schema: { tags, params: idParam, body: ScheduleSchema, response: { 200: InspectionReply } },
    },
    async (req) => svc.scheduleInspection(requirePrincipal(req), req.params.id, req.body),
  );
  r.post(
    '/api/inspections/:id/arrival',
    {
      config: user,
      schema: {
        tags,
        params: idParam,
        body: z.strictObject({ arrivedAt: isoTime.optional() }).default({}),
        response: { 200: InspectionReply },
      },
    },
    async (req) => svc.recordArrival(requirePrincipal(req), req.params.id, req.body.arrivedAt),
  );
  r.put(
    '/api/inspections/:id/activities',
    {
      config: user,
      schema: { tags, params: idParam, body: ActivitiesSchema, response: { 200: InspectionReply } },
    },
    async (req) => svc.assignActivities(requirePrincipal(req), req.params.id, req.body),
  );
}

/** Verification data and findings (and the case a finding opens). */
function registerVerificationRoutes(app: FastifyInstance, svc: InspectionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const tags = ['inspections'];

  const stratumParams = z.object({ id: z.string().min(1).max(64), stratum: stratumName });
  r.put(
    '/api/inspections/:id/strata/:stratum',
    {
      config: user,
      schema: { tags, params: stratumParams, body: StratumSchema, response: { 200: StratumReply } },
    },
    async (req) => svc.defineStratum(requirePrincipal(req), req.params.id, req.params.stratum, req.body),
  );
  r.post(
    '/api/inspections/:id/strata/:stratum/items',
    {
      config: user,
      schema: { tags, params: stratumParams, body: ItemsSchema, response: { 200: StratumReply } },
    },
    async (req) => svc.recordItems(requirePrincipal(req), req.params.id, req.params.stratum, req.body.items),
  );
  r.get(
    '/api/inspections/:id/verification',
    { config: user, schema: { tags, params: idParam, response: { 200: z.array(StratumReply) } } },
    async (req) => svc.getVerification(requirePrincipal(req), req.params.id),
  );

  r.get(
    '/api/inspections/:id/findings',
    { config: user, schema: { tags, params: idParam, response: { 200: z.array(FindingReply) } } },
    async (req) => svc.listFindings(requirePrincipal(req), req.params.id),
  );
  r.post(
    '/api/inspections/:id/findings',
    { config: user, schema: { tags, params: idParam, body: FindingSchema, response: { 201: FindingReply } } },
    async (req, reply) =>
      reply.status(201).send(await svc.createFinding(requirePrincipal(req), req.params.id, req.body)),
  );
  const findingParams = z.object({ id: z.string().min(1).max(64), findingId: z.string().min(1).max(64) });
  r.get(
    '/api/inspections/:id/findings/:findingId',
    { config: user, schema: { tags, params: findingParams, response: { 200: FindingReply } } },
    async (req) => svc.getFinding(requirePrincipal(req), req.params.id, req.params.findingId),
  );
  r.post(
    '/api/inspections/:id/findings/:findingId/case',
    {
      config: user,
      schema: {
        tags,
        params: findingParams,
        body: z
          .strictObject({ kind: z.enum(['anomaly', 'discrepancy']).default('anomaly') })
          .default({ kind: 'anomaly' }),
        response: { 201: FindingReply },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await svc.openCase(requirePrincipal(req), req.params.id, req.params.findingId, req.body.kind)),
  );
}

/** Each inspectorate's signed statement: the draft, the signing, the list to verify offline. */
function registerStatementRoutes(app: FastifyInstance, svc: InspectionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const tags = ['inspections'];

  r.get(
    '/api/inspections/:id/statements/draft',
    {
      config: user,
      schema: {
        tags,
        params: idParam,
        querystring: z.strictObject({ organisation: code.optional() }),
        response: { 200: StatementReply },
      },
    },
    async (req) => svc.draftStatement(requirePrincipal(req), req.params.id, req.query.organisation),
  );
  r.post(
    '/api/inspections/:id/statements',
    {
      config: user,
      schema: {
        tags,
        params: idParam,
        body: SignedStatementSchema,
        response: { 201: SubmittedStatementReply },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await svc.submitStatement(requirePrincipal(req), req.params.id, req.body)),
  );
  r.get(
    '/api/inspections/:id/statements',
    { config: user, schema: { tags, params: idParam, response: { 200: z.array(ListedStatementReply) } } },
    async (req) => svc.listStatements(requirePrincipal(req), req.params.id),
  );
}

/** Sampling plans and logged draws. */
function registerSamplingRoutes(app: FastifyInstance, svc: InspectionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };

  r.post(
    '/api/sampling-plans',
    {
      config: user,
      schema: {
        tags: ['sampling'],
        body: SamplingPlanSchema,
        response: { 200: SamplingPlanReply, 201: SamplingPlanReply },
      },
    },
    async (req, reply) => {
      const answer = await svc.createSamplingPlan(requirePrincipal(req), req.body);
      return reply.status(answer.id === undefined ? 200 : 201).send(answer);
    },
  );
  r.get(
    '/api/sampling-plans/:id',
    { config: user, schema: { tags: ['sampling'], params: idParam, response: { 200: SamplingDrawReply } } },
    async (req) => svc.getSamplingPlan(requirePrincipal(req), req.params.id),
  );
}

/** Inspector designations (INFCIRC/153 para 85). */
function registerDesignationRoutes(app: FastifyInstance, svc: InspectionService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };

  r.post(
    '/api/designations',
    {
      config: user,
      schema: {
        tags: ['designations'],
        body: z.strictObject({ state: stateCode, inspector: z.string().min(1).max(200) }),
        response: { 201: DesignationReply },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await svc.proposeDesignation(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/designations',
    {
      config: user,
      schema: {
        tags: ['designations'],
        description:
          'A page of inspector designations in the order they were proposed: an inspectorate its own, a state those made to it.',
        querystring: z.strictObject({ state: stateCode.optional(), ...listWindow }),
        response: { 200: pageOf(DesignationReply) },
      },
    },
    async (req) => svc.listDesignations(requirePrincipal(req), req.query),
  );
  r.post(
    '/api/designations/:id/decision',
    {
      config: user,
      schema: {
        tags: ['designations'],
        params: idParam,
        body: z.strictObject({ decision: z.enum(['accepted', 'rejected']) }),
        response: { 200: DesignationReply },
      },
    },
    async (req) => svc.decideDesignation(requirePrincipal(req), req.params.id, req.body.decision),
  );
}

/** /api/inspections, /api/sampling-plans and /api/designations (issue 7). Thin: schema → service. */
export function registerInspectionRoutes(app: FastifyInstance, svc: InspectionService): void {
  registerPlanningRoutes(app, svc);
  registerVerificationRoutes(app, svc);
  registerStatementRoutes(app, svc);
  registerSamplingRoutes(app, svc);
  registerDesignationRoutes(app, svc);
}
