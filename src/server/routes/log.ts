import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { encodeBase64, parseTilePath } from '../../log/index.js';
import type { LogNode } from '../../services/log/index.js';
import type { Ports } from '../../services/ports.js';
import { findVisibleRecord, recordWithContent } from '../../services/record-access.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';

const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const IMMUTABLE = 'public, max-age=31536000, immutable';

const tags = ['log'];

/* What the log's JSON routes answer (docs/decisions/0013: web/src/verify.ts reads these types). */
const hashes = z.array(z.string()).describe('base64 hashes, RFC 6962 order');
const WitnessesReply = z.object({
  quorum: z.number().int(),
  witnesses: z.array(z.object({ url: z.string(), vkey: z.string() })),
});
const InclusionReply = z.object({ index: z.number().int(), size: z.number().int(), hashes });
const ConsistencyReply = z.object({ from: z.number().int(), to: z.number().int(), hashes });
const EntryReply = z.object({ index: z.number().int(), entry: z.string().describe('the leaf, base64') });
const CheckpointRowReply = z.object({
  size: z.number().int(),
  root: z.string().describe('base64'),
  createdAt: z.string(),
  note: z.string(),
});

/**
 * The log's read API: the C2SP tlog-tiles layout under /log, proofs, entries and the checkpoint
 * history. Public unless CUSTOS_LOG_PUBLIC=0 (auth 'log').
 */
function registerLogReadRoutes(app: FastifyInstance, ports: Ports, node: LogNode): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const log = { auth: 'log' as const };
  const reader = node.reader;

  r.get('/log/checkpoint', { config: log, schema: { tags } }, async (_req, reply) => {
    const cp = await reader.checkpoint();
    if (!cp) throw new DomainError('UNAVAILABLE', 'no checkpoint has been published yet');
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(cp.note);
  });
  r.get('/log/key', { config: log, schema: { tags } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${node.keys.vkey}\n`),
  );
  // The witnesses a verifier should hold this log's checkpoints to (CUSTOS_WITNESSES, <url>|<vkey>).
  r.get('/log/witnesses', { config: log, schema: { tags, response: { 200: WitnessesReply } } }, async () => ({
    quorum: ports.config.witnessQuorum,
    witnesses: ports.config.witnesses.map((w) => {
      const bar = w.indexOf('|');
      return { url: w.slice(0, bar), vkey: w.slice(bar + 1) };
    }),
  }));
  r.get(
    '/log/tile/*',
    {
      config: log,
      // Verifiers and witnesses fetch tiles by the thousand, like static files behind a cache: a
      // line per fetch at info would drown the log. Errors and warnings are still logged.
      logLevel: 'warn',
      schema: { tags, params: z.object({ '*': z.string() }) },
    },
    async (req, reply) => {
      let tile: ReturnType<typeof parseTilePath>;
      try {
        tile = parseTilePath(`tile/${req.params['*']}`);
      } catch (err) {
        throw new DomainError('LOG_MALFORMED', (err as Error).message);
      }
      const { bytes, full } = await reader.tile(tile);
      // A view, not a copy: tile bytes are never modified once made (full ones are cached).
      return reply
        .type('application/octet-stream')
        .header('cache-control', full ? IMMUTABLE : 'no-cache')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
  r.get(
    '/log/proof/inclusion',
    {
      config: log,
      schema: {
        tags,
        querystring: z.strictObject({ index, size: index }),
        response: { 200: InclusionReply },
      },
    },
    async (req) => {
      const hashes = await reader.inclusionProof(req.query.index, req.query.size);
      return { index: req.query.index, size: req.query.size, hashes: hashes.map(encodeBase64) };
    },
  );
  r.get(
    '/log/proof/consistency',
    {
      config: log,
      schema: {
        tags,
        querystring: z.strictObject({ from: index, to: index }),
        response: { 200: ConsistencyReply },
      },
    },
    async (req) => {
      const hashes = await reader.consistencyProof(req.query.from, req.query.to);
      return { from: req.query.from, to: req.query.to, hashes: hashes.map(encodeBase64) };
    },
  );
  r.get(
    '/log/entries/:index',
    { config: log, schema: { tags, params: z.object({ index }), response: { 200: EntryReply } } },
    async (req) => ({
      index: req.params.index,
      entry: encodeBase64(await reader.entry(req.params.index)),
    }),
  );
  r.get(
    '/api/log/checkpoints',
    {
      config: log,
      schema: {
        tags,
        querystring: z.strictObject({
          before: index.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.array(CheckpointRowReply) },
      },
    },
    async (req) => reader.checkpoints({ before: req.query.before, limit: req.query.limit }),
  );
  r.get(
    '/api/log/checkpoints/:size',
    { config: log, schema: { tags, params: z.object({ size: index }) } },
    async (req, reply) => {
      const note = await reader.checkpointOfSize(req.params.size);
      if (!note) throw new DomainError('NOT_FOUND', `no checkpoint of size ${req.params.size}`);
      return reply.type('text/plain; charset=utf-8').send(note);
    },
  );
}

/**
 * GET /api/records/:id: a log record with its committed content and salt, so its holder can
 * recompute the leaf's commitment (docs/decisions/0013: the browser's type).
 */
const RecordReply = z.object({
  id: z.string(),
  kind: z.string(),
  logIndex: z.number().int(),
  createdAt: z.string(),
  salt: z.string().describe('base64'),
  leafId: z.string().describe('the id the leaf carries: opaque for leaves of form v2 (decision 0021)'),
  content: z.unknown().describe('the record as committed (canonical JSON before salting)'),
  receiptUrl: z.string(),
  forwarded: z
    .object({
      origin: z.string(),
      logIndex: z.number().int(),
      kind: z.string(),
      leafHash: z.string(),
      content: z.unknown().describe('the record as its origin committed it'),
      provenanceUrl: z.string(),
    })
    .nullable()
    .optional()
    .describe('for a record received from a peer: the origin’s record (decision 0044), never merged'),
});

/** A record and its receipt: the record must be one the caller may read. */
function registerRecordRoutes(app: FastifyInstance, ports: Ports, node: LogNode): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const reader = node.reader;

  r.get(
    '/api/records/:id/receipt',
    { config: { auth: 'user' }, schema: { tags, params: z.object({ id: z.string().min(1).max(200) }) } },
    async (req, reply) => {
      const rec = await findVisibleRecord(ports, requirePrincipal(req), req.params.id);
      const logIndex = Number(rec.log_index);
      // A receipt exists once a checkpoint covers the entry (≈ CUSTOS_CHECKPOINT_MS): wait briefly.
      const deadline = Date.now() + Math.min(5000, ports.config.checkpointMs * 2 + 500);
      for (;;) {
        const receipt = await reader.receipt(logIndex);
        if (receipt)
          return reply.type('text/plain; charset=utf-8').header('x-custos-log-index', logIndex).send(receipt);
        if (Date.now() >= deadline) {
          reply.header('retry-after', '1');
          throw new DomainError(
            'UNAVAILABLE',
            'the record is sequenced but not yet in a published checkpoint',
          );
        }
        await new Promise((res) => setTimeout(res, 50));
      }
    },
  );

  r.get(
    '/api/records/:id',
    {
      config: { auth: 'user' },
      schema: { tags, params: z.object({ id: z.string().min(1).max(200) }), response: { 200: RecordReply } },
    },
    async (req) => recordWithContent(ports, requirePrincipal(req), req.params.id),
  );
}

/** The witness (C2SP tlog-witness): this node cosigns the logs it is configured to witness. */
function registerWitnessRoutes(app: FastifyInstance, node: LogNode): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', rawBodyParser(64 * 1024));
    scoped.post(
      '/log/witness/add-checkpoint',
      { config: { auth: 'public' }, schema: { tags } },
      async (req, reply) => {
        const body = bodyBytes(req.body);
        const res = await node.witness.addCheckpoint(body);
        return reply.status(res.status).type(res.contentType).send(res.body);
      },
    );
    scoped.get('/log/witness/key', { config: { auth: 'public' }, schema: { tags } }, async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').send(`${node.keys.witnessVkey}\n`),
    );
  });
}

/**
 * The log's read API (C2SP tlog-tiles layout under /log) and the witness endpoint. Public unless
 * CUSTOS_LOG_PUBLIC=0 (auth 'log'): the log holds only salted commitments, never records.
 */
export function registerLogRoutes(app: FastifyInstance, ports: Ports, node: LogNode): void {
  registerLogReadRoutes(app, ports, node);
  registerRecordRoutes(app, ports, node);
  registerWitnessRoutes(app, node);
}
