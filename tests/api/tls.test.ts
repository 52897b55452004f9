import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * Issue 15 item 7: Custos serves HTTPS itself (certificate and key from settings, TLS 1.3 only)
 * and requires a client certificate from the configured CA on chosen routes.
 */
const TLS = join(import.meta.dirname, '..', 'fixtures', 'tls');
const pem = (name: string) => readFileSync(join(TLS, name));

interface Answer {
  status: number;
  body: string;
  protocol: string | null;
}

describe('TLS', () => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: {
        CUSTOS_TLS_CERT: join(TLS, 'server.pem'),
        CUSTOS_TLS_KEY: join(TLS, 'server.key'),
        CUSTOS_TLS_CLIENT_CA: join(TLS, 'ca.pem'),
        CUSTOS_TLS_CLIENT_CERT_ROUTES: '/log/witness',
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (
    path: string,
    opts: { cert?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          servername: 'localhost',
          // A fresh connection each time: the certificate is presented in the handshake.
          agent: false,
          ca: pem('ca.pem'),
          ...(opts.cert ? { cert: pem(`${opts.cert}.pem`), key: pem(`${opts.cert}.key`) } : {}),
          ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        },
        (res) => {
          const protocol = (res.socket as TLSSocket).getProtocol();
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              protocol,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('serves HTTPS with TLS 1.3 and refuses older protocol versions', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.protocol).toBe('TLSv1.3');
    await expect(get('/healthz', { maxVersion: 'TLSv1.2' })).rejects.toThrow();
  });

  it('plain HTTP gets no answer from the TLS port', async () => {
    const answered = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 'failed',
    );
    expect(answered).not.toBe(200);
  });

  it('a chosen route needs a client certificate issued by the configured CA; the others do not', async () => {
    const none = await get('/log/witness/key');
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('UNAUTHENTICATED');
    const stranger = await get('/log/witness/key', { cert: 'stranger' });
    expect(stranger.status).toBe(401);
    const peer = await get('/log/witness/key', { cert: 'client' });
    expect(peer.status).toBe(200);
    expect(peer.body).toMatch(/\+/);
    // Routes outside the list take any client, with or without a certificate.
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/healthz', { cert: 'stranger' })).status).toBe(200);
  });

  it('refuses incomplete TLS settings at start, naming the variable', () => {
    const load = (env: Record<string, string>) => () => loadConfig(env, process.cwd());
    expect(load({ CUSTOS_TLS_CERT: 'a.pem' })).toThrow(/CUSTOS_TLS_KEY/);
    expect(load({ CUSTOS_TLS_KEY: 'a.key' })).toThrow(/CUSTOS_TLS_CERT/);
    expect(load({ CUSTOS_TLS_CERT: 'a', CUSTOS_TLS_KEY: 'b', CUSTOS_TLS_CLIENT_CERT_ROUTES: '/x' })).toThrow(
      /CUSTOS_TLS_CLIENT_CERT_ROUTES/,
    );
    expect(load({ CUSTOS_TLS_CLIENT_CA: 'ca.pem' })).toThrow(/CUSTOS_TLS_CLIENT_CA/);
  });
});
