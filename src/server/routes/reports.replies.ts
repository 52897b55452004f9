import { z } from 'zod';
import { DETAIL_CODES } from '../../domain/errors.js';
import { ELEMENT_CODES, REPORT_TYPES } from '../../domain/reports/index.js';

/*
 * What the report routes answer (services/reports/queries.ts), so the OpenAPI document — and the
 * browser's generated wire types — say it (docs/decisions/0013). A response schema is what the
 * reply is serialised with: each lists every field its service answers.
 */
const reportType = z.enum(REPORT_TYPES);

/** GET /api/reports: a report's header in the list. */
export const ReportSummaryReply = z.object({
  id: z.string(),
  state: z.string(),
  mba: z.string(),
  type: reportType,
  reportNumber: z.number().int(),
  reportDate: z.string(),
  period: z.object({ from: z.string(), to: z.string().nullable() }).optional(),
  pit: z.string().optional(),
  lineCount: z.number().int(),
  submittedAt: z.string(),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
});

/** A problem found in a submission (the error envelope's details, practice mode's lists). */
export const ProblemReply = z.object({
  line: z.number().int().optional(),
  field: z.string().optional(),
  code: z.enum(DETAIL_CODES),
  /** Which of the code's checks found it, when it has more than one (decision 0052). */
  rule: z.string().optional(),
  /** The English wording, for API and CLI readers. */
  message: z.string(),
  /** The particulars the message is written from, as src/domain/particulars.ts names them. */
  values: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string()).readonly()])).optional(),
});

/** 201 of POST /api/reports: the receipt of an accepted report. */
export const AcceptedReply = z.object({
  id: z.string(),
  status: z.literal('accepted'),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
  warnings: z.array(ProblemReply),
});

/** GET /api/rejections: the fact of a refusal, with what could be read of the report. */
export const RejectionReply = z.object({
  id: z.string(),
  state: z.string().nullable(),
  mba: z.string().nullable(),
  type: z.string().nullable(),
  reportNumber: z.number().int().nullable(),
  bodySha256: z.string(),
  codes: z.array(z.string()),
  details: z.array(z.unknown()),
  submittedAt: z.string(),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
  /** Refusals counted past the hourly quota and logged as this one record (decision 0023). */
  summary: z
    .object({ count: z.number().int(), from: z.string().nullable() })
    .optional()
    .describe(
      'present when this record sums refusals counted past the hour’s quota; bodySha256 chains their bodies',
    ),
});

const lineRef = z.object({ reportNumber: z.number().int(), line: z.number().int().optional() });

/** An ICR line as the lines list shows it: in grams, with the report that carried it. */
const AccountLineReply = z.object({
  line: z.number().int(),
  date: z.string(),
  code: z.string(),
  batch: z.string().nullable(),
  kmp: z.string().nullable(),
  element: z.enum(ELEMENT_CODES),
  weight: z.number(),
  fissileWeight: z.number().optional(),
  isotope: z.string().optional(),
  basis: z.string().optional(),
  form: z.string().optional(),
  counterpart: z.object({ state: z.string(), mba: z.string().optional() }).optional(),
  notice: z.string().optional(),
  corrects: lineRef.optional(),
  deletes: lineRef.optional(),
  reportNumber: z.number().int(),
  reportId: z.string(),
  submittedAt: z.string(),
  submittedBy: z.string(),
});

/** GET /api/mbas/:code/lines: one page of lines. */
export const MbaLinesReply = z.object({
  mba: z.string(),
  effective: z.boolean(),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  lines: z.array(AccountLineReply),
});

/** GET /api/mbas/:code/corrections: a page of corrected or deleted originals, each with its history. */
export const MbaCorrectionsReply = z.object({
  mba: z.string(),
  total: z.number().int().describe('originals later corrected or deleted, over all pages'),
  limit: z.number().int(),
  offset: z.number().int(),
  items: z.array(
    z.object({
      origin: z.object({ reportNumber: z.number().int(), line: z.number().int() }),
      deleted: z.boolean().describe('the last revision deleted it'),
      history: z
        .array(AccountLineReply)
        .describe('the original, then every line that corrected or deleted it, in effective order'),
    }),
  ),
});

/** The provision a deadline or notice rule comes from (issue 19, decision 0031). */
export const ProvisionBasisReply = z
  .object({ ref: z.string(), instrument: z.string(), version: z.number().int() })
  .describe('the provision the rule comes from: its ref, instrument and version');

const ObligationReply = z.object({
  id: z.string(),
  type: reportType,
  mba: z.string(),
  agreement: z.string(),
  month: z.string().optional(),
  pit: z.string().optional(),
  reference: z.string().optional(),
  dueDate: z.string(),
  basis: ProvisionBasisReply,
  status: z.enum(['upcoming', 'met', 'late', 'missing']),
  daysLate: z.number().int().optional(),
  daysOverdue: z.number().int().optional(),
  daysRemaining: z.number().int().optional(),
  submittedAt: z.string().optional(),
  acceptedAt: z.string().optional(),
  rejectedAttempts: z.number().int(),
});

/** GET /api/states/:code/timeliness: the state's obligations and how many are in each status. */
export const TimelinessReply = z.object({
  state: z.string(),
  today: z.string(),
  counts: z
    .object({
      upcoming: z.number().int(),
      met: z.number().int(),
      late: z.number().int(),
      missing: z.number().int(),
    })
    .describe('every obligation of the state, by status'),
  total: z.number().int().describe('the obligations the filters select'),
  limit: z.number().int(),
  offset: z.number().int(),
  obligations: z.array(ObligationReply).describe('a page of them'),
  declarations: z
    .object({
      agreement: z.string().describe('the Additional Protocol in force that creates them'),
      counts: z.object({
        upcoming: z.number().int(),
        met: z.number().int(),
        late: z.number().int(),
        missing: z.number().int(),
      }),
      obligations: z.array(
        z.object({
          id: z.string(),
          article: z.string(),
          kind: z.enum(['initial', 'annual', 'quarterly']),
          agreement: z.string(),
          ref: z.string().describe('the provision the deadline comes from'),
          period: z.object({ from: z.string(), to: z.string() }).optional(),
          dueDate: z.string(),
          status: z.enum(['upcoming', 'met', 'late', 'missing']),
          daysLate: z.number().int().optional(),
          daysOverdue: z.number().int().optional(),
          daysRemaining: z.number().int().optional(),
          submittedAt: z.string().optional(),
          declarationId: z.string().optional(),
        }),
      ),
    })
    .nullable()
    .describe(
      'Additional Protocol declarations owed under Article 3; null without a Protocol in force, or for a caller its Protocol does not open the declarations to',
    ),
});
