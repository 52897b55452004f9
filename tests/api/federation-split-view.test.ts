import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKeyId } from '../../src/domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign, encodeBase64, verifySplitViewEvidence } from '../../src/log/index.js';
import type { MemoryLog } from '../../src/log/testdata/memory-log.js';
import { createFederation, INBOX_PATH, signRequest } from '../../src/services/federation/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { initialReport, submit } from '../fixtures/reports.js';
import { growLog, standInNode } from '../fixtures/stand-in-log.js';

/**
 * Decision 0043 in process: this node cross-witnesses a peer's log (served by a small HTTP stand-in
 * whose history can be rewritten), finds the split view, lists LOG_SPLIT_VIEW and opens its case,
 * pauses its outbox to that peer and refuses its inbox requests, serves evidence that verifies
 * offline, and the administrator's decision is a logged, authorized action.
 */
const ORIGIN = 'peer.test/log';

describe('split views of a peer log (sqlite)', () => {
  let t: TestApp;
  let server: Server;
  let url: string;
  let peerId: string;
  /** What the stand-in peer serves as its log: the honest history, then a fork with the same key. */
  let serving: MemoryLog;
  const honest = growLog(ORIGIN, 7, 12);
  const fork = growLog(ORIGIN, 7, 12, 6);
  serving = honest;
  const nodeSeed = new Uint8Array(32).fill(5);
  const nodeRaw = ed25519PublicKey(nodeSeed);
  const peerNodeKey = {
    publicKey: Buffer.from(nodeRaw).toString('base64'),
    keyId: computeKeyId(nodeRaw),
    sign: (m: Uint8Array) => ed25519Sign(nodeSeed, m),
  };
  const admin = (method: 'GET' | 'POST', path: string, payload?: object) =>
    t.app.inject({ method, url: path, headers: bearer(t.adminToken), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    ({ server, url } = await standInNode(() => serving));
    t = await createTestApp('sqlite', { demo: true });
    peerId = await addPeer(t, url, honest.vkey, peerNodeKey.publicKey);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    server?.close();
  });

  it('witnesses the log, catches the rewritten history, halts it, and an administrator decides', async () => {
    const fed = createFederation(t.ports, t.log);
    expect(await fed.witness.witnessOnce()).toContain('consistent');
    const peers = (await admin('GET', '/api/peers')).json() as { id: string; witnessed: { size: number } }[];
    expect(peers.find((p) => p.id === peerId)?.witnessed.size).toBe(12);

    // A record to forward is queued for the peer (arrangement to send XA).
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    await t.log.flush();

    // The peer's history is rewritten and re-signed with the same key: the next round finds it.
    serving = fork;
    expect(await fed.witness.witnessOnce()).toContain('split-view');
    const list = (await admin('GET', '/api/federation/split-views')).json() as {
      id: string;
      origin: string;
      peer: string;
      proven: boolean;
      status: string;
    }[];
    expect(list).toHaveLength(1);
    const sv = list[0] as (typeof list)[number];
    expect(sv).toMatchObject({
      origin: ORIGIN,
      peer: peerId,
      proven: true,
      cause: 'same-size',
      status: 'open',
    });

    // The alarm and its case, for the state the arrangement covers; once per cause.
    const alarms = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?code=LOG_SPLIT_VIEW',
      headers: bearer(t.token('agency.inspector')),
    });
    expect(alarms.json().items).toEqual([
      expect.objectContaining({ code: 'LOG_SPLIT_VIEW', state: 'XA', ref: ORIGIN }),
    ]);
    // The overview's counts (GET /api/alarms/summary) count it as the list does, per state in scope.
    const summary = async (login: string) =>
      (
        await t.app.inject({ method: 'GET', url: '/api/alarms/summary', headers: bearer(t.token(login)) })
      ).json() as { total: number; states: { state: string; codes: Record<string, number> }[] };
    const inspector = await summary('agency.inspector');
    expect(inspector.states.find((s) => s.state === 'XA')?.codes.LOG_SPLIT_VIEW).toBe(1);
    expect(inspector.states.every((s) => s.state === 'XA' || !s.codes.LOG_SPLIT_VIEW)).toBe(true);
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?limit=1',
      headers: bearer(t.token('agency.inspector')),
    });
    expect(inspector.total).toBe(listed.json().total);
    // A state's users see their own state's alarms only: XB's summary has no split view of XA's.
    expect((await summary('xb-ssac.reviewer')).states.some((s) => (s.codes.LOG_SPLIT_VIEW ?? 0) > 0)).toBe(
      false,
    );
    expect(await fed.witness.witnessOnce()).toContain('halted');
    const cases = await t.ports.db.kysely
      .selectFrom('cases')
      .select(['case_key', 'state'])
      .where('case_key', 'like', 'split-view:%')
      .execute();
    expect(cases).toEqual([
      { case_key: `split-view:XA:${encodeURIComponent(ORIGIN)}:${sv.id}`, state: 'XA' },
    ]);

    // Forwarding stops both ways: the outbox sends nothing, the inbox refuses the peer.
    expect(await fed.delivery.deliverOnce()).toBe(0);
    const pending = await t.ports.db.kysely
      .selectFrom('fed_outbox')
      .select('status')
      .where('peer_id', '=', peerId)
      .execute();
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((r) => r.status === 'pending')).toBe(true);
    const inbox = async () => {
      const target = `http://localhost:80${INBOX_PATH}`;
      const body = new TextEncoder().encode(JSON.stringify({ bundles: [] }));
      const nonce = encodeBase64(t.ports.random.bytes(18));
      const headers = await signRequest(
        peerNodeKey,
        { method: 'POST', url: target, body },
        t.clock.now(),
        nonce,
      );
      const res = await t.app.inject({
        method: 'POST',
        url: INBOX_PATH,
        headers,
        payload: Buffer.from(body),
      });
      return { status: res.statusCode, code: (res.json() as { error?: { code?: string } }).error?.code };
    };
    expect(await inbox()).toEqual({ status: 409, code: 'LOG_INCONSISTENT' });

    // The evidence verifies offline, with the key it carries; nobody can fetch an unknown one.
    const evidence = await t.app.inject({
      method: 'GET',
      url: `/api/federation/split-views/${sv.id}/evidence`,
      headers: bearer(t.token('agency.inspector')),
    });
    expect(evidence.statusCode).toBe(200);
    expect(verifySplitViewEvidence(evidence.body)).toMatchObject({ ok: true, sizes: [12, 12] });
    expect(verifySplitViewEvidence(evidence.body, honest.vkey)).toMatchObject({ ok: true });
    expect((await admin('GET', '/api/federation/split-views/nope/evidence')).statusCode).toBe(404);

    // Only an administrator decides; the decision is a logged record; a second one is a conflict.
    const path = `/api/federation/split-views/${sv.id}/decision`;
    const byInspector = await t.app.inject({
      method: 'POST',
      url: path,
      headers: bearer(t.token('agency.inspector')),
      payload: { action: 'resume' },
    });
    expect(byInspector.statusCode).toBe(403);
    expect((await admin('POST', path, { action: 'pause' })).statusCode).toBe(400);
    const decided = await admin('POST', path, { action: 'resume', note: 'the operator restored a backup' });
    expect(decided.statusCode).toBe(200);
    expect((await admin('POST', path, { action: 'revoke' })).json().error.code).toBe('CONFLICT');
    const record = await t.ports.db.kysely
      .selectFrom('records')
      .select(['kind', 'log_index'])
      .where('id', '=', `split-view-decision:${sv.id}`)
      .executeTakeFirst();
    expect(record).toMatchObject({ kind: 'split-view-decision', log_index: decided.json().logIndex });

    // Resumed: the log as it is now is the history from here on, and forwarding starts again.
    expect(await fed.witness.witnessOnce()).toContain('consistent');
    expect(await inbox()).toMatchObject({ status: 200 });
    expect(((await admin('GET', '/api/federation/split-views')).json() as unknown[]).length).toBe(1);
    await fed.witness.stop();
    await fed.delivery.stop();
  });
});

/**
 * The smaller tree first: a split view the log cannot be proven of yet (cause no-proof, not
 * provable offline) is recorded at once, keeps being compared, and is upgraded in place — same id,
 * one case — when the forked log signs a tree of the witnessed size.
 */
describe('a split view proven later (sqlite)', () => {
  let t: TestApp;
  let server: Server;
  const honest = growLog(ORIGIN, 7, 12);
  const shortFork = growLog(ORIGIN, 7, 8, 6);
  const fork = growLog(ORIGIN, 7, 12, 6);
  let serving = honest;

  beforeAll(async () => {
    let url: string;
    ({ server, url } = await standInNode(() => serving));
    t = await createTestApp('sqlite', { demo: true });
    await addPeer(
      t,
      url,
      honest.vkey,
      Buffer.from(ed25519PublicKey(new Uint8Array(32).fill(6))).toString('base64'),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    server?.close();
  });

  it('records the unprovable one at once and upgrades it when the forked log reaches the witnessed size', async () => {
    const fed = createFederation(t.ports, t.log);
    const splitViews = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/federation/split-views',
          headers: bearer(t.adminToken),
        })
      ).json() as { id: string; proven: boolean; cause: string; status: string }[];
    const cases = () =>
      t.ports.db.kysely
        .selectFrom('cases')
        .select('case_key')
        .where('case_key', 'like', 'split-view:%')
        .execute();
    expect(await fed.witness.witnessOnce()).toContain('consistent');

    // Size 8 signed after size 12, and the log (now 8 leaves) cannot prove 8 → 12.
    serving = shortFork;
    expect(await fed.witness.witnessOnce()).toContain('split-view');
    const first = await splitViews();
    expect(first).toEqual([expect.objectContaining({ proven: false, cause: 'no-proof', status: 'open' })]);
    const id = first[0]?.id;
    expect(await cases()).toHaveLength(1);

    // Not halted: compared again, and two roots of size 12 prove it.
    serving = fork;
    expect(await fed.witness.witnessOnce()).toContain('split-view');
    expect(await splitViews()).toEqual([
      expect.objectContaining({ id, proven: true, cause: 'same-size', status: 'open' }),
    ]);
    const evidence = await t.app.inject({
      method: 'GET',
      url: `/api/federation/split-views/${id}/evidence`,
      headers: bearer(t.token('agency.inspector')),
    });
    expect(verifySplitViewEvidence(evidence.body, honest.vkey)).toMatchObject({ ok: true, sizes: [12, 12] });
    expect(await cases()).toHaveLength(1);
    // Proven: the log is halted now.
    expect(await fed.witness.witnessOnce()).toContain('halted');
    await fed.witness.stop();
    await fed.delivery.stop();
  });
});

/** The stand-in registered as a peer, with arrangements both ways for XA's keys and reports. */
async function addPeer(t: TestApp, url: string, logKey: string, nodeKey: string): Promise<string> {
  const admin = (path: string, payload: object) =>
    t.app.inject({ method: 'POST', url: path, headers: bearer(t.adminToken), payload });
  const peerId = (await admin('/api/peers', { name: 'Peer', url, logKey, nodeKey })).json().id as string;
  for (const direction of ['send', 'receive'])
    expect(
      (
        await admin('/api/arrangements', {
          peer: peerId,
          direction,
          states: ['XA'],
          kinds: ['key-registration', 'report'],
          from: '2026-01-01',
        })
      ).statusCode,
    ).toBe(201);
  return peerId;
}
