import { z } from 'zod';
import { ATTACHMENT_TYPES, CASE_KINDS, CASE_STATUSES, DECISION_STATUSES } from '../../domain/cases/index.js';

/*
 * What the case routes answer (CaseSummary / CaseView of the case service), so the OpenAPI
 * document — and the browser's generated wire types — say it (docs/decisions/0013).
 */
const status = z.enum(CASE_STATUSES);

const CaseAboutReply = z.object({
  report: z.string().optional(),
  lines: z.array(z.number()).readonly().optional(),
  transfer: z.string().optional(),
  period: z.object({ from: z.string(), to: z.string() }).optional(),
  element: z.string().optional(),
  inspection: z.string().optional(),
  finding: z.string().optional(),
  obligation: z.string().optional(),
  seal: z.string().optional(),
  provision: z.string().optional(),
  declaration: z.string().optional(),
  alarm: z.record(z.string(), z.string()).optional(),
});

export const CaseSummaryReply = z.object({
  id: z.string(),
  key: z.string().nullable(),
  kind: z.enum(CASE_KINDS),
  state: z.string(),
  mba: z.string().nullable(),
  inspectorate: z.string(),
  sharedWith: z.array(z.string()).readonly(),
  title: z.string(),
  about: CaseAboutReply,
  status,
  dueDate: z.string().nullable(),
  overdue: z.boolean(),

  openedAt: z.string(),
  updatedAt: z.string(),
});

const CaseEventReply = z.object({
  type: z.enum(['opened', 'transition', 'note']),
  seq: z.number(),
  at: z.string(),
  by: z.string(),
  actorKind: z.enum(['inspectorate', 'state']),
  actorOrg: z.string().nullable(),
  from: status.optional(),
  to: status.optional(),
  dueDate: z.string().optional(),
  note: z.object({ text: z.string(), internal: z.boolean() }).optional(),
  attachments: z
    .array(
      z.object({
        hash: z.string(),
        name: z.string(),
        contentType: z.enum(ATTACHMENT_TYPES),
        size: z.number(),
      }),
    )
    .readonly()
    .optional(),
  linkedReport: z.string().optional(),
  /** A decision's Ed25519 signature by a key of the owning inspectorate. */
  signature: z.object({ keyId: z.string(), signature: z.string() }).optional(),
});

export const CaseViewReply = CaseSummaryReply.extend({
  history: z.array(CaseEventReply).readonly(),
  decision: z
    .object({
      status: z.enum(DECISION_STATUSES),
      seq: z.number(),
      attestation: z.enum(['signature', 'log-commitment']),
    })
    .nullable(),
});

export const CaseListReply = z.object({
  items: z.array(CaseSummaryReply),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});
