import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DECLARATION_ARTICLES } from '../../domain/declarations/index.js';
import { DomainError } from '../../domain/errors.js';
import { STATE_CODE } from '../../domain/registry/index.js';
import {
  MAX_SITE_MAP_BYTES,
  readDeclarationAttachment,
  uploadDeclarationAttachment,
} from '../../services/declarations/attachments.js';
import { createDeclarationQueries, type DeclarationQueries } from '../../services/declarations/queries.js';
import { submitDeclaration } from '../../services/declarations/submit.js';
import type { Ports } from '../../services/ports.js';
import type { Submission } from '../../services/reports/submit.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';

const tags = ['declarations'];
const user = { auth: 'user' as const };
const idParams = z.object({ id: z.string().min(1).max(200) });

const DeclarationSummaryReply = z.object({
  id: z.string(),
  state: z.string(),
  article: z.string(),
  ref: z.string().nullable(),
  covers: z.enum(['initial', 'annual', 'quarterly']).nullable(),
  period: z.object({ from: z.string(), to: z.string() }),
  supplements: z.string().nullable(),
  supplementedBy: z.string().nullable(),
  itemCount: z.number().int(),
  locked: z.literal(true),
  submittedAt: z.string(),
  submittedBy: z.string(),
  keyId: z.string(),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
});

const DeclarationReply = DeclarationSummaryReply.extend({
  signature: z.string(),
  items: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
  history: z.array(z.string()).describe('the supplement chain this declaration belongs to, oldest first'),
});

const AcceptedDeclarationReply = z.object({
  id: z.string(),
  logIndex: z.number().int(),
  receiptUrl: z.string(),
});

function submissionOf(req: FastifyRequest): Submission {
  const body = bodyBytes(req.body);
  // The submission holds the bytes from here (decision 0058).
  req.body = undefined;
  const header = req.headers['custos-signature'];
  return { body, format: 'json', signatureHeader: typeof header === 'string' ? header : undefined };
}

function registerSubmitRoute(app: FastifyInstance, ports: Ports): void {
  // The signature covers the exact body bytes, so the body is taken raw, as for reports.
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', rawBodyParser(ports.config.bodyLimitBytes));
    scoped.addContentTypeParser('*', (_req, _payload, done) =>
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the declaration as application/json'), undefined),
    );
    scoped.post(
      '/api/declarations',
      {
        config: user,
        schema: {
          tags,
          summary: 'Submit one signed Additional Protocol declaration (INFCIRC/540 Art. 2)',
          description: `Body (application/json): {state, article, period: {from, to}, items: [...], supplements?: "<id>"}; article one of ${DECLARATION_ARTICLES.join(', ')}. Header Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes>, as for reports. 201 {id, logIndex}: the declaration is locked; a later change is a declaration with "supplements" naming the latest of its chain. 422 DECLARATION_INVALID lists every problem (item index, field, code).`,
          response: { 201: AcceptedDeclarationReply },
        },
      },
      async (req, reply) => {
        const accepted = await submitDeclaration(ports, requirePrincipal(req), submissionOf(req));
        return reply
          .status(201)
          .header('location', `/api/declarations/${encodeURIComponent(accepted.id)}`)
          .send(accepted);
      },
    );
  });
}

function registerReadRoutes(app: FastifyInstance, queries: DeclarationQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/declarations',
    {
      config: user,
      schema: {
        tags,
        summary: "A State's declarations (newest first), as the Additional Protocols in force allow",
        querystring: z.strictObject({
          state: z.string().regex(STATE_CODE).optional(),
          article: z.enum(DECLARATION_ARTICLES).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: {
          200: z.object({
            items: z.array(DeclarationSummaryReply),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }),
        },
      },
    },
    async (req) => queries.list(requirePrincipal(req), req.query),
  );
  r.get(
    '/api/declarations/:id',
    { config: user, schema: { tags, params: idParams, response: { 200: DeclarationReply } } },
    async (req) => queries.get(requirePrincipal(req), req.params.id),
  );
  r.get(
    '/api/declarations/:id/body',
    { config: user, schema: { tags, summary: 'The signed bytes as submitted', params: idParams } },
    async (req, reply) =>
      reply
        .type('application/json')
        .send(Buffer.from(await queries.body(requirePrincipal(req), req.params.id))),
  );
  // A submitted declaration is locked (issue 19): every change or deletion is refused with a code.
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    app.register(async (scoped) => {
      // Whatever the body, it is never read: the refusal does not depend on it.
      scoped.removeAllContentTypeParsers();
      scoped.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
      scoped.withTypeProvider<ZodTypeProvider>().route({
        method,
        url: '/api/declarations/:id',
        config: user,
        schema: {
          tags,
          summary:
            'Refused: a submitted declaration is locked (409 DECLARATION_LOCKED); amend it with a supplement',
          params: idParams,
        },
        handler: async (req) => queries.refuseChange(requirePrincipal(req), req.params.id),
      });
    });
  }
}

/** Files a declaration commits to by hash: the site maps of Art. 2.a.(iii) (migration 0027). */
function registerAttachmentRoutes(app: FastifyInstance, ports: Ports): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/declarations/attachments',
    {
      config: user,
      schema: {
        tags,
        summary: 'Upload a site map (or another file) a declaration will name by hash',
        description: `Body {state, contentType, data: base64}: a PDF, PNG or JPEG of at most ${MAX_SITE_MAP_BYTES} bytes whose bytes match its type, for the caller's own State. 201 {ref: "sha256:<hex>"}: put ref in the item's siteMap field; the signed declaration then commits to the file, and whoever may read the declaration may read it. 413 BODY_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE, 400 VALIDATION_FAILED (not base64, empty).`,
        body: z.strictObject({
          state: z.string().regex(STATE_CODE),
          contentType: z.string().min(1).max(100),
          data: z.string().max(Math.ceil((MAX_SITE_MAP_BYTES * 4) / 3) + 8),
        }),
        response: {
          201: z.object({ ref: z.string(), contentType: z.string(), size: z.number().int() }),
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await uploadDeclarationAttachment(ports, requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/declarations/:id/attachments/:hash',
    {
      config: user,
      schema: {
        tags,
        summary: 'A file the declaration names by hash, for whoever may read the declaration',
        params: z.object({ id: z.string().min(1).max(200), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
      },
    },
    async (req, reply) => {
      const a = await readDeclarationAttachment(ports, requirePrincipal(req), req.params.id, req.params.hash);
      const ext = a.contentType === 'application/pdf' ? 'pdf' : a.contentType === 'image/png' ? 'png' : 'jpg';
      return reply
        .type(a.contentType)
        .header(
          'content-disposition',
          `attachment; filename="site-map-${req.params.hash.slice(0, 12)}.${ext}"`,
        )
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(a.bytes));
    },
  );
}

/** Additional Protocol declarations: submit (signed, locked), read, list, history, site maps. */
export function registerDeclarationRoutes(app: FastifyInstance, ports: Ports): void {
  registerSubmitRoute(app, ports);
  registerReadRoutes(app, createDeclarationQueries(ports));
  registerAttachmentRoutes(app, ports);
}
