import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Principal } from '../domain/policy/index.js';
import { authenticateSession, authenticateToken } from '../services/auth.js';
import type { Ports } from '../services/ports.js';

export const SESSION_COOKIE = 'custos_session';

/**
 * Who may call a route, declared on every route (`config.auth`) so the authorization matrix can be
 * generated from the route table and no route goes without a decision:
 * - 'public': anyone (health, login, the log when CUSTOS_LOG_PUBLIC=1);
 * - 'log': public unless CUSTOS_LOG_PUBLIC=0;
 * - 'user': an authenticated principal; finer decisions are made by the policy in the service;
 * - 'metrics': public unless CUSTOS_METRICS_TOKEN is set, then that token as a bearer (a scraper's
 *   secret, not a user's token);
 * - 'peer': another node, authenticated by its RFC 9421 signature over the body (decision 0027),
 *   which the route checks once the body is read; no user credential is involved.
 */
export type RouteAuth = 'public' | 'log' | 'user' | 'metrics' | 'peer';

/** Compares secrets in constant time, whatever their lengths (hashes first). */
function sameSecret(a: string, b: string): boolean {
  const h = (x: string) => createHash('sha256').update(x).digest();
  return timingSafeEqual(h(a), h(b));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new DomainError('UNAUTHENTICATED', 'sign in or send Authorization: Bearer <token>');
  return request.principal;
}

export function registerAuth(app: FastifyInstance, ports: Ports): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const auth = (route.config as { auth?: RouteAuth } | undefined)?.auth;
    if (auth === undefined && route.url.startsWith('/api/') && !route.url.startsWith('/api/docs')) {
      throw new Error(`route ${route.method} ${route.url} declares no config.auth policy`);
    }
  });
  // onRequest: who is calling is settled before the body is read or validated, so an anonymous
  // caller gets 401 (not 400 or 413) and never makes the server parse a large body.
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth ?? 'public';
    const header = request.headers.authorization;
    if (auth === 'metrics') {
      const token = ports.config.metricsToken;
      if (token !== undefined && !sameSecret(header ?? '', `Bearer ${token}`))
        throw new DomainError(
          'UNAUTHENTICATED',
          'GET /metrics wants Authorization: Bearer <CUSTOS_METRICS_TOKEN>',
        );
      return;
    }
    let principal: Principal | undefined;
    if (typeof header === 'string' && header !== '') {
      const m = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
      principal = m?.[1] ? await authenticateToken(ports, m[1]) : undefined;
      if (!principal)
        throw new DomainError('UNAUTHENTICATED', 'the bearer token is unknown, expired or revoked');
    } else {
      const cookie = request.cookies?.[SESSION_COOKIE];
      if (cookie) principal = await authenticateSession(ports, cookie);
    }
    request.principal = principal ?? null;
    const needsUser = auth === 'user' || (auth === 'log' && !ports.config.logPublic);
    if (needsUser && !request.principal) {
      throw new DomainError('UNAUTHENTICATED', 'sign in or send Authorization: Bearer <token>');
    }
  });
}
