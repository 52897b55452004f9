/**
 * A peer back from an outage is caught up promptly (issue 17 item 6, decision 0053): while it is
 * down its rows back off (up to minutes) but the peer is probed with a cheap GET every few
 * seconds, never faster; the moment it answers, everything held is sent, in order, in one pass.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFederation } from '../../src/services/federation/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { initialReport, submit } from '../fixtures/reports.js';

/** A plain HTTP relay to `target` on `port`: the link to the peer, cut by closing it. */
function relay(target: string): Server {
  const to = new URL(target);
  return createServer((req, res) => {
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
}

const listen = (s: Server, port = 0) =>
  new Promise<number>((resolve) =>
    s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
  );
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

describe.each(testDialects())('catching up on a peer back from an outage on %s', (dialect) => {
  let regional: TestApp;
  let agency: TestApp;
  let link: Server;
  let port: number;
  let peerOfAgency: string;
  const post = (t: TestApp, url: string, body: object) =>
    t.app.inject({ method: 'POST', url, headers: bearer(t.adminToken), payload: body });
  const identity = async (t: TestApp) =>
    (await t.app.inject({ method: 'GET', url: '/api/node', headers: bearer(t.adminToken) })).json();
  const outbox = () =>
    regional.ports.db.kysely
      .selectFrom('fed_outbox')
      .select(['log_index', 'status', 'last_error', 'next_attempt_at'])
      .where('peer_id', '=', peerOfAgency)
      .orderBy('log_index')
      .execute();

  beforeAll(async () => {
    regional = await createTestApp(dialect, {
      demo: true,
      env: { CUSTOS_LOG_ORIGIN: 'regional.catchup/log' },
    });
    agency = await createTestApp(dialect, { demo: true, env: { CUSTOS_LOG_ORIGIN: 'agency.catchup/log' } });
    const regionalUrl = await regional.app.listen({ port: 0, host: '127.0.0.1' });
    const agencyUrl = await agency.app.listen({ port: 0, host: '127.0.0.1' });
    // The regional node knows the agency through the link, down until the test opens it.
    link = relay(agencyUrl);
    port = await listen(link);
    await close(link);
    const [r, a] = [await identity(regional), await identity(agency)];
    peerOfAgency = (
      await post(regional, '/api/peers', {
        name: 'Agency',
        url: `http://127.0.0.1:${port}`,
        logKey: a.logKey,
        nodeKey: a.nodeKey,
      })
    ).json().id;
    const peerOfRegional = (
      await post(agency, '/api/peers', {
        name: 'Regional',
        url: regionalUrl,
        logKey: r.logKey,
        nodeKey: r.nodeKey,
      })
    ).json().id;
    const scope = { states: ['XA'], kinds: ['key-registration', 'report'], from: '2026-01-01' };
    expect(
      (await post(regional, '/api/arrangements', { peer: peerOfAgency, direction: 'send', ...scope }))
        .statusCode,
    ).toBe(201);
    expect(
      (await post(agency, '/api/arrangements', { peer: peerOfRegional, direction: 'receive', ...scope }))
        .statusCode,
    ).toBe(201);
  }, 120_000);
  afterAll(async () => {
    if (link?.listening) await close(link);
    await regional?.close();
    await agency?.close();
  });

  it('probes a down peer every few seconds, never faster, and sends all it holds the moment it answers', async () => {
    const ids: string[] = [];
    for (const mba of ['XA-F1', 'XA-S1', 'XA-R1']) {
      const res = await submit(regional, 'xa-ssac.submitter', initialReport(mba));
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
    }
    await regional.log.flush();
    const fed = createFederation(regional.ports, regional.log);
    // Down: nothing settles; the rows say why and wait.
    expect(await fed.delivery.deliverOnce()).toBe(0);
    const held = await outbox();
    expect(held.length).toBeGreaterThanOrEqual(ids.length);
    expect(held[0]?.last_error).toMatch(/^PEER_UNREACHABLE: /);
    // As after hours down: the next attempt is minutes away.
    const later = new Date(regional.clock.now().getTime() + 5 * 60_000).toISOString();
    await regional.ports.db.kysely
      .updateTable('fed_outbox')
      .set({ attempts: 12, next_attempt_at: later })
      .where('peer_id', '=', peerOfAgency)
      .execute();
    expect(await fed.delivery.deliverOnce()).toBe(0); // probed: still down

    await listen(link, port); // the peer is back
    // Probed a moment ago: not again yet (a down peer is not hammered), so nothing is sent.
    expect(await fed.delivery.deliverOnce()).toBe(0);
    expect((await outbox()).every((r) => r.status === 'pending')).toBe(true);
    // A few seconds later the probe answers: everything held goes at once, backoff or not.
    regional.clock.advance(3_000);
    expect(await fed.delivery.deliverOnce()).toBe(held.length);
    expect((await outbox()).map((r) => r.status)).toEqual(held.map(() => 'delivered'));
    for (const id of ids) {
      const res = await agency.app.inject({
        method: 'GET',
        url: `/api/reports/${encodeURIComponent(id)}`,
        headers: bearer(agency.adminToken),
      });
      expect(res.statusCode).toBe(200);
    }
    // In order: the agency's received records follow the regional log's order.
    const received = await agency.ports.db.kysely
      .selectFrom('fed_inbox')
      .select(['idx', 'received_index'])
      .orderBy('received_index')
      .execute();
    const order = received.map((r) => Number(r.idx));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await fed.delivery.stop();
  });

  it('keeps the peer’s own code when it refuses the whole request, and backs off without probing', async () => {
    // The agency revokes this node: its door refuses every request (PEER_REVOKED).
    const peers = (
      await agency.app.inject({ method: 'GET', url: '/api/peers', headers: bearer(agency.adminToken) })
    ).json();
    expect(
      (await post(agency, `/api/peers/${encodeURIComponent(peers[0].id)}/revoke`, {})).statusCode,
    ).toBeLessThan(300);
    // The acknowledgements as if lost: the rows are sent again.
    await regional.ports.db.kysely
      .updateTable('fed_outbox')
      .set({
        status: 'pending',
        ack: null,
        delivered_at: null,
        next_attempt_at: regional.clock.now().toISOString(),
      })
      .where('peer_id', '=', peerOfAgency)
      .execute();
    const fed = createFederation(regional.ports, regional.log);
    expect(await fed.delivery.deliverOnce()).toBe(0);
    const refused = await outbox();
    expect(refused[0]?.last_error).toMatch(/^PEER_REVOKED: /);
    // The peer answers its health check, but that resumes only a peer that was unreachable.
    const later = new Date(regional.clock.now().getTime() + 5 * 60_000).toISOString();
    await regional.ports.db.kysely
      .updateTable('fed_outbox')
      .set({ next_attempt_at: later })
      .where('peer_id', '=', peerOfAgency)
      .execute();
    regional.clock.advance(3_000);
    expect(await fed.delivery.deliverOnce()).toBe(0);
    expect((await outbox()).every((r) => r.status === 'pending' && r.next_attempt_at === later)).toBe(true);
    await fed.delivery.stop();
  });
});
