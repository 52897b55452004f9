import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REGISTRY_CODE } from '../../domain/registry/index.js';
import type { MonitoringService } from '../../services/monitoring/index.js';
import { requirePrincipal } from '../auth.js';

const tags = ['monitoring'];
const user = { auth: 'user' as const };
const params = z.object({ code: z.string().regex(REGISTRY_CODE, 'letters, digits, ".", "_" or "-" (1-64)') });
const isoTime = z.iso.datetime({ offset: true });

const ActivityBody = z.strictObject({
  containment: z.string().min(1).max(100).describe('the containment as its devices name it'),
  from: isoTime,
  to: isoTime.describe('after from, at most 31 days later'),
  description: z.string().trim().min(1).max(2000).describe('what the operator will do there'),
});

const ActivityReply = z.object({
  id: z.string(),
  state: z.string(),
  facility: z.string(),
  containment: z.string(),
  from: z.string(),
  to: z.string(),
  description: z.string(),
  declaredAt: z.string(),
  declaredBy: z.string(),
  logIndex: z.number().int(),
});

/** A state's declared activities at a facility's containments (issue 18 §5). */
export function registerActivityRoutes(app: FastifyInstance, m: MonitoringService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/facilities/:code/activities',
    {
      config: user,
      schema: {
        tags,
        summary: 'The state declares an activity at a containment (its submitters and administrators)',
        description:
          'A logged record. Camera triggers at the containment inside [from, to) while its seal is open raise no CAMERA_UNDECLARED in batches judged from then on. 400 VALIDATION_FAILED when to is not after from or more than 31 days later.',
        params,
        body: ActivityBody,
        response: { 201: ActivityReply },
      },
    },
    async (req, reply) => {
      const a = await m.activities.declare(requirePrincipal(req), req.params.code, req.body);
      return reply.status(201).send(a);
    },
  );
  r.get(
    '/api/facilities/:code/activities',
    {
      config: user,
      schema: {
        tags,
        summary: "The activities declared at a facility, latest first (the state's data)",
        params,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000)'),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('rows to skip'),
        }),
        response: {
          200: z.object({
            items: z.array(ActivityReply),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }),
        },
      },
    },
    async (req) => m.activities.list(requirePrincipal(req), req.params.code, req.query),
  );
}
