import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { DomainError } from '../domain/errors.js';

/**
 * Custos serving HTTPS itself (issue 15 item 7): certificate and key from settings, TLS 1.3 only,
 * and client certificates checked against a CA on chosen path prefixes (peers and devices need
 * authenticated channels). The handshake asks every client for a certificate but does not insist,
 * so browsers reach the other routes; the prefixes that need one refuse a request whose
 * certificate did not verify against CUSTOS_TLS_CLIENT_CA.
 */
export function tlsServerOptions(
  config: Config,
): (SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }) | undefined {
  const tls = config.tls;
  if (!tls) return undefined;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new DomainError(
        'CONFIG_INVALID',
        `${variable}=${path} cannot be read: ${(err as Error).message}`,
        {
          variable,
        },
      );
    }
  };
  return {
    cert: read('CUSTOS_TLS_CERT', tls.certFile),
    key: read('CUSTOS_TLS_KEY', tls.keyFile),
    minVersion: 'TLSv1.3',
    ...(tls.clientCaFile ? { ca: read('CUSTOS_TLS_CLIENT_CA', tls.clientCaFile) } : {}),
    requestCert: tls.clientCaFile !== undefined,
    rejectUnauthorized: false,
  };
}

/** Requests under CUSTOS_TLS_CLIENT_CERT_ROUTES need a client certificate issued by the CA. */
export function registerClientCertificates(app: FastifyInstance, config: Config): void {
  const prefixes = config.tls?.clientCertRoutes ?? [];
  if (prefixes.length === 0) return;
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`))) return;
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (socket.encrypted !== true || socket.authorized !== true) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'this route needs a TLS client certificate issued by the configured CA',
      );
    }
  });
}
