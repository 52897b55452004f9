import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listOwnTokens, revokeOwnToken } from '../../services/auth.js';
import type { Ports } from '../../services/ports.js';
import { requirePrincipal } from '../auth.js';

const TokenReply = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/**
 * One's own API tokens (issue 15 item 10): list them (never the token itself, only what it is)
 * and revoke one. Issuing stays POST /api/tokens (registry routes).
 */
export function registerOwnTokenRoutes(app: FastifyInstance, ports: Ports): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  r.get(
    '/api/tokens',
    {
      config: { auth: 'user' },
      schema: { tags, summary: "The caller's own API tokens", response: { 200: z.array(TokenReply) } },
    },
    async (req) => listOwnTokens(ports, requirePrincipal(req)),
  );
  r.post(
    '/api/tokens/:id/revoke',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "Revoke one of the caller's own API tokens",
        params: z.object({ id: z.string().min(1).max(64) }),
      },
    },
    async (req, reply) => {
      await revokeOwnToken(ports, requirePrincipal(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
