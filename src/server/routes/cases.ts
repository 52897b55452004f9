import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CASE_KINDS, CASE_STATUSES } from '../../domain/cases/index.js';
import { isProvisionRef } from '../../domain/legal/index.js';
import { DEVICE_ALARM_CODES } from '../../domain/monitoring/index.js';
import { ELEMENT_CODES } from '../../domain/reports/index.js';
import type { CaseService } from '../../services/cases/index.js';
import { requirePrincipal } from '../auth.js';
import { CaseListReply, CaseViewReply } from './cases.replies.js';

const code = z.string().min(1).max(64);
const about = z.strictObject({
  report: code.optional(),
  lines: z.array(z.number().int().min(1)).max(10_000).optional(),
  transfer: z.string().min(1).max(200).optional(),
  period: z.strictObject({ from: z.iso.date(), to: z.iso.date() }).optional(),
  element: z.string().min(1).max(8).optional(),
  inspection: code.optional(),
  finding: z.string().min(1).max(200).optional(),
  obligation: z.string().min(1).max(200).optional(),
  seal: z.string().min(1).max(200).optional(),
  provision: z.string().refine(isProvisionRef, 'a provision ref of the legal register').optional(),
});
const stateCode = z.string().regex(/^[A-Z]{2}$/);
const ref = z.string().min(1).max(200);
/** The alarm a case is about (domain/cases CaseAlarm): its key makes the case one per cause. */
const cause = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('balance'),
    test: z.enum(['muf-3sigma', 'muf-sq', 'item-muf']),
    state: stateCode,
    mba: code,
    element: z.enum(ELEMENT_CODES),
    pit: z.iso.date(),
  }),
  z.strictObject({
    source: z.literal('sequence'),
    test: z.enum(['cumuf-sq', 'page']),
    state: stateCode,
    mba: code,
    element: z.enum(ELEMENT_CODES),
    pit: z.iso.date().describe('the PIT at which the sequence alarm first fired'),
  }),
  z.strictObject({ source: z.literal('srd'), state: stateCode, transfer: ref }),
  z.strictObject({ source: z.literal('transfer-unmatched'), state: stateCode, transfer: ref }),
  z.strictObject({
    source: z.literal('notice'),
    finding: z.enum(['missing', 'late']),
    state: stateCode,
    transfer: ref,
  }),
  z.strictObject({
    source: z.literal('deadline'),
    status: z.enum(['late', 'missing']),
    state: stateCode,
    obligation: ref,
  }),
  z.strictObject({
    source: z.literal('seal'),
    event: z.enum(['tamper', 'gap']),
    state: stateCode,
    seal: ref,
    since: ref,
  }),
  z.strictObject({ source: z.literal('verification'), state: stateCode, inspection: code, finding: ref }),
  z.strictObject({
    source: z.literal('compatibility'),
    state: stateCode,
    provision: z.string().refine(isProvisionRef, 'a provision ref of the legal register'),
  }),
  z.strictObject({
    source: z.literal('device'),
    code: z.enum(DEVICE_ALARM_CODES),
    state: stateCode,
    device: ref,
    at: ref.describe("the time of the alarm's cause"),
  }),
  z.strictObject({
    source: z.literal('declaration'),
    check: z.enum(['annex-ii', 'source-material']),
    finding: z.enum(['unmatched', 'discrepant']),
    state: stateCode,
    item: ref,
  }),
  z.strictObject({
    source: z.literal('split-view'),
    state: stateCode,
    origin: ref.describe('the origin of the log seen split'),
    splitView: ref.describe('the split view (GET /api/federation/split-views)'),
  }),
]);
const OpenSchema = z.strictObject({
  kind: z.enum(CASE_KINDS),
  state: z.string().regex(/^[A-Z]{2}$/),
  mba: code.optional(),
  title: z.string().trim().min(1).max(300),
  about: about.optional(),
  note: z.string().max(20_000).optional(),
  cause: cause.optional(),
});
const TransitionSchema = z.strictObject({
  to: z.enum(CASE_STATUSES),
  note: z.string().max(20_000).optional(),
  dueDate: z.iso.date().optional(),
  internal: z.boolean().optional(),
  linkedReport: code.optional(),
  signature: z
    .strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/), signature: z.string().min(80).max(100) })
    .optional(),
});
const MessageSchema = z.strictObject({
  text: z.string().max(20_000),
  internal: z.boolean().optional(),
  attachments: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(500),
        contentType: z.string().min(1).max(100),
        // 5 MiB of bytes is at most 6 990 508 base64 characters; larger is refused before decoding.
        data: z.string().max(7_000_000),
      }),
    )
    .max(20)
    .optional(),
});
const ListSchema = z.strictObject({
  state: z.string().max(8).optional(),
  mba: code.optional(),
  kind: z.enum(CASE_KINDS).optional(),
  status: z.enum(CASE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
const IdParams = z.object({ id: z.string().min(1).max(100) });

/** Cases (cases issue): thin routes; policy and workflow live in the case service. */
export function registerCaseRoutes(app: FastifyInstance, svc: CaseService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const user = { auth: 'user' as const };
  const tags = ['cases'];

  r.get(
    '/api/cases',
    { config: user, schema: { tags, querystring: ListSchema, response: { 200: CaseListReply } } },
    async (req) => svc.list(requirePrincipal(req), req.query),
  );
  r.post(
    '/api/cases',
    {
      config: user,
      schema: {
        tags,
        description:
          'Opens a case. With a `cause` (the alarm it is about) there is one case per cause: 201 when this ' +
          'call opened it, 200 with the case already open for that cause.',
        body: OpenSchema,
        response: { 200: CaseViewReply, 201: CaseViewReply },
      },
    },
    async (req, reply) => {
      const { case: c, created } = await svc.open(requirePrincipal(req), req.body);
      return reply.status(created ? 201 : 200).send(c);
    },
  );
  r.get(
    '/api/cases/:id',
    { config: user, schema: { tags, params: IdParams, response: { 200: CaseViewReply } } },
    async (req) => svc.get(requirePrincipal(req), req.params.id),
  );
  r.post(
    '/api/cases/:id/transitions',
    {
      config: user,
      schema: { tags, params: IdParams, body: TransitionSchema, response: { 200: CaseViewReply } },
    },
    async (req) => svc.transition(requirePrincipal(req), req.params.id, req.body),
  );
  r.post(
    '/api/cases/:id/messages',
    {
      config: user,
      schema: { tags, params: IdParams, body: MessageSchema, response: { 201: CaseViewReply } },
    },
    async (req, reply) =>
      reply.status(201).send(await svc.postMessage(requirePrincipal(req), req.params.id, req.body)),
  );
  r.get(
    '/api/cases/:id/attachments/:hash',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ id: z.string().min(1).max(100), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
      },
    },
    async (req, reply) => {
      const a = await svc.getAttachment(requirePrincipal(req), req.params.id, req.params.hash);
      return reply
        .type(a.contentType)
        .header('content-disposition', `attachment; filename="${a.name.replace(/[^\x20-\x7e]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(a.bytes));
    },
  );
}
