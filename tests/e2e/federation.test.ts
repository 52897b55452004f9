/**
 * Issue 17 item 7, as users meet it: two nodes in process (a regional inspectorate forwarding XA's
 * records to an agency), the agency's node administrator on the Network page (identity, peers
 * with delivery state, a refused registration, an arrangement recorded with the form, the dead
 * letter with its reason, a peer revoked), the forwarded report's provenance chain verified in
 * the browser, and XA's reviewer reading XA's sharing ledger on the regional node; then two peers
 * whose logs show two histories (decision 0043): the administrator sees each split view with its
 * evidence, resumes forwarding with one and revokes the other.
 */

import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey, verifySplitViewEvidence } from '../../src/log/index.js';
import { createFederation } from '../../src/services/federation/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { initialReport, submit } from '../fixtures/reports.js';
import { growLog, standInNode } from '../fixtures/stand-in-log.js';
import { browserAvailable, ensureWebBuilt, launchBrowser, ROOT, signedInSession } from './harness.js';
import { NetworkScreen } from './pages/models.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 180_000;
const ADMIN = { login: 'node.admin', password: 'node-admin-password-1' };

interface Node {
  readonly t: TestApp;
  readonly url: string;
  readonly identity: { origin: string; logKey: string; nodeKey: string };
  /** A demo user's credentials, or the node administrator's (created on the agency only). */
  user(login: string): { readonly password: string };
}

async function startNode(origin: string): Promise<Node> {
  const t = await createTestApp('sqlite', {
    demo: true,
    env: { CUSTOS_LOG_ORIGIN: origin },
    webDist: join(ROOT, 'web', 'dist'),
  });
  // The browser keeps the session cookie only if it expires after the browser's own clock.
  t.clock.current = new Date();
  const url = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const identity = (
    await t.app.inject({ method: 'GET', url: '/api/node', headers: bearer(t.adminToken) })
  ).json();
  const user = (login: string) => {
    const u = [...t.demo, ADMIN].find((c) => c.login === login);
    if (!u) throw new Error(`no user ${login}`);
    return u;
  };
  return { t, url, identity, user };
}

const post = (n: Node, url: string, body: unknown) =>
  n.t.app.inject({ method: 'POST', url, headers: bearer(n.t.adminToken), payload: body as object });

describe.skipIf(!available)('federation screens over two nodes (Chromium)', () => {
  let browser: Browser;
  let regional: Node;
  let agency: Node;
  let reportId: string;
  let refusedId: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    regional = await startNode('regional.test/log');
    agency = await startNode('agency.test/log');
    // The node's own administrator (no organisation): peers and arrangements are theirs alone.
    expect(
      (
        await post(agency, '/api/users', {
          ...ADMIN,
          name: 'Agency node administrator',
          organisation: null,
          roles: ['admin'],
        })
      ).statusCode,
    ).toBe(201);
    const peerOfAgency = (
      await post(regional, '/api/peers', { name: 'Agency', url: agency.url, ...agency.identity })
    ).json().id;
    const peerOfRegional = (
      await post(agency, '/api/peers', { name: 'Regional', url: regional.url, ...regional.identity })
    ).json().id;
    const kinds = ['key-registration', 'report'];
    await post(regional, '/api/arrangements', {
      peer: peerOfAgency,
      direction: 'send',
      states: ['XA', 'XB'],
      kinds,
      from: '2026-01-01',
    });
    await post(agency, '/api/arrangements', {
      peer: peerOfRegional,
      direction: 'receive',
      states: ['XA'],
      kinds,
      from: '2026-01-01',
    });
    reportId = (await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'))).json().id;
    refusedId = (await submit(regional.t, 'xb-ssac.submitter', initialReport('XB-F1'))).json().id;
    await regional.t.log.flush();
    const fed = createFederation(regional.t.ports, regional.t.log);
    for (let i = 0; i < 10 && (await fed.delivery.deliverOnce()) > 0; i++);
    await fed.delivery.stop();
    await agency.t.log.flush();
    browser = await launchBrowser();
  }, STORY_TIMEOUT_MS);

  const standIns: Server[] = [];
  afterAll(async () => {
    for (const x of standIns) x.close();
    await browser?.close();
    await regional?.t.close();
    await agency?.t.close();
  }, STORY_TIMEOUT_MS);

  it(
    'the node administrator sees and manages the network; the forwarded report’s chain verifies in the browser',
    async () => {
      const s = await signedInSession(browser, agency, ADMIN.login, { expectHttpErrors: [/\/api\/peers$/] });
      try {
        await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network' }).click();
        await s.page.getByRole('heading', { name: 'Network', level: 1 }).waitFor();
        await s.page.getByText('agency.test/log', { exact: true }).waitFor();
        const peers = s.page.getByRole('table', { name: /Peer nodes/ });
        const row = peers.getByRole('row', { name: /Regional/ });
        await row.waitFor();
        await expect.poll(() => row.textContent()).toContain('regional.test/log');
        const dead = s.page.getByRole('table', { name: /Refused deliveries/ });
        await dead.getByRole('row', { name: new RegExp(refusedId) }).waitFor();
        expect(await dead.textContent()).toContain('NOT_ARRANGED');
        // The reason is the code's message, not the node's English wording (kept in the API).
        expect(await dead.textContent()).toContain('No sharing arrangement covers this record.');
        expect(await dead.textContent()).not.toContain('no arrangement with peer');
        expect(await s.seriousViolations()).toEqual([]);

        // A registration the server refuses says why, by keyboard alone.
        const form = s.page.getByRole('form', { name: 'Register a peer' });
        await form.getByLabel('Name').fill('Observer');
        await form.getByLabel('Base URL').fill('http://127.0.0.1:9799');
        await form.getByLabel('Log verifier key').fill('not-a-key');
        await form.getByLabel('Node key').fill('not-a-key');
        await form.getByLabel('Node key').press('Enter');
        await form.getByRole('alert').waitFor();

        // An arrangement recorded with the form is listed.
        const arr = s.page.getByRole('form', { name: 'Record an arrangement' });
        await arr.getByLabel('Direction').selectOption('send');
        await arr.getByLabel('States').fill('xa, xb');
        await arr.getByLabel('From').fill('2026-12-01');
        await arr.getByRole('button', { name: 'Record arrangement' }).click();
        const arrangements = s.page.getByRole('table', { name: /Sharing arrangements/ });
        await arrangements.getByRole('row', { name: /XA, XB/ }).waitFor();
        // Ending it (decision 0044): open until then, then its end is listed.
        const arrRow = arrangements.getByRole('row', { name: /XA, XB/ });
        expect(await arrRow.textContent()).toContain('Open');
        await arrRow.getByRole('button', { name: 'End now' }).click();
        await expect.poll(() => arrRow.textContent()).not.toContain('Open');

        // Revoking asks first, then the peer is listed as revoked.
        s.page.once('dialog', (d) => void d.accept());
        await row.getByRole('button', { name: 'Revoke peer Regional' }).click();
        await expect.poll(() => row.textContent()).toContain('Revoked');

        // The forwarded report: its chain verified here, link by link.
        await s.page.goto(`/records/${encodeURIComponent(reportId)}/provenance`);
        await s.page.getByRole('heading', { name: 'Provenance', level: 1 }).waitFor();
        await s.page.getByText(/The chain holds/).waitFor();
        const checks = s.page.getByRole('list', { name: 'Links of the provenance chain' });
        await expect.poll(() => checks.getByText('Verified').count()).toBe(4);
        expect(await s.page.getByText('Failed').count()).toBe(0);
        expect(await s.seriousViolations()).toEqual([]);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state reads which of its records went to which node, with the signed acknowledgement',
    async () => {
      const s = await signedInSession(browser, regional, 'xa-ssac.reviewer');
      try {
        await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sharing' }).click();
        const ledger = s.page.getByRole('table', { name: /Records about XA sent to other nodes/ });
        const entry = ledger.getByRole('row', { name: new RegExp(reportId) });
        await entry.waitFor();
        // The receiver's signature on its acknowledgement, checked in this browser (decision 0044).
        await entry.getByText('Signature verified').waitFor();
        expect(await ledger.getByText('Signature does not verify').count()).toBe(0);
        const periods = s.page.getByRole('table', { name: 'Sharing periods' });
        await periods.getByRole('row', { name: /Agency/ }).waitFor();
        expect(await entry.textContent()).toContain('Agency');
        expect(await entry.textContent()).toContain('Delivered');
        // XB's record is not XA's business.
        expect(await ledger.textContent()).not.toContain(refusedId);
        await entry.getByText('Recorded by the receiver').click();
        // The acknowledgement opens: the receiving log and its node's signature.
        await entry.getByRole('definition').filter({ hasText: 'agency.test/log' }).waitFor();
        const terms = await entry.getByRole('term').allTextContents();
        expect(terms).toContain('Receiver’s node signature');
        // One signature over the batch, this record's place in it verified here (decision 0070).
        expect(terms).toContain('Batch acknowledgement');
        expect(await s.seriousViolations()).toEqual([]);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );
  it(
    'the administrator sees two peers’ split views with their evidence, resumes one and revokes the other',
    async () => {
      // Two peers of the agency (stand-ins) whose logs it witnesses; each later shows another history.
      const forks = [
        { name: 'Mirror', origin: 'mirror.test/log', seed: 41 },
        { name: 'Rogue', origin: 'rogue.test/log', seed: 42 },
      ].map((p) => ({
        ...p,
        honest: growLog(p.origin, p.seed, 9),
        fork: growLog(p.origin, p.seed, 9, 4),
        forked: false,
      }));
      for (const f of forks) {
        const node = await standInNode(() => (f.forked ? f.fork : f.honest));
        standIns.push(node.server);
        const nodeKey = Buffer.from(ed25519PublicKey(new Uint8Array(32).fill(f.seed))).toString('base64');
        const peer = await post(agency, '/api/peers', {
          name: f.name,
          url: node.url,
          logKey: f.honest.vkey,
          nodeKey,
        });
        expect(peer.statusCode).toBe(201);
        const arr = await post(agency, '/api/arrangements', {
          peer: peer.json().id,
          direction: 'send',
          states: ['XA'],
          kinds: ['report'],
          from: '2026-01-01',
        });
        expect(arr.statusCode).toBe(201);
      }
      const witness = createFederation(agency.t.ports, agency.t.log).witness;
      expect(await witness.witnessOnce()).toContain('consistent');
      for (const f of forks) f.forked = true;
      expect((await witness.witnessOnce()).filter((o) => o === 'split-view')).toHaveLength(2);
      await witness.stop();

      const s = await signedInSession(browser, agency, ADMIN.login);
      try {
        await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network' }).click();
        await s.page.getByRole('heading', { name: 'Network', level: 1 }).waitFor();
        const net = new NetworkScreen(s.page);
        for (const f of forks) {
          const row = net.splitView(f.origin);
          await row.waitFor();
          const text = await row.textContent();
          expect(text).toContain(f.name);
          // Same size, two roots: the cause in words, proven offline, forwarding stopped.
          expect(text).toContain('The log signed two different roots for the same tree size.');
          expect(text).toContain('proven offline');
          expect(text).toContain('Forwarding stopped');
          // The evidence the link downloads verifies offline with the peer's log key.
          const href = await row.getByRole('link', { name: 'Download' }).getAttribute('href');
          const file = await s.page.evaluate(async (u) => (await fetch(u ?? '')).text(), href);
          expect(verifySplitViewEvidence(file, f.honest.vkey)).toMatchObject({ ok: true, sizes: [9, 9] });
        }
        expect(await s.seriousViolations()).toEqual([]);

        const [mirror, rogue] = forks as [(typeof forks)[number], (typeof forks)[number]];
        await net.decide(mirror.origin, 'resume');
        await expect.poll(() => net.splitView(mirror.origin).textContent()).toContain('Forwarding resumed');
        await net.decide(rogue.origin, 'revoke');
        await expect.poll(() => net.splitView(rogue.origin).textContent()).toContain('Peer revoked');
        // The revoked peer is listed so; the resumed one stays active.
        await expect.poll(() => net.peer('Rogue').textContent()).toContain('Revoked');
        expect(await net.peer('Mirror').textContent()).not.toContain('Revoked');
        expect(
          await net
            .splitViews()
            .getByRole('button', { name: /^(Resume forwarding|Revoke the peer)/ })
            .count(),
        ).toBe(0);
        expect(await s.seriousViolations()).toEqual([]);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
      // Both decisions are records in the agency's log.
      const decided = await agency.t.ports.db.kysely
        .selectFrom('records')
        .select('id')
        .where('kind', '=', 'split-view-decision')
        .execute();
      expect(decided).toHaveLength(2);
    },
    STORY_TIMEOUT_MS,
  );
});
