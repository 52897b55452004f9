import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALARM_CODES } from '../../domain/accounting/index.js';
import { REGISTRY_CODE, STATE_CODE } from '../../domain/registry/index.js';
import { ELEMENT_CODES } from '../../domain/reports/index.js';
import {
  ALARM_SORT_FIELDS,
  type EvaluationService,
  TRANSFER_SORT_FIELDS,
} from '../../services/evaluation/index.js';
import { requirePrincipal } from '../auth.js';
import { BalancesReply, StateEvaluationReply } from './evaluation.replies.js';
import { pageOf, pageQuery, pageRequest } from './paging.js';

const TRANSFER_STATUSES = ['matched', 'unmatched', 'discrepant', 'pending'] as const;

/** One alarm as listed (services/evaluation AlarmView). */
const AlarmItem = z.object({
  key: z.string(),
  code: z.enum(ALARM_CODES),
  state: z.string(),
  mba: z.string(),
  element: z.enum(ELEMENT_CODES).nullable(),
  date: z.string().describe('the PIT closing the balance, or the transfer date'),
  from: z.string().nullable(),
  ref: z.string().nullable(),
});

/** One side of a transfer: whole within the caller's scope, else only the other state's code. */
const TransferSide = z.union([
  z.object({
    id: z.string(),
    state: z.string(),
    mba: z.string(),
    code: z.string(),
    batch: z.string(),
    element: z.enum(ELEMENT_CODES),
    date: z.string(),
    weight: z.number().describe('grams'),
    notice: z.string().nullable(),
    counterpart: z.unknown(),
  }),
  z.object({ state: z.string() }),
]);

/** One transfer as listed (services/evaluation TransferView); SRD and σ in grams. */
const TransferItem = z.object({
  status: z.enum(TRANSFER_STATUSES),
  batch: z.string().optional(),
  shipment: TransferSide.nullable(),
  receipt: TransferSide.nullable(),
  srd: z.number().nullable(),
  sigma: z.number().nullable(),
  deadline: z.string().nullable(),
});

/** The evaluation engine: balances with their statistics, alarms, transfers, annual summary. */
export function registerEvaluationRoutes(app: FastifyInstance, svc: EvaluationService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const tags = ['evaluation'];
  r.get(
    '/api/mbas/:code/balances',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ code: z.string().regex(REGISTRY_CODE) }),
        querystring: z.strictObject({ element: z.enum(ELEMENT_CODES).optional() }),
        response: { 200: BalancesReply },
      },
    },
    async (req) => svc.balances(requirePrincipal(req), req.params.code, req.query.element),
  );
  r.get(
    '/api/alarms/summary',
    {
      config: user,
      schema: {
        tags,
        response: {
          200: z.object({
            total: z.number().int(),
            states: z.array(
              z.object({
                state: z.string(),
                total: z.number().int(),
                codes: z.record(z.string(), z.number().int()).describe('alarms per code'),
              }),
            ),
          }),
        },
      },
    },
    async (req) => svc.alarmSummary(requirePrincipal(req)),
  );
  r.get(
    '/api/alarms',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({
          state: z.string().regex(STATE_CODE).optional(),
          mba: z.string().regex(REGISTRY_CODE).optional(),
          code: z.enum(ALARM_CODES).optional(),
          ...pageQuery(ALARM_SORT_FIELDS),
        }),
        response: { 200: pageOf(AlarmItem) },
      },
    },
    async (req) => {
      const { state, mba, code } = req.query;
      return svc.alarms(requirePrincipal(req), { state, mba, code }, pageRequest(req.query));
    },
  );
  r.get(
    '/api/transfers',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({
          state: z.string().regex(STATE_CODE).optional(),
          status: z.enum(TRANSFER_STATUSES).optional(),
          ...pageQuery(TRANSFER_SORT_FIELDS),
        }),
        response: { 200: pageOf(TransferItem) },
      },
    },
    async (req) => {
      const { state, status } = req.query;
      return svc.transfers(requirePrincipal(req), { state, status }, pageRequest(req.query));
    },
  );
  r.get(
    '/api/states/:code/evaluation',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ code: z.string().regex(STATE_CODE) }),
        querystring: z.strictObject({ year: z.coerce.number().int().min(1970).max(2200) }),
        response: { 200: StateEvaluationReply },
      },
    },
    async (req) => svc.summary(requirePrincipal(req), req.params.code, req.query.year),
  );
}
