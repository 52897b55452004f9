import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { DomainError } from '../domain/errors.js';
import { SESSION_COOKIE } from './auth.js';

/**
 * The browser-facing edge (issue 15 items 5 and 6): CSRF refusal for cookie-authenticated writes,
 * and the security headers on every answer, API and web app alike.
 */

/**
 * The web app is a bundle served from this origin: scripts, styles, images and fetches stay on
 * it. Inline styles are allowed because the components set `style` attributes; no inline script.
 * `frame-ancestors 'none'` refuses framing (clickjacking); `form-action 'self'` keeps forms home.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI (at /api/docs) runs an inline bootstrap script; it gets its own, wider policy. */
const DOCS_CSP = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin the app is served from: configured, or what the request says it was sent to. */
function appOrigin(config: Pick<Config, 'publicOrigin'>, req: FastifyRequest): string {
  return config.publicOrigin ?? `${req.protocol}://${req.host}`;
}

/**
 * A cookie authenticates the browser wherever the request comes from, so a write that rides on
 * the session cookie must show it comes from the app's own page: `Sec-Fetch-Site: same-origin`,
 * or an `Origin` equal to the app's. Neither header (a client that is no browser) is refused too:
 * such clients authenticate with a bearer token, which no other site can make a browser send.
 */
export function checkSameOrigin(config: Pick<Config, 'publicOrigin'>, req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (req.headers.authorization !== undefined) return;
  if (req.cookies?.[SESSION_COOKIE] === undefined) return;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site === 'same-origin') return;
  if (site === undefined && origin !== undefined && origin === appOrigin(config, req)) return;
  throw new DomainError(
    'CROSS_ORIGIN',
    'a request authenticated by the session cookie must come from the app itself (Origin / Sec-Fetch-Site)',
  );
}

export function registerSecurity(app: FastifyInstance, config: Config): void {
  app.addHook('onRequest', async (req) => checkSameOrigin(config, req));
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy'))
      reply.header(
        'content-security-policy',
        req.url.startsWith('/api/docs') ? DOCS_CSP : CONTENT_SECURITY_POLICY,
      );
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}
