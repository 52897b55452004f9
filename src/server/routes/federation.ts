import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Federation } from '../../services/federation/index.js';
import { requirePrincipal } from '../auth.js';

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
    lastError: z.string().nullable(),
    lagSeconds: z.number().int().describe('age of the oldest record still waiting for this peer'),
  }),
});

const Id = z.object({ id: z.string().min(1).max(64) });

/** The node's identity, its peers (issue 17 items 1, 6 and 7). Administrators of the node only. */
export function registerFederationRoutes(app: FastifyInstance, fed: Federation): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
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
