import { z } from 'zod';
import { FACILITY_KINDS, INSPECTION_TYPES } from '../../domain/inspections/index.js';
import { ProvisionBasisReply } from './reports.replies.js';

/*
 * What the inspection routes answer (services/inspections/inspections.types.ts and statement.ts),
 * so the OpenAPI document — and the browser's generated wire types — say it (docs/decisions/0013).
 * A response schema is what the reply is serialised with: each lists every field its service
 * answers, and numbers are plain numbers (a constraint the service does not promise would turn a
 * reply into a 500).
 */
const severity = z.enum(['low', 'medium', 'high']);
const assignmentReply = z.object({ activity: z.string(), inspectorate: z.string() });
const methodErrors = z.object({ random: z.number(), systematic: z.number() });

/** GET /api/inspection-effort, and an inspection's `effort` (routine inspections). */
export const EffortReply = z.object({
  facility: z.string(),
  year: z.number(),
  /** Null when no inventory/throughput basis was given for the facility this year. */
  cap: z
    .object({
      effectiveKg: z.number(),
      manDays: z.number(),
      rule: z.enum(['one-sixth-man-year', 'thirty-root-e', 'third-man-year-plus']),
      maxRoutineInspections: z.literal(1).optional(),
    })
    .nullable(),
  routineInspections: z.number(),
  plannedManDays: z.number(),
  remainingManDays: z.number().nullable(),
  withinCap: z.boolean().nullable(),
});

/** An inspection in its viewer's view: the state's view stops at createdAt. */
export const InspectionReply = z.object({
  id: z.string(),
  type: z.enum(INSPECTION_TYPES),
  purpose: z.string(),
  noticeRule: z.string(),
  noticeBasis: ProvisionBasisReply.optional(),
  facility: z.string(),
  state: z.string(),
  mbas: z.array(z.string()).readonly(),
  participants: z.array(z.string()).readonly(),
  startsAt: z.string(),
  noticeGivenAt: z.string().nullable(),
  arrivedAt: z.string().nullable(),
  status: z.enum(['scheduled', 'in-progress']),
  createdAt: z.string(),
  /** Inspectorate view only. */
  facilityKind: z.enum(FACILITY_KINDS).optional(),
  terms: z
    .object({
      forTransfer: z.boolean().optional(),
      combinedWithInspection: z.boolean().optional(),
      consultationAt: z.string().optional(),
      agreedNoticeHours: z.number().optional(),
    })
    .optional(),
  requiredNoticeHours: z.number().optional(),
  plannedManDays: z.number().optional(),
  activities: z.array(assignmentReply).readonly().optional(),
  effort: EffortReply.optional(),
});

/** A stratum's recorded items, the per-item tests and the D statistic. */
export const StratumReply = z.object({
  stratum: z.string(),
  mba: z.string().nullable(),
  activity: z.string(),
  recordedBy: z.array(z.string()).readonly(),
  population: z.number(),
  operator: methodErrors,
  inspector: methodErrors,
  goalQuantity: z.number().nullable(),
  samplingPlanId: z.string().nullable(),
  items: z
    .array(
      z.object({
        itemId: z.string(),
        declared: z.number(),
        measured: z.number().nullable().optional(),
        present: z.boolean().nullable().optional(),
        sealIntact: z.boolean().nullable().optional(),
        recordedOrg: z.string(),
      }),
    )
    .readonly(),
  itemTests: z
    .array(z.object({ id: z.string(), difference: z.number(), sigma: z.number(), significant: z.boolean() }))
    .readonly(),
  dStatistic: z
    .object({
      D: z.number(),
      measurementVariance: z.number(),
      samplingVariance: z.number(),
      variance: z.number(),
      sigma: z.number(),
      significant: z.boolean(),
    })
    .nullable(),
  findings: z.array(z.string()).readonly(),
});

/** A finding of an inspection (from verification or entered by hand) and the case it opened. */
export const FindingReply = z.object({
  id: z.string(),
  inspection: z.string(),
  key: z.string(),
  type: z.string(),
  severity,
  stratum: z.string().nullable(),
  items: z.array(z.string()).readonly(),
  mbas: z.array(z.string()).readonly(),
  value: z.number().nullable(),
  sigma: z.number().nullable(),
  description: z.string(),
  source: z.enum(['verification', 'manual']),
  caseId: z.string().nullable(),
  createdAt: z.string(),
});

/** The statement one inspectorate signs (domain/inspections/statement.ts). */
export const StatementReply = z.object({
  v: z.literal(1),
  type: z.literal('custos/inspection-statement'),
  inspection: z.string(),
  inspectorate: z.string(),
  state: z.string(),
  facility: z.string(),
  mbas: z.array(z.string()).readonly(),
  inspectionType: z.enum(INSPECTION_TYPES),
  startsAt: z.string(),
  activities: z.array(assignmentReply).readonly(),
  findings: z
    .array(
      z.object({
        id: z.string(),
        type: z.string(),
        severity: z.string(),
        items: z.array(z.string()).readonly(),
        mbas: z.array(z.string()).readonly(),
      }),
    )
    .readonly(),
  conclusion: z.string(),
  signedAt: z.string(),
});

const signedStatementFields = {
  inspection: z.string(),
  organisation: z.string(),
  statement: StatementReply,
  signature: z.string(),
  keyId: z.string(),
  receivedAt: z.string(),
};

/** 201 of POST /api/inspections/:id/statements: the accepted statement and its log index. */
export const SubmittedStatementReply = z.object({
  ...signedStatementFields,
  publicKey: z.string(),
  logIndex: z.number(),
});

/** GET /api/inspections/:id/statements: all that is needed to verify each one offline. */
export const ListedStatementReply = z.object({
  ...signedStatementFields,
  signedBytes: z.string(),
  publicKey: z.string().nullable(),
  logIndex: z.number().nullable(),
  origin: z
    .string()
    .nullable()
    .describe(
      "the log origin of the node that forwarded this statement (decision 0044); null: this node's own",
    ),
});

/** POST /api/sampling-plans: the plan, and the logged draw when item ids were given. */
export const SamplingPlanReply = z.object({
  sampleSize: z.number(),
  defectsToDetect: z.number(),
  method: z.enum(['attribute', 'nda-variables', 'da-variables']),
  detectionProbability: z.number(),
  id: z.string().optional(),
  sample: z.array(z.string()).readonly().optional(),
  seed: z.string().optional(),
  logIndex: z.number().optional(),
  inspectionId: z.string().nullable().optional(),
});

/** GET /api/sampling-plans/:id: a logged draw with the item ids it was drawn from. */
export const SamplingDrawReply = SamplingPlanReply.extend({ itemIds: z.array(z.string()) });

/** An inspector designation and its answer (INFCIRC/153 para 85). */
export const DesignationReply = z.object({
  id: z.string(),
  inspectorate: z.string(),
  state: z.string(),
  inspector: z.string(),
  receivedOn: z.string(),
  answerDueOn: z.string(),
  status: z.enum(['pending', 'accepted', 'rejected', 'unanswered']),
  decidedOn: z.string().nullable(),
  lateAnswer: z.boolean(),
  designated: z.boolean(),
});
