import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { BATCH_LIMITS, DEVICE_ID, DEVICE_KINDS, DEVICE_STATUSES } from '../../domain/monitoring/index.js';
import { REGISTRY_CODE } from '../../domain/registry/index.js';
import { EVENT_CURSOR, type MonitoringService } from '../../services/monitoring/index.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';
import { registerActivityRoutes } from './activities.js';
import { pageOf } from './paging.js';

const tags = ['monitoring'];
const user = { auth: 'user' as const };
const code = z.string().regex(REGISTRY_CODE, 'letters, digits, ".", "_" or "-" (1-64)');
const deviceId = z.string().regex(DEVICE_ID, 'letters, digits, ".", "_" or "-" (1-64), no "/"');
const isoTime = z.iso.datetime({ offset: true });
/** A problem's or an alarm's particulars (src/domain/particulars.ts, decision 0052). */
const Values = z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string()).readonly()]));
const params = z.object({ id: deviceId });
const window = {
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000)'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('rows to skip'),
};

const DeviceBody = z.strictObject({
  id: deviceId,
  kind: z.enum(DEVICE_KINDS),
  facility: code,
  kmp: z
    .string()
    .regex(/^[A-Za-z0-9]{1,8}$/, '1-8 letters or digits')
    .optional(),
  containment: z.string().min(1).max(100).optional(),
  owners: z.array(code).min(1).max(10),
  // No joint use at registration (issue 18 §6, decision 0063): it is granted afterwards by a
  // logged change citing the agreement under which the owners grant it.
  publicKey: z.string().min(40).max(60).describe('base64 of the raw 32-byte Ed25519 public key'),
  heartbeatSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
});

const DeviceReply = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  facility: z.string(),
  state: z.string(),
  kmp: z.string().nullable(),
  containment: z.string().nullable(),
  owners: z.array(z.string()),
  jointUse: z.array(z.string()),
  publicKey: z.string(),
  keyId: z.string(),
  heartbeatSeconds: z.number().int(),
  status: z.enum(DEVICE_STATUSES),
  registeredAt: z.string(),
  lastSeq: z.number().int(),
  lastSeen: z.string().nullable(),
  cok: z
    .enum(['intact', 'degraded', 'lost'])
    .describe('continuity of knowledge now (the status has its intervals)'),
  changes: z
    .number()
    .int()
    .describe(
      "registry changes so far (registration, lifecycle, re-verifications); a re-verification's n is changes + 1",
    ),
  access: z
    .array(z.enum(['manage', 'data', 'health', 'reverify']))
    .describe(
      'what the caller may do: manage it, read its data, its health; reverify: the caller is an inspector of an owner',
    ),
});
const ChangedReply = DeviceReply.extend({ logIndex: z.number().int() });

const BatchReply = z.object({
  seq: z.number().int(),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
});

const EventReply = z.object({
  time: z.string(),
  type: z.string(),
  seq: z.number().int(),
  index: z.number().int(),
  data: z.record(z.string(), z.unknown()),
});

const StatusReply = z.object({
  device: z.string(),
  lifecycle: z.enum(DEVICE_STATUSES),
  cok: z.enum(['intact', 'degraded', 'lost']),
  lastSeq: z.number().int(),
  lastSeen: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  intervals: z.array(
    z.object({
      reason: z.string(),
      status: z.string(),
      from: z.string(),
      to: z.string().nullable(),
      detail: z.string(),
      closedBy: z.string().nullable(),
      /** What opened it, as a problem's code and values (SEQ_GAP: which batches), decision 0052. */
      cause: z.object({ code: z.string(), values: Values }).optional(),
    }),
  ),
  alarms: z.array(
    z.object({
      code: z.string(),
      at: z.string(),
      detail: z.string(),
      /** The particulars `detail` is written from (GATE_MISMATCH: the counts), decision 0052. */
      values: Values.optional(),
      caseId: z.string().nullable(),
    }),
  ),
  refusals: z.array(
    z.object({ at: z.string(), code: z.string(), seq: z.number().int().nullable(), transport: z.string() }),
  ),
});

const RefusalReply = z.object({
  at: z.string(),
  seq: z.number().int().nullable(),
  code: z.string(),
  transport: z.string(),
  problems: z
    .array(
      z.object({
        code: z.string(),
        rule: z.string().optional(),
        field: z.string().optional(),
        values: Values.optional(),
        message: z.string().optional(),
      }),
    )
    .describe(
      'why it was refused, each problem with its code, rule and values (decision 0052); an event time is given only to those who may read the data (decision 0064)',
    ),
});

/** A time of the query as stored (toISOString): text order is time order. */
function instant(text: string | undefined): string | undefined {
  return text === undefined ? undefined : new Date(text).toISOString();
}

/** The registry and the reads: every caller signed in, the policy deciding per device. */
function registerDeviceRoutes(app: FastifyInstance, m: MonitoringService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/devices',
    {
      config: user,
      schema: {
        tags,
        summary: 'Register a monitoring device (administrators of the node or of an owning inspectorate)',
        body: DeviceBody,
        response: { 201: ChangedReply },
      },
    },
    async (req, reply) => {
      const d = await m.registry.register(requirePrincipal(req), req.body);
      return reply
        .status(201)
        .header('location', `/api/devices/${encodeURIComponent(d.id)}`)
        .send(d);
    },
  );
  r.get(
    '/api/devices',
    {
      config: user,
      schema: {
        tags,
        summary: 'The devices the caller may see',
        querystring: z.strictObject({
          facility: code.optional(),
          status: z.enum(DEVICE_STATUSES).optional(),
          ...window,
        }),
        response: { 200: pageOf(DeviceReply) },
      },
    },
    async (req) =>
      m.registry.list(
        requirePrincipal(req),
        { facility: req.query.facility, status: req.query.status },
        { limit: req.query.limit, offset: req.query.offset },
      ),
  );
  r.get(
    '/api/devices/:id',
    { config: user, schema: { tags, params, response: { 200: DeviceReply } } },
    async (req) => m.registry.get(requirePrincipal(req), req.params.id),
  );
  r.post(
    '/api/devices/:id/lifecycle',
    {
      config: user,
      schema: {
        tags,
        summary: 'Install (back from servicing, optionally with a new key), service or remove a device',
        params,
        body: z.strictObject({
          action: z.enum(['install', 'service', 'remove']),
          publicKey: z.string().min(40).max(60).optional(),
        }),
        response: { 200: ChangedReply },
      },
    },
    async (req) =>
      m.registry.change(requirePrincipal(req), req.params.id, req.body.action, {
        publicKey: req.body.publicKey,
      }),
  );
  r.get(
    '/api/devices/:id/events',
    {
      config: user,
      schema: {
        tags,
        summary: 'A device’s events in [from, to), in time order, paged (owners and joint users)',
        description:
          'order=desc lists the newest first. Each page answers `next`: pass it as `after` for the page that follows in the same order (and the same from/to), which costs the same whatever the depth; a deep `offset` walks every row it skips. Without from/to, `total` is the device’s kept figure; with them, the range is counted.',
        params,
        querystring: z.strictObject({
          from: isoTime.optional(),
          to: isoTime.optional(),
          order: z
            .enum(['asc', 'desc'])
            .default('asc')
            .describe('by time, then batch seq and place in it: asc oldest first, desc newest first'),
          after: z
            .string()
            .regex(EVENT_CURSOR, 'a `next` of this list: <time>,<seq>,<index>')
            .optional()
            .describe('resume after this event, in the order asked for (the previous page’s `next`)'),
          ...window,
        }),
        response: {
          200: pageOf(EventReply).extend({
            next: z
              .string()
              .nullable()
              .describe('the `after` of the page that follows in this order; null on the last page'),
          }),
        },
      },
    },
    async (req) =>
      m.queries.events(
        requirePrincipal(req),
        req.params.id,
        { from: instant(req.query.from), to: instant(req.query.to) },
        {
          limit: req.query.limit,
          offset: req.query.offset,
          order: req.query.order,
          after: req.query.after,
        },
      ),
  );
  registerHealthRoutes(app, m);
}

/** A device's state of health and its refused batches: whoever sees the device (the state too). */
function registerHealthRoutes(app: FastifyInstance, m: MonitoringService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/devices/:id/status',
    {
      config: user,
      schema: {
        tags,
        summary: 'A device’s state of health: CoK status with its intervals, last batch, alarms, refusals',
        params,
        response: { 200: StatusReply },
      },
    },
    async (req) => m.queries.status(requirePrincipal(req), req.params.id),
  );
  r.get(
    '/api/devices/:id/refusals',
    {
      config: user,
      schema: {
        tags,
        summary:
          'A device’s refused batches, newest first, paged, with their problems (whoever sees its status)',
        params,
        querystring: z.strictObject(window),
        response: { 200: pageOf(RefusalReply) },
      },
    },
    async (req) =>
      m.queries.refusals(requirePrincipal(req), req.params.id, {
        limit: req.query.limit,
        offset: req.query.offset,
      }),
  );
}

/**
 * Joint use of a device's data granted and withdrawn under an agreement (issue 18 §6, decision
 * 0063): the owners' administrators change it, whoever sees the device reads who has it.
 */
function registerJointUseRoutes(app: FastifyInstance, m: MonitoringService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const JointUseReply = z.object({
    organisation: z.string(),
    agreement: z
      .string()
      .nullable()
      .describe('the registry agreement the grant cites; null: given at registration'),
    reference: z.string().nullable().describe('the arrangement under that agreement, as the grant named it'),
    at: z.string(),
    by: z.string(),
    logIndex: z.number().int().describe('the log index of the change that granted it (-1: unknown)'),
  });
  r.get(
    '/api/devices/:id/joint-use',
    {
      config: user,
      schema: {
        tags,
        summary:
          'Who has joint use of the device’s data, and under which agreement (whoever sees the device)',
        params,
        response: { 200: z.object({ items: z.array(JointUseReply) }) },
      },
    },
    async (req) => ({ items: await m.jointUse.list(requirePrincipal(req), req.params.id) }),
  );
  r.post(
    '/api/devices/:id/joint-use',
    {
      config: user,
      schema: {
        tags,
        summary:
          'Grant an organisation joint use of the device’s data under an agreement (owners’ administrators)',
        description:
          'Body {organisation, agreement, reference?}: a partner inspectorate party to the agreement, or an authority or operator of the device’s state; ' +
          'the agreement in force, the device’s state and an owner party to it (decision 0063). Logged as the device’s next change; ' +
          'the grant covers the device’s data from its first batch. Refusals carry the detail code JOINT_USE with its rule and values.',
        params,
        body: z.strictObject({
          organisation: code,
          agreement: code,
          reference: z.string().trim().min(1).max(200).optional(),
        }),
        response: { 200: ChangedReply },
      },
    },
    async (req) => m.jointUse.grant(requirePrincipal(req), req.params.id, req.body),
  );
  r.post(
    '/api/devices/:id/joint-use/withdraw',
    {
      config: user,
      schema: {
        tags,
        summary:
          'Withdraw an organisation’s joint use of the device’s data (owners’ administrators), at once',
        params,
        body: z.strictObject({ organisation: code, reason: z.string().trim().min(1).max(500).optional() }),
        response: { 200: ChangedReply },
      },
    },
    async (req) =>
      m.jointUse.withdraw(requirePrincipal(req), req.params.id, req.body.organisation, req.body.reason),
  );
}

/**
 * Devices send batches signed with their own key: the signature over the exact body is the
 * authentication (checked by the ingestion before the body is read as JSON), so the route is
 * public in the sense of needing no user; an unsigned or forged batch is refused 401
 * DEVICE_AUTH_FAILED and recorded.
 */
function registerBatchRoute(app: FastifyInstance, m: MonitoringService): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    // Up to twice the batch limit is read, so an oversized batch is refused (and recorded) with
    // its own code; beyond that the framework's 413 BODY_TOO_LARGE answers.
    scoped.addContentTypeParser('application/json', rawBodyParser(2 * BATCH_LIMITS.maxBytes));
    scoped.addContentTypeParser('*', (_req, _payload, done) =>
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the batch as application/json'), undefined),
    );
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/api/devices/:id/batches',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'A device sends one signed batch of events',
          description:
            'Body: the batch, UTF-8 JSON {"device","seq","prev","events":[…]} (decision 0029). Header Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes> by the device key. 201 with the receipt; the same batch again 200 with the same answer; a refusal 4xx with its code (DEVICE_AUTH_FAILED, DEVICE_CHAIN_BROKEN, DEVICE_BATCH_INVALID, DEVICE_BATCH_TOO_LARGE, DEVICE_UNKNOWN, DEVICE_NOT_IN_SERVICE), recorded.',
          params,
          response: { 200: BatchReply, 201: BatchReply },
        },
      },
      async (req, reply) => {
        const header = req.headers['custos-signature'];
        const receipt = await m.ingestion.ingest({
          device: req.params.id,
          bytes: bodyBytes(req.body),
          signature: typeof header === 'string' ? header : undefined,
          transport: 'http',
        });
        return reply
          .status(receipt.replay ? 200 : 201)
          .send({ seq: receipt.seq, logIndex: receipt.logIndex, receiptUrl: receipt.receiptUrl });
      },
    );
  });
}

/**
 * Re-verification on site (issue 18 §5, decision 0038): the inspector signs the exact body with a
 * key of the inspectorate, so it is taken raw, never re-serialised.
 */
function registerReverifyRoute(app: FastifyInstance, m: MonitoringService): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      'application/json',
      rawBodyParser(scoped.initialConfig.bodyLimit ?? 1024 * 1024),
    );
    scoped.addContentTypeParser('*', (_req, _payload, done) =>
      done(
        new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the re-verification as application/json'),
        undefined,
      ),
    );
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/api/devices/:id/reverify',
      {
        config: user,
        schema: {
          tags,
          summary: 'An inspector of an owning inspectorate re-verified the device on site: CoK intact again',
          description:
            'Body (application/json, signed as is): {"v":1,"type":"custos/device-reverification","device":"<id>","n":<the device\'s next change number>,"note"?}. ' +
            "Header Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes>, a key of the inspector's inspectorate. " +
            'Every open CoK interval closes (closedBy "reverification", "re-verified by <user>" in its detail); the body is logged as the device\'s change n. ' +
            'A wrong n answers 409 CONFLICT (a signed body applies once).',
          params,
          response: { 200: ChangedReply.extend({ closed: z.number().int() }) },
        },
      },
      async (req) => {
        const header = req.headers['custos-signature'];
        return m.registry.reverify(requirePrincipal(req), req.params.id, {
          body: bodyBytes(req.body),
          signatureHeader: typeof header === 'string' ? header : undefined,
        });
      },
    );
  });
}

export function registerMonitoringRoutes(app: FastifyInstance, m: MonitoringService): void {
  registerDeviceRoutes(app, m);
  registerJointUseRoutes(app, m);
  registerBatchRoute(app, m);
  registerReverifyRoute(app, m);
  registerActivityRoutes(app, m);
}
