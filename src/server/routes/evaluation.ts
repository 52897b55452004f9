import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALARM_CODES } from '../../domain/accounting/index.js';
import { REGISTRY_CODE, STATE_CODE } from '../../domain/registry/index.js';
import { ELEMENT_CODES } from '../../domain/reports/index.js';
import type { EvaluationService } from '../../services/evaluation/index.js';
import { requirePrincipal } from '../auth.js';

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
      },
    },
    async (req) => svc.balances(requirePrincipal(req), req.params.code, req.query.element),
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
        }),
      },
    },
    async (req) => svc.alarms(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/transfers',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({
          state: z.string().regex(STATE_CODE).optional(),
          status: z.enum(['matched', 'unmatched', 'discrepant', 'pending']).optional(),
        }),
      },
    },
    async (req) => svc.transfers(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/states/:code/evaluation',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ code: z.string().regex(STATE_CODE) }),
        querystring: z.strictObject({ year: z.coerce.number().int().min(1970).max(2200) }),
      },
    },
    async (req) => svc.summary(requirePrincipal(req), req.params.code, req.query.year),
  );
}
