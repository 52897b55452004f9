import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CHECKPOINTS_PATH,
  type Federation,
  FORWARDABLE_KINDS,
  INBOX_PATH,
  SPLIT_VIEW_ACTIONS,
  SPLIT_VIEW_CAUSES,
} from '../../services/federation/index.js';
import { requirePrincipal } from '../auth.js';
import { bodyBytes, rawBodyParser } from '../raw-body.js';
import { AckReply, InboxReply } from './federation.replies.js';

const tags = ['federation'];

const NodeReply = z.object({
  origin: z.string(),
  logKey: z.string().describe('C2SP verifier key of this node’s log: <origin>+<keyid>+<base64>'),
  nodeKey: z.string().describe('base64 of the raw Ed25519 node key (signs node-to-node requests)'),
  keyId: z.string().describe('first 16 hex digits of SHA-256 of the raw node key: the RFC 9421 keyid'),
});

const PeerInput = z.object({
  name: z.string().trim().min(1).max(200),
  url: z.string().min(1).max(2000),
  logKey: z.string().min(1).max(500),
  nodeKey: z.string().min(1).max(100),
});

const PeerReply = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  origin: z.string(),
  logKey: z.string(),
  nodeKey: z.string(),
  keyId: z.string(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
  delivery: z.object({
    pending: z.number().int(),
    delivered: z.number().int(),
    dead: z.number().int(),
    oldestPendingAt: z.string().nullable(),
    lastDeliveredAt: z.string().nullable(),
    lastError: z
      .string()
      .nullable()
      .describe('why the oldest waiting record is not delivered yet: "CODE: wording"'),
    lastErrorCode: z
      .string()
      .nullable()
      .describe("the code of lastError (PEER_UNREACHABLE, ACK_MISSING, ACK_INVALID or the peer's own code)"),
    lagSeconds: z.number().int().describe('age of the oldest record still waiting for this peer'),
  }),
  witnessed: z
    .object({ size: z.number().int(), at: z.string() })
    .nullable()
    .describe('the largest checkpoint of the peer’s log this node has checked and cosigned'),
  splitView: z
    .string()
    .nullable()
    .describe('an open split view of the peer’s log: forwarding from and to it is stopped'),
});

const SplitViewReply = z.object({
  id: z.string(),
  origin: z.string(),
  peer: z.string().nullable(),
  cause: z.enum(SPLIT_VIEW_CAUSES).describe('why, as a stable code'),
  reason: z.string().describe('the same in English, with sizes and roots'),
  proven: z.boolean().describe('the evidence proves the split view offline (custos proof verify-split-view)'),
  via: z.string().describe('where the second checkpoint was seen: log, exchange:<peer>, bundle:<peer>'),
  detectedAt: z.string(),
  status: z.enum(['open', 'resumed', 'revoked']),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  note: z.string().nullable(),
});

const Id = z.object({ id: z.string().min(1).max(64) });

const ArrangementInput = z.object({
  peer: z.string().min(1).max(64),
  direction: z.enum(['send', 'receive']),
  states: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .min(1)
    .max(300),
  kinds: z.array(z.enum(FORWARDABLE_KINDS)).min(1),
  from: z.iso.date(),
});

const ArrangementReply = z.object({
  id: z.string(),
  peer: z.string(),
  direction: z.enum(['send', 'receive']),
  states: z.array(z.string()),
  kinds: z.array(z.string()),
  from: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  to: z
    .string()
    .nullable()
    .describe('the end (exclusive): nothing logged from then on flows; null while open'),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable(),
  backlog: z
    .object({ next: z.number().int(), until: z.number().int() })
    .nullable()
    .describe(
      "a send arrangement's earlier records still being queued for the peer: log indexes [next, until); null once all are",
    ),
});

const ArrangementEndInput = z.object({
  to: z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .optional()
    .describe('the end: a day (nothing logged on or after it flows) or a time; now when absent'),
});

const LedgerReply = z.object({
  state: z.string(),
  arrangements: z
    .array(
      z.object({
        id: z.string(),
        peerName: z.string(),
        peerOrigin: z.string(),
        kinds: z.array(z.string()),
        from: z.string(),
        to: z.string().nullable(),
      }),
    )
    .describe('the arrangements that send the state’s records, with their periods (decision 0044)'),
  items: z.array(
    z.object({
      peer: z.string(),
      peerName: z.string(),
      peerOrigin: z.string(),
      peerNodeKey: z.string().describe('base64 Ed25519 node key the acknowledgement verifies with'),
      logIndex: z.number().int(),
      recordId: z.string(),
      kind: z.string(),
      status: z.enum(['pending', 'delivered', 'dead']),
      queuedAt: z.string(),
      deliveredAt: z.string().nullable(),
      acknowledgement: AckReply.nullable(),
    }),
  ),
  next: z.number().int().nullable().describe('pass as `after` for the next page'),
});

const DeadLetterReply = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  items: z.array(
    z.object({
      direction: z.enum(['outbound', 'inbound']),
      peer: z.string(),
      source: z.string(),
      index: z.number().int(),
      recordId: z.string(),
      code: z.string(),
      reason: z.string(),
      at: z.string(),
    }),
  ),
});

const ProvenanceReply = z.object({
  id: z.string(),
  kind: z.string(),
  chain: z.array(
    z.object({
      origin: z.string(),
      logIndex: z.number().int(),
      leafHash: z.string().nullable(),
      proof: z.string().nullable().describe('the source’s C2SP tlog-proof, as received'),
      receiptUrl: z.string().nullable(),
    }),
  ),
});

/**
 * The node's identity, peers, arrangements, delivery state and dead letters (administrators of
 * the node), the sharing ledger of a state, provenance, and the inbox peers push to.
 */
export function registerFederationRoutes(app: FastifyInstance, fed: Federation): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  registerInbox(app, fed);
  registerArrangementRoutes(app, fed);
  r.get(
    '/api/node',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'This node’s identity: log origin, log verifier key and node key (administrators)',
        response: { 200: NodeReply },
      },
    },
    async (req) => fed.identity(requirePrincipal(req)),
  );
  r.post(
    '/api/peers',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Register a peer node (logged record)',
        body: PeerInput,
        response: { 201: z.object({ id: z.string(), logIndex: z.number().int() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await fed.peers.createPeer(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/peers',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Peer nodes with their delivery state and lag',
        response: { 200: z.array(PeerReply) },
      },
    },
    async (req) => fed.peers.listPeers(requirePrincipal(req)),
  );
  r.get(
    '/api/federation/split-views',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary:
          'Split views of logs this node exchanges records with, and the decisions taken (administrators)',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(SplitViewReply) },
      },
    },
    async (req) => fed.splitViews.list(requirePrincipal(req), req.query.limit, req.query.offset),
  );
  r.get(
    '/api/federation/split-views/:id/evidence',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'The split view’s evidence file, checked offline by `custos proof verify-split-view <file>`',
        description:
          'custos/split-view@v1 (decision 0028) with the log’s verifier key as `logKey` (decision 0043): both signed checkpoints and, at different sizes, the log’s own consistency proof.',
        params: Id,
        response: { 200: z.unknown() },
      },
    },
    async (req) => fed.splitViews.evidence(requirePrincipal(req), req.params.id),
  );
  r.post(
    '/api/federation/split-views/:id/decision',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary:
          'Decide a split view: resume forwarding with the log as it is now, or revoke the peer (logged record)',
        params: Id,
        body: z.strictObject({
          action: z.enum(SPLIT_VIEW_ACTIONS),
          note: z.string().trim().max(2000).optional(),
        }),
        response: {
          200: z.object({ logIndex: z.number().int(), status: z.enum(['open', 'resumed', 'revoked']) }),
        },
      },
    },
    async (req) => fed.splitViews.decide(requirePrincipal(req), req.params.id, req.body),
  );
  r.post(
    '/api/peers/:id/revoke',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Revoke a peer: its requests are refused from now on (logged record)',
        params: Id,
        response: { 200: z.object({ logIndex: z.number().int() }) },
      },
    },
    async (req) => fed.peers.revokePeer(requirePrincipal(req), req.params.id),
  );
}

/**
 * The inbox takes a request that holds one bundle of the biggest report a node accepts: its
 * signed body travels base64 (4/3 of it) beside the record, proofs and checkpoint. At the node's
 * own limit, a report accepted on the sender could never be delivered (413 on every retry) and
 * would hold delivery behind it for good; several bundles share a request only within the
 * sender's BATCH_BYTES, far below this.
 */
export function inboxBodyLimit(reportLimit: number): number {
  return Math.ceil(reportLimit / 3) * 4 + 4 * 1024 * 1024;
}

/**
 * The inbox: reachable without a user (config.auth 'peer'); the peer is authenticated by its
 * RFC 9421 signature over the exact body bytes, so the body is read raw here (no JSON parser in
 * between that could change what the Content-Digest covers).
 */
function registerInbox(app: FastifyInstance, fed: Federation): void {
  const bodyLimit = inboxBodyLimit(app.initialConfig.bodyLimit ?? 1024 * 1024);
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/json', rawBodyParser(bodyLimit));
    scope.withTypeProvider<ZodTypeProvider>().post(
      INBOX_PATH,
      {
        config: { auth: 'peer' },
        schema: {
          tags,
          summary: 'A peer pushes bundles (RFC 9421 signed; node-to-node only)',
          description:
            'Body {"bundles": [...], "acks": "batch"} (decision 0028; `acks`: one signature over the batch’s acknowledgements, decision 0070). Signed with RFC 9421 (ed25519, keyid = node key id) over @method, @target-uri, @authority and Content-Digest, with created and nonce. Refusals: PEER_UNKNOWN, PEER_REVOKED, REQUEST_SIGNATURE_INVALID, REQUEST_EXPIRED, REQUEST_REPLAYED, CONTENT_DIGEST_INVALID.',
          response: { 200: InboxReply },
        },
      },
      async (req) =>
        fed.receive({
          method: req.method,
          url: `${req.protocol}://${req.host}${req.url}`,
          headers: req.headers,
          body: bodyBytes(req.body),
        }),
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      CHECKPOINTS_PATH,
      {
        config: { auth: 'peer' },
        schema: {
          tags,
          summary: 'A peer asks for the checkpoints this node has seen (RFC 9421 signed; node-to-node only)',
          description:
            'Body {"after": "<origin>", "limit": n}: the latest checkpoint this node holds of each log (its own, its peers’, third logs), by origin, cosigned by this node when it checked them (decision 0043), each with the log’s key and URL so that a peer can check a log it has no key for (decision 0054). Refusals as the inbox’s.',
          response: {
            200: z.object({
              checkpoints: z.array(
                z.object({
                  origin: z.string(),
                  note: z.string(),
                  logKey: z.string().optional().describe('the log’s C2SP verifier key as this node knows it'),
                  url: z
                    .string()
                    .optional()
                    .describe('the log’s base URL, for a peer’s or third log (decision 0054)'),
                }),
              ),
              next: z.string().nullable(),
            }),
          },
        },
      },
      async (req) =>
        fed.exchange({
          method: req.method,
          url: `${req.protocol}://${req.host}${req.url}`,
          headers: req.headers,
          body: bodyBytes(req.body),
        }),
    );
  });
}

function registerArrangementRoutes(app: FastifyInstance, fed: Federation): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/arrangements',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Record a sharing arrangement with a peer (logged record); nothing flows without one',
        body: ArrangementInput,
        response: { 201: z.object({ id: z.string(), logIndex: z.number().int() }) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await fed.arrangements.createArrangement(requirePrincipal(req), req.body)),
  );
  r.get(
    '/api/arrangements',
    {
      config: { auth: 'user' },
      schema: { tags, summary: 'Sharing arrangements', response: { 200: z.array(ArrangementReply) } },
    },
    async (req) => fed.arrangements.listArrangements(requirePrincipal(req)),
  );
  r.post(
    '/api/arrangements/:id/end',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'End a sharing arrangement (logged record): nothing logged from its end on flows',
        params: Id,
        body: ArrangementEndInput,
        response: { 200: ArrangementReply.extend({ logIndex: z.number().int() }) },
      },
    },
    async (req) => fed.arrangements.endArrangement(requirePrincipal(req), req.params.id, req.body ?? {}),
  );
  r.get(
    '/api/states/:code/sharing',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'The state’s sharing ledger: which of its records went to which node, when, acknowledged',
        params: z.object({ code: z.string().regex(/^[A-Z]{2}$/) }),
        querystring: z.object({
          after: z.coerce.number().int().min(-1).default(-1),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: LedgerReply },
      },
    },
    async (req) =>
      fed.sharingLedger(requirePrincipal(req), req.params.code, req.query.after, req.query.limit),
  );
  r.get(
    '/api/federation/dead-letters',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Deliveries refused for a reason retrying cannot fix, on either side (administrators)',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: DeadLetterReply },
      },
    },
    async (req) => fed.deadLetters(requirePrincipal(req), req.query.limit, req.query.offset),
  );
  r.get(
    '/api/records/:id/provenance',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'A record’s provenance chain: the source log’s entry and proof, then this node’s record',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: ProvenanceReply },
      },
    },
    async (req) => fed.provenance(requirePrincipal(req), req.params.id),
  );
  r.get(
    '/api/records/:id/provenance/chain',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'A received record’s provenance chain file (decision 0028), with the two log keys',
        description:
          'Check it offline: `custos proof verify chain.json --key <receiverLogKey> --source-key <sourceLogKey>`, or in the web app. NOT_FOUND for a record of this node’s own; UNAVAILABLE until a checkpoint covers the reception.',
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          200: z.object({
            chain: z.unknown().describe('custos/provenance-chain@v1 (decision 0028)'),
            sourceLogKey: z.string(),
            receiverLogKey: z.string(),
          }),
        },
      },
    },
    async (req) => fed.provenanceChain(requirePrincipal(req), req.params.id),
  );
}
