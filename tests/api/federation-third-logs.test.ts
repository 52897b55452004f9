import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKeyId } from '../../src/domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign, encodeBase64, verifySplitViewEvidence } from '../../src/log/index.js';
import { CHECKPOINTS_PATH, createFederation, signRequest } from '../../src/services/federation/index.js';
import { createFederationRepo } from '../../src/store/federation.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { initialReport, submit } from '../fixtures/reports.js';
import { type ExchangeItem, growLog as grow, standInNode } from '../fixtures/stand-in-log.js';

/**
 * Decision 0054 in process: this node (A) has two peers, B and D (HTTP stand-ins), and no key for
 * a third log C that both of them witness. Their checkpoint exchanges name C's key and URL; A pins
 * the key from the first, checks every checkpoint of C either gives it, and when C has shown B one
 * history and D another, stores evidence that verifies offline, raises LOG_SPLIT_VIEW and opens its
 * case — and keeps forwarding to B and D, which are not the split log.
 */
type Item = ExchangeItem;

describe.each(testDialects())('split views of third logs (%s)', (dialect) => {
  let t: TestApp;
  const servers: Server[] = [];
  const C = 'third.test/log';
  const E = 'other-third.test/log';
  const honestC = grow(C, 21, 12);
  const forkC = grow(C, 21, 14, 6);
  const honestE = grow(E, 22, 5);
  const forkE = grow(E, 22, 5, 2);
  const mallory = grow(C, 23, 12);
  const logB = grow('b.test/log', 24, 3);
  const logD = grow('d.test/log', 25, 3);
  /** What C's own URL serves (the fork, once it has shown it to D), and what B and D exchange. */
  let servingC = honestC;
  let urlC = '';
  const fromB: Item[] = [];
  const fromD: Item[] = [];
  const ids: Record<string, string> = {};
  const admin = (method: 'GET' | 'POST', path: string, payload?: object) =>
    t.app.inject({ method, url: path, headers: bearer(t.adminToken), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    const c = await standInNode(() => servingC);
    urlC = c.url;
    servers.push(c.server);
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_WEBHOOK_ALLOW_PRIVATE: '1' } });
    for (const [name, log, items, seed] of [
      ['B', logB, fromB, 31],
      ['D', logD, fromD, 32],
    ] as const) {
      const s = await standInNode(() => log, items);
      servers.push(s.server);
      const nodeKey = Buffer.from(ed25519PublicKey(new Uint8Array(32).fill(seed))).toString('base64');
      const peer = await admin('POST', '/api/peers', { name, url: s.url, logKey: log.vkey, nodeKey });
      expect(peer.statusCode).toBe(201);
      ids[name] = peer.json().id;
      const arr = await admin('POST', '/api/arrangements', {
        peer: ids[name],
        direction: 'send',
        states: ['XA'],
        kinds: ['key-registration', 'report'],
        from: '2026-01-01',
      });
      expect(arr.statusCode).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    for (const s of servers) s.close();
  });

  it('learns a third log from a peer, catches two histories of it shown to two peers, and keeps forwarding', async () => {
    const fed = createFederation(t.ports, t.log);
    const repo = createFederationRepo(t.ports.db);
    // Unknown without a key; a key not named as the log, or not signing the note, is not learned.
    fromB.push({ origin: C, note: await honestC.checkpoint() });
    fromD.push({ origin: C, note: await honestC.checkpoint(), logKey: logD.vkey });
    expect(await fed.witness.witnessOnce()).toContain('unknown');
    expect(await repo.thirdLog(C)).toBeUndefined();

    // B names C's key and URL: pinned, the checkpoint kept and cosigned.
    fromB[0] = { origin: C, note: await honestC.checkpoint(), logKey: honestC.vkey, url: urlC };
    fromD.length = 0;
    expect(await fed.witness.witnessOnce()).not.toContain('unknown');
    expect(await repo.thirdLog(C)).toMatchObject({
      log_key: honestC.vkey,
      url: urlC,
      via: `exchange:${ids.B}`,
    });
    expect((await repo.latestCheckpoint(C))?.size).toBe(12);

    // This node passes C on to its peers (B asks, signed) with the key and URL it pinned.
    await t.log.flush();
    const body = new TextEncoder().encode(JSON.stringify({ after: '', limit: 100 }));
    const seed = new Uint8Array(32).fill(31);
    const raw = ed25519PublicKey(seed);
    const headers = await signRequest(
      { publicKey: encodeBase64(raw), keyId: computeKeyId(raw), sign: (m) => ed25519Sign(seed, m) },
      { method: 'POST', url: `http://localhost:80${CHECKPOINTS_PATH}`, body },
      t.clock.now(),
      encodeBase64(t.ports.random.bytes(18)),
    );
    const page = await t.app.inject({
      method: 'POST',
      url: CHECKPOINTS_PATH,
      headers,
      payload: Buffer.from(body),
    });
    expect(page.statusCode).toBe(200);
    const items = page.json().checkpoints as Item[];
    expect(items.find((x) => x.origin === C)).toMatchObject({ logKey: honestC.vkey, url: urlC });
    expect(items.find((x) => x.origin === t.ports.config.logOrigin)).toMatchObject({
      logKey: t.log.keys.vkey,
    });

    // D offers another key for C: pinned keys stay, its note verifies nothing of C.
    fromD.push({ origin: C, note: await mallory.checkpoint(), logKey: mallory.vkey, url: urlC });
    expect(await fed.witness.witnessOnce()).toContain('unsigned');
    expect((await admin('GET', '/api/federation/split-views')).json()).toEqual([]);

    // Reports queued for B and D before C splits.
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    await t.log.flush();

    // C shows D another history from leaf 6 on, and serves it at its URL: a proven split view.
    servingC = forkC;
    fromD[0] = { origin: C, note: await forkC.checkpoint(), logKey: honestC.vkey, url: urlC };
    expect(await fed.witness.witnessOnce()).toContain('split-view');
    const list = (await admin('GET', '/api/federation/split-views')).json() as {
      id: string;
      origin: string;
      peer: string | null;
      proven: boolean;
      cause: string;
    }[];
    expect(list).toEqual([
      expect.objectContaining({
        origin: C,
        peer: null,
        proven: true,
        cause: 'other-history',
        status: 'open',
      }),
    ]);
    const sv = list[0] as (typeof list)[number];
    const evidence = await admin('GET', `/api/federation/split-views/${sv.id}/evidence`);
    expect(verifySplitViewEvidence(evidence.body, honestC.vkey)).toMatchObject({ ok: true, sizes: [12, 14] });

    // The alarm and its case, for the states this node exchanges records about.
    const alarms = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?code=LOG_SPLIT_VIEW',
      headers: bearer(t.token('agency.inspector')),
    });
    expect(alarms.json().items).toEqual([
      expect.objectContaining({ code: 'LOG_SPLIT_VIEW', state: 'XA', ref: C }),
    ]);
    const summary = await t.app.inject({
      method: 'GET',
      url: '/api/alarms/summary',
      headers: bearer(t.token('agency.inspector')),
    });
    expect(summary.json().states.find((x: { state: string }) => x.state === 'XA').codes.LOG_SPLIT_VIEW).toBe(
      1,
    );
    const cases = await t.ports.db.kysely
      .selectFrom('cases')
      .select('case_key')
      .where('case_key', 'like', 'split-view:%')
      .execute();
    expect(cases).toEqual([{ case_key: `split-view:XA:${encodeURIComponent(C)}:${sv.id}` }]);

    // B and D are not the split log: forwarding to them goes on.
    expect((await repo.peersWithPending()).map((p) => p.id).sort()).toEqual([ids.B, ids.D].sort());
    expect(await fed.witness.witnessOnce()).toContain('halted');

    // Another third log with no URL: two roots for one size still prove a split view.
    fromB.push({ origin: E, note: await honestE.checkpoint(), logKey: honestE.vkey });
    fromD.push({ origin: E, note: await forkE.checkpoint(), logKey: honestE.vkey });
    expect(await fed.witness.witnessOnce()).toContain('split-view');
    const second = (await admin('GET', '/api/federation/split-views')).json() as {
      origin: string;
      cause: string;
    }[];
    expect(second.find((x) => x.origin === E)).toMatchObject({ cause: 'same-size' });

    // Resumed: the third log's history starts again from what is seen next.
    const resumed = await admin('POST', `/api/federation/split-views/${sv.id}/decision`, {
      action: 'resume',
    });
    expect(resumed.statusCode).toBe(200);
    fromB.length = 0;
    fromD.length = 0;
    fromD.push({ origin: C, note: await forkC.checkpoint(), logKey: honestC.vkey, url: urlC });
    expect(await fed.witness.witnessOnce()).toContain('consistent');
    await fed.witness.stop();
    await fed.delivery.stop();
  });
});
