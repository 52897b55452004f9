import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
// Not through the folder's door: the CSV writer (csv-stringify) needs Node's Buffer, and the web
// app imports domain/legal through deadlines; the export stays out of the browser's bundle.
import { formatMatrixCsv, formatMatrixHtml } from '../../domain/legal/compatibility-export.js';
import {
  COMPATIBILITY_STATUSES,
  INSTITUTIONS,
  isProvisionRef,
  TEXT_LIMITS,
} from '../../domain/legal/index.js';
import { STATE_CODE } from '../../domain/registry/index.js';
import type { CompatibilityService } from '../../services/legal/compatibility.js';
import { isoNow, type Ports } from '../../services/ports.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';
import { CaseViewReply } from './cases.replies.js';
import {
  EntryViewReply,
  HarmonizationReply,
  MatrixReply,
  StepWrittenReply,
  WrittenReply,
} from './compatibility.replies.js';

const tags = ['compatibility'];
const user = { auth: 'user' as const };

/**
 * A provision ref travels as ONE path segment, percent-encoded as encodeURIComponent does
 * (decision 0033): `INFCIRC/153 para 62` → `INFCIRC%2F153%20para%2062`. The router decodes it.
 */
const ref = z
  .string()
  .refine(isProvisionRef, 'a provision ref (1–120 characters, no control characters), percent-encoded');
const RefParams = z.object({ code: z.string().regex(STATE_CODE), ref });
const date = z.iso.date();

const Domestic = z.strictObject({
  act: z.string().trim().min(1).max(TEXT_LIMITS.act),
  section: z.string().trim().min(1).max(TEXT_LIMITS.section),
  text: z.string().trim().min(1).max(TEXT_LIMITS.text),
  inForceFrom: date.optional(),
  inForceTo: date.optional(),
  institution: z.enum(INSTITUTIONS).optional(),
});

const PutBody = z.strictObject({
  status: z.enum(COMPATIBILITY_STATUSES),
  domestic: Domestic.optional(),
  note: z.string().max(TEXT_LIMITS.note).optional(),
  evidence: z.string().max(TEXT_LIMITS.evidence).optional(),
});

const receipt = (recordId: string) => `/api/records/${encodeURIComponent(recordId)}/receipt`;

function registerStepRoute(app: FastifyInstance, svc: CompatibilityService): void {
  // The signature covers the exact body bytes, so the step is taken raw, never re-serialised.
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      'application/json',
      rawBodyParser(scoped.initialConfig.bodyLimit ?? 1024 * 1024),
    );
    scoped.addContentTypeParser('*', (_req, _payload, done) =>
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the step as application/json'), undefined),
    );
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/api/states/:code/compatibility/:ref/steps',
      {
        config: user,
        schema: {
          tags,
          summary: 'Sign one step of the review workflow: review → amendment → adoption',
          description:
            'Body (application/json, signed as is): {"v":1,"type":"custos/compatibility-step","state","provision","seq","step":"review"|"amendment"|"adoption","status"?,"domestic"?:{act,section,text,inForceFrom?,inForceTo?,institution?},"adoptedOn"?,"note"?}. ' +
            'Header Custos-Signature: <keyId>:<base64 Ed25519 signature over the exact body bytes>, a key of the state authority. ' +
            'state and provision must be those of the URL; seq is the next step number (409 CONFLICT otherwise, so a signed step cannot be replayed). ' +
            'A review must say the status found; an amendment proposes a domestic text; an adoption carries adoptedOn and the adopted text, and makes it the entry (status implemented unless given). ' +
            'A step out of order answers 409 INVALID_TRANSITION with the allowed steps.',
          params: RefParams,
          response: { 201: StepWrittenReply },
        },
      },
      async (req, reply) => {
        const header = req.headers['custos-signature'];
        const body = bodyBytes(req.body);
        const out = await svc.step(requirePrincipal(req), req.params.code, req.params.ref, {
          body,
          signatureHeader: typeof header === 'string' ? header : undefined,
        });
        return reply.status(201).send({ ...out, receiptUrl: receipt(out.recordId) });
      },
    );
  });
}

/** Domestic-law compatibility (issue 19 item 2): thin routes over the compatibility service. */
export function registerCompatibilityRoutes(
  app: FastifyInstance,
  ports: Ports,
  svc: CompatibilityService,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/states/:code/compatibility',
    {
      config: user,
      schema: {
        tags,
        summary:
          "A state's compatibility matrix: every provision it is bound by, with its entry or not-reviewed",
        description:
          'format=json (default) answers the matrix with its gaps (missing, partial, conflicting) and a summary; ' +
          'format=csv the matrix as CSV; format=html a self-contained printable report.',
        params: z.object({ code: z.string().regex(STATE_CODE) }),
        querystring: z.strictObject({ format: z.enum(['json', 'csv', 'html']).default('json') }),
        response: { 200: MatrixReply },
      },
    },
    async (req, reply) => {
      const m = await svc.matrix(requirePrincipal(req), req.params.code);
      const name = `compatibility-${req.params.code}`;
      if (req.query.format === 'csv')
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .serializer((x: unknown) => x as string)
            // The response schema describes the JSON form; the exports are text, sent as is.
            .send(formatMatrixCsv(m) as never)
        );
      if (req.query.format === 'html')
        return reply
          .type('text/html; charset=utf-8')
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          )
          .serializer((x: unknown) => x as string)
          .send(formatMatrixHtml(m, isoNow(ports.clock)) as never);
      return m;
    },
  );
  r.get(
    '/api/states/:code/compatibility/:ref',
    {
      config: user,
      schema: {
        tags,
        summary: "One provision's entry for a state, with its versions and review steps (newest first)",
        params: RefParams,
        response: { 200: EntryViewReply },
      },
    },
    async (req) => svc.entry(requirePrincipal(req), req.params.code, req.params.ref),
  );
  r.put(
    '/api/states/:code/compatibility/:ref',
    {
      config: user,
      schema: {
        tags,
        summary: "Set a state's entry for one provision (a new version, logged)",
        description:
          'The provision ref is one path segment, percent-encoded (encodeURIComponent): INFCIRC%2F153%20para%2062. ' +
          '422 UNKNOWN_PROVISION for a ref the legal register does not know, PROVISION_NOT_BINDING for an instrument the state is not party to.',
        params: RefParams,
        body: PutBody,
        response: { 200: WrittenReply },
      },
    },
    async (req) => {
      const out = await svc.put(requirePrincipal(req), req.params.code, req.params.ref, req.body);
      return { ...out, receiptUrl: receipt(out.recordId) };
    },
  );
  r.post(
    '/api/states/:code/compatibility/:ref/case',
    {
      config: user,
      schema: {
        tags,
        summary:
          'An inspectorate opens a case with the state about a missing, partial or conflicting provision',
        description:
          'One case per state and provision: 201 when this call opened it, 200 with the case already open.',
        params: RefParams,
        body: z.strictObject({ note: z.string().min(1).max(TEXT_LIMITS.note).optional() }),
        response: { 200: CaseViewReply, 201: CaseViewReply },
      },
    },
    async (req, reply) => {
      const { case: c, created } = await svc.openCase(
        requirePrincipal(req),
        req.params.code,
        req.params.ref,
        req.body.note,
      );
      return reply.status(created ? 201 : 200).send(c);
    },
  );
  r.get(
    '/api/compatibility/provisions/:ref',
    {
      config: user,
      schema: {
        tags,
        summary:
          'Harmonization view: how every state bound by a provision implements it (the states you may read)',
        params: z.object({ ref }),
        response: { 200: HarmonizationReply },
      },
    },
    async (req) => svc.harmonization(requirePrincipal(req), req.params.ref),
  );
  registerStepRoute(app, svc);
}
