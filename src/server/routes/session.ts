import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LOCALES } from '../../domain/locales.js';
import { ORGANISATION_KINDS, type OrganisationKind, ROLES, type Role } from '../../domain/registry/index.js';
import { login, logout } from '../../services/auth.js';
import type { Ports } from '../../services/ports.js';
import { chooseLocale, localeOf } from '../../services/preferences.js';
import { requirePrincipal, SESSION_COOKIE } from '../auth.js';
import { registerOwnTokenRoutes } from './tokens.js';

/** Who is signed in, as /api/me and a login answer it. */
const MeReply = z.object({
  id: z.string(),
  login: z.string(),
  organisation: z.string().nullable(),
  organisationKind: z.enum(ORGANISATION_KINDS).nullable(),
  state: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  /** The language the user chose for the web app; null: none yet (the browser's applies). */
  locale: z.enum(LOCALES).nullable(),
});

/** The login body is a login and a password: 4 KiB is plenty. */
const SESSION_BODY_LIMIT = 4 * 1024;

/** Web-app login: password → HttpOnly, SameSite=Strict session cookie. */
export function registerSessionRoutes(app: FastifyInstance, ports: Ports): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['session'];
  r.post(
    '/api/session',
    {
      config: { auth: 'public' },
      // Anyone may call it: it reads no more than a login and a password need (issue 15 item 10),
      // not the global limit that report bodies need.
      bodyLimit: SESSION_BODY_LIMIT,
      schema: {
        tags,
        body: z.strictObject({ login: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
        response: { 200: MeReply },
      },
    },
    async (req, reply) => {
      const s = await login(ports, req.body.login, req.body.password, req.ip);
      reply.setCookie(SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: req.protocol === 'https',
        expires: new Date(s.expiresAt),
      });
      return { ...principalView(s.principal), locale: await localeOf(ports, s.principal.userId) };
    },
  );
  r.delete('/api/session', { config: { auth: 'public' } }, async (req, reply) => {
    const id = req.cookies[SESSION_COOKIE];
    if (id) await logout(ports, id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
  r.get(
    '/api/me',
    { config: { auth: 'user' }, schema: { tags, response: { 200: MeReply } } },
    async (req) => {
      const p = requirePrincipal(req);
      return { ...principalView(p), locale: await localeOf(ports, p.userId) };
    },
  );
  r.put(
    '/api/me/locale',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Choose the language of the web app for the signed-in user',
        body: z.strictObject({ locale: z.enum(LOCALES) }),
        response: { 200: z.object({ locale: z.enum(LOCALES) }) },
      },
    },
    async (req) => ({ locale: await chooseLocale(ports, requirePrincipal(req).userId, req.body.locale) }),
  );
  registerOwnTokenRoutes(app, ports);
}

function principalView(p: {
  userId: string;
  login: string;
  organisationId: string | null;
  organisationKind: OrganisationKind | null;
  state: string | null;
  roles: ReadonlySet<Role>;
}) {
  return {
    id: p.userId,
    login: p.login,
    organisation: p.organisationId,
    organisationKind: p.organisationKind,
    state: p.state,
    roles: [...p.roles].sort(),
  };
}
