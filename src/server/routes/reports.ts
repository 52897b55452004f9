import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OBLIGATION_STATUSES, type ObligationStatus } from '../../domain/deadlines/index.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { REGISTRY_CODE, STATE_CODE } from '../../domain/registry/index.js';
import { ELEMENT_CODES, REPORT_TYPES } from '../../domain/reports/index.js';
import type { Ports } from '../../services/ports.js';
import { createSubmitLimits } from '../../services/reports/limits.js';
import { practiseReport } from '../../services/reports/practice.js';
import { createReportQueries, type ReportQueries } from '../../services/reports/queries.js';
import { type BodyFormat, type Submission, submitReport } from '../../services/reports/submit.js';
import { LINE_SORTS, type LineSort } from '../../store/account-lines.repo.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';
import { pageQuery, pageRequest } from './paging.js';
import {
  AcceptedReply,
  MbaCorrectionsReply,
  MbaLinesReply,
  ProblemReply,
  RejectionReply,
  ReportSummaryReply,
  TimelinessReply,
} from './reports.replies.js';

const paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};
const isoDate = z.iso.date();

const tags = ['reports'];
const STATUS_OF = `(${OBLIGATION_STATUSES.join('|')})`;
/** A comma-separated list of obligation statuses. */
const STATUS_LIST = new RegExp(`^${STATUS_OF}(,${STATUS_OF})*$`);
const user = { auth: 'user' as const };

/** Submitting one signed report, JSON or CSV. */
function registerSubmitRoute(app: FastifyInstance, ports: Ports): void {
  const limits = createSubmitLimits(ports);
  // The signature covers the exact body bytes, so the body is taken raw, never re-serialised.
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    for (const type of ['application/json', 'text/csv']) {
      scoped.addContentTypeParser(type, rawBodyParser(ports.config.bodyLimitBytes));
    }
    scoped.addContentTypeParser('*', (_req, _payload, done) =>
      done(
        new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the report as application/json or text/csv'),
        undefined,
      ),
    );
    scoped.post(
      '/api/reports',
      {
        config: user,
        // After authentication (onRequest), before the body is read: a throttled principal's
        // upload is never parsed (decision 0023).
        preParsing: async (req) => {
          limits.admit(requirePrincipal(req).userId);
          // A big body announced: the intake thread (decision 0078) loads while it arrives.
          const length = Number(req.headers['content-length']);
          if (Number.isFinite(length)) ports.intakeThread?.expect(length);
        },
        schema: {
          tags,
          summary: 'Submit one signed report (JSON or CSV)',
          response: { 201: AcceptedReply },
          description:
            'Body: the report as application/json or text/csv (docs/csv-format.md). Header Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes>. 201 with the receipt URL, or 422 REPORT_INVALID with every problem (line, field, code, message); a refusal is itself logged (past the hourly quota, counted in one logged summary). 429 RATE_LIMITED with Retry-After past the submissions or refusals a minute.',
        },
      },
      async (req, reply) => {
        const p = requirePrincipal(req);
        let accepted: Awaited<ReturnType<typeof submitReport>>;
        try {
          accepted = await submitReport(ports, p, submissionOf(req));
        } catch (err) {
          if (isDomainError(err) && err.code === 'REPORT_INVALID') limits.refused(p.userId);
          throw err;
        }
        return reply
          .status(201)
          .header('location', `/api/reports/${encodeURIComponent(accepted.id)}`)
          .send(accepted);
      },
    );
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/api/reports/practice',
      {
        config: user,
        // Practice leaves no trace (decision 0026), not even a line in the request log.
        logLevel: 'silent',
        // Practice parses and validates as much as a submission: it spends the same allowance.
        preParsing: async (req) => {
          limits.admit(requirePrincipal(req).userId);
        },
        schema: {
          tags,
          summary: 'Practice: check a signed report against the registry without recording anything',
          description:
            'Same body and Custos-Signature header as POST /api/reports, same checks against the real registry and the MBA account. Answers 200 with what submitting would do (wouldBeAccepted, every problem with line, field and code); stores, logs and publishes nothing.',
          response: { 200: PracticeVerdict },
        },
      },
      async (req) => practiseReport(ports, requirePrincipal(req), submissionOf(req)),
    );
  });
}

const PracticeVerdict = z.object({
  practice: z.literal(true),
  wouldBeAccepted: z.boolean(),
  reportId: z.string().nullable(),
  type: z.enum(REPORT_TYPES).nullable(),
  mba: z.string().nullable(),
  reportNumber: z.number().int().nullable(),
  lines: z.number().int().nullable(),
  signature: z.enum(['VALID', 'SIGNATURE_INVALID', 'KEY_UNKNOWN', 'KEY_NOT_VALID']),
  keyId: z.string().nullable(),
  errors: z.array(ProblemReply),
  warnings: z.array(ProblemReply),
});

/** The raw body, its format and the signature header, as submitting and practice both take them. */
function submissionOf(req: FastifyRequest): Submission {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  const format: BodyFormat = type === 'text/csv' ? 'csv' : 'json';
  // A view of the received bytes, not a copy: a 60 MB report would otherwise be held twice while it
  // is checked and stored (issue 15 item 9, decision 0051). Nothing writes to it.
  const body = bodyBytes(req.body);
  // The submission holds the bytes from here, and lets go of them once they are read (decision
  // 0058): the request must not keep them alive until the reply.
  req.body = undefined;
  const header = req.headers['custos-signature'];
  return { body, format, signatureHeader: typeof header === 'string' ? header : undefined };
}

/** Reading reports: the list, one report (or its CSV export), its signed body, and refusals. */
function registerReportReadRoutes(app: FastifyInstance, queries: ReportQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/reports',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({
          state: z.string().regex(STATE_CODE).optional(),
          mba: z.string().regex(REGISTRY_CODE).optional(),
          type: z.enum(REPORT_TYPES).optional(),
          ...paging,
        }),
        response: { 200: z.array(ReportSummaryReply) },
      },
    },
    async (req) => queries.list(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/reports/:id',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ id: z.string().min(1).max(200) }),
        querystring: z.strictObject({ format: z.enum(['json', 'csv']).default('json') }),
      },
    },
    async (req, reply) => {
      // Both answers are streamed a page of lines at a time (queries.ts `paged`).
      if (req.query.format === 'csv') {
        const csv = await queries.exportCsv(requirePrincipal(req), req.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="${req.params.id.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`,
          )
          .send(Readable.from(csv));
      }
      const json = await queries.get(requirePrincipal(req), req.params.id);
      return reply.type('application/json; charset=utf-8').send(Readable.from(json));
    },
  );
  r.get(
    '/api/reports/:id/body',
    { config: user, schema: { tags, params: z.object({ id: z.string().min(1).max(200) }) } },
    async (req, reply) => {
      const b = await queries.body(requirePrincipal(req), req.params.id);
      return reply
        .type(b.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
        .send(Buffer.from(b.bytes));
    },
  );
  r.get(
    '/api/rejections',
    {
      config: user,
      schema: {
        tags,
        querystring: z.strictObject({ state: z.string().regex(STATE_CODE).optional(), ...paging }),
        response: { 200: z.array(RejectionReply) },
      },
    },
    async (req) => queries.rejections(requirePrincipal(req), req.query),
  );
}

/** What the reports add up to: an MBA's lines (history) and a state's timeliness. */
function registerLineRoutes(app: FastifyInstance, queries: ReportQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/mbas/:code/lines',
    {
      config: user,
      schema: {
        tags,
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.strictObject({
          asOf: isoDate.optional().describe('lines dated on or before this date'),
          after: isoDate
            .optional()
            .describe('lines dated after this date (a balance period: after=PB date&asOf=PE date)'),
          element: z.enum(ELEMENT_CODES).optional(),
          effective: z.enum(['true', 'false']).default('true'),
          ...pageQuery(LINE_SORTS),
        }),
        response: { 200: MbaLinesReply },
      },
    },
    async (req) => {
      const page = pageRequest(req.query);
      return queries.lines(requirePrincipal(req), req.params.code, {
        ...page,
        // The schema admits only LINE_SORTS (with or without "-").
        sort: page.sort as LineSort | undefined,
        asOf: req.query.asOf,
        after: req.query.after,
        element: req.query.element,
        effective: req.query.effective === 'true',
      });
    },
  );
  r.get(
    '/api/mbas/:code/corrections',
    {
      config: user,
      schema: {
        tags,
        description:
          "The MBA's ICR lines that later lines corrected or deleted, a page of originals at a time in effective order, each with its history.",
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.strictObject(paging),
        response: { 200: MbaCorrectionsReply },
      },
    },
    async (req) => queries.corrections(requirePrincipal(req), req.params.code, req.query),
  );
  r.get(
    '/api/states/:code/timeliness',
    {
      config: user,
      schema: {
        tags,
        description:
          "The state's reporting obligations as of today: how many are in each status, and a page of those the filters select, in due-date order across its MBAs.",
        params: z.object({ code: z.string().regex(STATE_CODE) }),
        querystring: z.strictObject({
          status: z
            .string()
            .regex(STATUS_LIST)
            .optional()
            .describe('comma-separated statuses to list (default: all)'),
          mba: z.string().min(1).max(64).optional().describe('list only this MBA’s obligations'),
          order: z.enum(['asc', 'desc']).default('asc').describe('by due date, then id'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(100_000).default(0),
        }),
        response: { 200: TimelinessReply },
      },
    },
    async (req) =>
      queries.timeliness(requirePrincipal(req), req.params.code, {
        ...req.query,
        status: req.query.status?.split(',') as ObligationStatus[] | undefined,
      }),
  );
}

/** Declarations: submit (JSON or CSV, signed), read, export, history, timeliness. */
export function registerReportRoutes(app: FastifyInstance, ports: Ports): void {
  const queries = createReportQueries(ports);
  registerSubmitRoute(app, ports);
  registerReportReadRoutes(app, queries);
  registerLineRoutes(app, queries);
}
