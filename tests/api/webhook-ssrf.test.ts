import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDispatcher } from '../../src/services/notifications/index.js';
import { resolvePermitted, TargetRefused } from '../../src/services/notifications/webhook-transport.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * Issue 15 item 3: webhooks are no request-forgery tool. Each case failed on the code before:
 * loopback, private, link-local and mapped targets were accepted, callers chose any header, and
 * verify answered a closed port (503 UNAVAILABLE, with the socket error) unlike an open one (400).
 */
describe('webhook targets (sqlite)', () => {
  let t: TestApp;
  let open: TestApp;
  let server: Server;
  let port = 0;
  let closedPort = 0;
  let deliveries = 0;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
    open = await createTestApp('sqlite', { demo: true, env: { CUSTOS_WEBHOOK_ALLOW_PRIVATE: '1' } });
    server = createServer((req, res) => {
      if (req.url === '/echo') {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          const parsed = JSON.parse(body) as { challenge?: string };
          if (parsed.challenge === undefined) deliveries++;
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ challenge: parsed.challenge }));
        });
        return;
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/echo' }).end();
        return;
      }
      res
        .writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain' })
        .end('not the challenge');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.close();
    await open.close();
  });

  const register = (app: TestApp, payload: object) =>
    app.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: bearer(app.token('xa-ssac.admin')),
      payload,
    });

  it('refuses loopback, private, link-local, unique-local, CGNAT and mapped targets', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://localhost./hook',
      'https://api.localhost/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:a9fe:a9fe]/latest/meta-data',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.7/hook',
      'https://192.168.1.1/hook',
      'https://172.20.0.1/hook',
      'https://100.64.0.1/hook',
      'https://[fd00::1]/hook',
      'https://[fe80::1]/hook',
      'https://0.0.0.0/hook',
      'https://224.0.0.1/hook',
    ]) {
      const res = await register(t, { url });
      expect(res.statusCode, url).toBe(400);
      const codes = (res.json().error.details as { code: string }[]).map((d) => d.code);
      expect(codes, url).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(PRIVATE_ADDRESS|SCHEME)$/)]),
      );
    }
    expect((await register(t, { url: 'https://hooks.example.org/custos' })).statusCode).toBe(201);
  });

  it('checks every address a name resolves to, and refuses a private one', async () => {
    await expect(resolvePermitted('localhost', false)).rejects.toBeInstanceOf(TargetRefused);
    await expect(resolvePermitted('[::1]', false)).rejects.toBeInstanceOf(TargetRefused);
    await expect(resolvePermitted('127.0.0.1', true)).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(resolvePermitted('93.184.216.34', false)).resolves.toMatchObject({ family: 4 });
  });

  it('allows only a fixed set of headers', async () => {
    for (const headers of [
      { Host: 'internal.example' },
      { 'X-Forwarded-For': '10.0.0.1' },
      { Cookie: 'a=b' },
    ]) {
      const res = await register(t, { url: 'https://hooks.example.org/h', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(400);
      expect(res.json().error.details[0].code).toBe('NOT_ALLOWED');
    }
    const ok = await register(t, {
      url: 'https://hooks.example.org/h',
      headers: { Authorization: 'Bearer s3cret' },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('gives one answer for every failed verification: closed port, 404, wrong echo, redirect', async () => {
    const answers = new Set<string>();
    for (const url of [
      `http://127.0.0.1:${closedPort}/hook`,
      `http://127.0.0.1:${port}/missing`,
      `http://127.0.0.1:${port}/wrong`,
      `http://127.0.0.1:${port}/redirect`,
    ]) {
      const reg = await register(open, { url });
      expect(reg.statusCode, reg.body).toBe(201);
      const res = await open.app.inject({
        method: 'POST',
        url: `/api/webhooks/${reg.json().id}/verify`,
        headers: bearer(open.token('xa-ssac.admin')),
        payload: {},
      });
      answers.add(`${res.statusCode} ${res.body}`);
    }
    expect([...answers]).toHaveLength(1);
    const [only] = [...answers];
    expect(only).toMatch(/^400 /);
    expect(only).toContain('NOT_VERIFIED');
  });

  it('checks the address again at every delivery: a verified target that is private is not reached', async () => {
    const reg = await register(open, { url: `http://127.0.0.1:${port}/echo`, events: ['case.opened'] });
    const id = reg.json().id as string;
    const verified = await open.app.inject({
      method: 'POST',
      url: `/api/webhooks/${id}/verify`,
      headers: bearer(open.token('xa-ssac.admin')),
      payload: {},
    });
    expect(verified.json().status).toBe('verified');
    const opened = await open.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(open.token('agency.inspector')),
      payload: { kind: 'question', state: 'XA', title: 'delivery check' },
    });
    expect(opened.statusCode).toBe(201);
    deliveries = 0;
    // The same node with the setting off (as in production): the delivery is refused unsent.
    const strict = { ...open.ports, config: { ...open.ports.config, webhookAllowPrivate: false } };
    expect(await createWebhookDispatcher(strict, { rng: () => 0 }).runDue()).toMatchObject({ failed: 1 });
    expect(deliveries).toBe(0);
    const log = await open.app.inject({
      method: 'GET',
      url: `/api/webhooks/${id}/deliveries`,
      headers: bearer(open.token('xa-ssac.admin')),
    });
    expect(log.json()[0]).toMatchObject({ lastError: 'delivery failed', lastStatus: null });
    // And with it on, the pinned transport reaches the receiver.
    open.clock.advance(60_000);
    expect(await createWebhookDispatcher(open.ports, { rng: () => 0 }).runDue()).toMatchObject({
      delivered: 1,
    });
    expect(deliveries).toBe(1);
  });
});
