import { z } from 'zod';
import { COMPATIBILITY_STATUSES, INSTITUTIONS, REVIEW_STEPS } from '../../domain/legal/index.js';

/*
 * What the compatibility routes answer (services/legal/compatibility.ts), so the OpenAPI document
 * — and the browser's generated wire types — say it (docs/decisions/0013).
 */
const status = z.enum(COMPATIBILITY_STATUSES);
const rowStatus = z.enum([...COMPATIBILITY_STATUSES, 'not-reviewed']);

export const DomesticReply = z.object({
  act: z.string(),
  section: z.string(),
  text: z.string(),
  inForceFrom: z.string().optional(),
  inForceTo: z.string().optional(),
  institution: z.enum(INSTITUTIONS).optional(),
});

export const EntryReply = z.object({
  state: z.string(),
  provision: z.string(),
  version: z.number(),
  status,
  domestic: DomesticReply.nullable(),
  note: z.string().nullable(),
  evidence: z.string().nullable(),
  step: z.number().nullable(),
  at: z.string(),
  by: z.string(),
});

const ProvisionReply = z.object({ ref: z.string(), instrument: z.string(), text: z.string() });

const MatrixRowReply = z.object({
  provision: ProvisionReply,
  status: rowStatus,
  entry: EntryReply.nullable(),
});

const SummaryReply = z.object({
  implemented: z.number(),
  partial: z.number(),
  missing: z.number(),
  conflicting: z.number(),
  'not-reviewed': z.number(),
});

export const MatrixReply = z.object({
  state: z.string(),
  rows: z.array(MatrixRowReply),
  gaps: z.array(MatrixRowReply),
  summary: SummaryReply,
});

const StepBodyReply = z.object({
  v: z.literal(1),
  type: z.literal('custos/compatibility-step'),
  state: z.string(),
  provision: z.string(),
  seq: z.number(),
  step: z.enum(REVIEW_STEPS),
  status: status.optional(),
  domestic: DomesticReply.optional(),
  adoptedOn: z.string().optional(),
  note: z.string().optional(),
});

export const StepReply = z.object({
  seq: z.number(),
  step: z.enum(REVIEW_STEPS),
  signed: z.string().describe('the exact signed bytes (UTF-8 JSON): verify the signature over them'),
  body: StepBodyReply,
  keyId: z.string(),
  signature: z.string(),
  organisation: z.string(),
  at: z.string(),
  by: z.string(),
});

export const EntryViewReply = z.object({
  state: z.string(),
  provision: ProvisionReply,
  status: rowStatus,
  entry: EntryReply.nullable(),
  versions: z.array(EntryReply),
  steps: z.array(StepReply),
});

export const WrittenReply = z.object({
  entry: EntryReply,
  logIndex: z.number(),
  recordId: z.string(),
  receiptUrl: z.string(),
});

export const StepWrittenReply = z.object({
  step: StepReply,
  entry: EntryReply.nullable(),
  logIndex: z.number(),
  recordId: z.string(),
  receiptUrl: z.string(),
});

export const HarmonizationReply = z.object({
  provision: ProvisionReply,
  rows: z.array(z.object({ state: z.string(), status: rowStatus, entry: EntryReply.nullable() })),
  summary: SummaryReply,
});
