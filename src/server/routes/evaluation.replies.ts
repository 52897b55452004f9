import { z } from 'zod';
import { ALARM_CODES, CONCLUSION_REASON_CODES } from '../../domain/accounting/index.js';
import { ELEMENT_CODES } from '../../domain/reports/index.js';

/*
 * What GET /api/mbas/:code/balances and GET /api/states/:code/evaluation answer
 * (services/evaluation/balances.ts createBalances, summary.ts → domain summariseState), so the
 * OpenAPI document — and the browser's generated wire types — say it (docs/decisions/0013).
 * A response schema is what the reply is serialised with: each lists every field its service
 * answers (an object schema drops keys it does not name), and numbers are plain numbers.
 */
const element = z.enum(ELEMENT_CODES);
const alarmCode = z.enum(ALARM_CODES);
const grams = z.record(z.string(), z.number());

/** Balance lines in grams (domain/accounting BalanceGrams). */
const BalanceGramsReply = z.object({
  pb: z.number(),
  increases: grams.describe('grams per inventory change code'),
  decreases: grams.describe('grams per inventory change code'),
  be: z.number(),
  srd: z.number(),
  bea: z.number(),
  pe: z.number(),
  muf: z.number(),
});

/** One material balance period of one element; every figure in grams. */
const BalancePeriodReply = BalanceGramsReply.extend({
  from: z.string(),
  to: z.string(),
  sigmaMuf: z.number(),
  sitmuf: z.number().nullable().describe('null when the balance has no variance at all'),
  cumuf: z.number(),
  page: z.number(),
  alarms: z.array(alarmCode).readonly(),
  fissile: BalanceGramsReply.describe('the same balance counted on the fissile isotope'),
});

const lineRef = z.object({ reportNumber: z.number().int(), line: z.number().int() });

/** An ICR correction the effective view could not place (domain/accounting OrphanCorrection). */
const OrphanReply = z.object({
  line: z.object({
    line: z.number().int(),
    date: z.string(),
    code: z.string(),
    batch: z.string(),
    kmp: z.string(),
    element,
    weightMg: z.number(),
    fissileMg: z.number().optional(),
    isotope: z.string().optional(),
    basis: z.string().optional(),
    form: z.string().optional(),
    counterpart: z.object({ state: z.string(), mba: z.string().optional() }).optional(),
    notice: z.string().optional(),
    corrects: lineRef.optional(),
    deletes: lineRef.optional(),
    reportNumber: z.number().int(),
    acceptedSeq: z.number().int().optional(),
  }),
  reason: z.enum(['TARGET_UNKNOWN', 'DUPLICATE_LINE']),
});

/** GET /api/mbas/:code/balances: the balances of one element (the first, or the one asked). */
export const BalancesReply = z.object({
  mba: z.string(),
  element: element.nullable(),
  category: z.enum(['PU', 'HEU', 'LEU', 'NATURAL', 'DEPLETED', 'THORIUM', 'U233']).nullable(),
  significantQuantity: z
    .object({
      category: z.enum(['PU', 'HEU', 'LEU', 'NATURAL', 'DEPLETED', 'THORIUM', 'U233']),
      basis: z.enum(['element', 'fissile']),
      mg: z.number().describe('one significant quantity in milligrams'),
    })
    .nullable(),
  timelinessMonths: z.number().int().nullable(),
  page: z.object({ k: z.number(), h: z.number() }),
  sigmaModel: z.string(),
  elements: z.array(element).readonly().describe('every element the MBA accounts for'),
  periods: z.array(BalancePeriodReply).readonly(),
  orphans: z.array(OrphanReply).readonly(),
});

/** GET /api/states/:code/evaluation: a state's year and the draft conclusion (domain StateSummary). */
export const StateEvaluationReply = z.object({
  state: z.string(),
  year: z.number().int(),
  mbas: z.number().int(),
  balancesClosed: z.number().int().describe('balance periods (MBA × element) closed by a PIT in the year'),
  muf: z.object({ total: z.number().describe('milligrams') }),
  alarms: z.record(alarmCode, z.number().int()).describe('alarms of the year per code'),
  openAlarms: z
    .array(
      z.object({
        key: z.string(),
        mba: z.string(),
        element: element.optional(),
        date: z.string(),
        code: alarmCode,
      }),
    )
    .readonly(),
  timeliness: z.object({
    due: z.number().int(),
    onTime: z.number().int(),
    late: z.number().int(),
    missing: z.number().int(),
  }),
  declarations: z
    .object({
      agreement: z.string().describe('the Additional Protocol in force that creates them'),
      due: z.number().int(),
      onTime: z.number().int(),
      late: z.number().int(),
      missing: z.number().int(),
    })
    .nullable()
    .describe(
      'Article 3 declarations due in the year; null without a Protocol in force or when it does not open them to the caller',
    ),
  transfers: z.object({
    matched: z.number().int(),
    pending: z.number().int(),
    unmatched: z.number().int(),
    discrepant: z.number().int(),
  }),
  conclusion: z.object({
    category: z.enum([
      'ALL_MATERIAL_PEACEFUL',
      'DECLARED_MATERIAL_PEACEFUL',
      'ITEMS_PEACEFUL',
      'VOLUNTARY_OFFER',
      'NOT_DRAWN',
    ]),
    statement: z.string(),
    reasons: z.array(z.string()).readonly(),
    reasonCodes: z
      .array(
        z.object({
          code: z.enum(CONCLUSION_REASON_CODES),
          count: z.number().int().optional(),
          year: z.number().int().optional(),
        }),
      )
      .readonly()
      .describe('the reasons as codes with the count or year each names (the browser words them)'),
  }),
});
