import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSignerKey,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  verifySplitViewEvidence,
} from '../../src/log/index.js';
import { createFederation } from '../../src/services/federation/index.js';
import { systemRandom } from '../../src/services/ports.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * A node shown a checkpoint of its own log that it did not sign (its history was restored from an
 * older copy and grew differently: the fork suite, tests/reliability/federation-fork.test.ts) finds
 * the split view against its own signed checkpoints. Its tree may be ahead of its last checkpoint
 * (the integrator signs one every CUSTOS_CHECKPOINT_MS): the shown checkpoint is then compared once
 * the node has signed one of its size, and the split view is proven offline, never recorded as
 * "the log's own consistency proof fails" with evidence that proves nothing.
 */
describe.each(testDialects())('a checkpoint of its own log it never signed (%s)', (dialect) => {
  let t: TestApp;
  const admin = (method: 'GET' | 'POST', path: string, payload?: object) =>
    t.app.inject({ method, url: path, headers: bearer(t.adminToken), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('waits for its own checkpoint of that size, then records a proven split view', async () => {
    const origin = t.ports.config.logOrigin;
    const { size } = await t.log.flush();
    // What the other history signed at the next size, with this node's log key.
    const shown = signCheckpoint(
      { origin, size: size + 1, rootHash: systemRandom.bytes(32), extensions: [] },
      [t.log.keys.signer],
    );

    // One more record: the tree holds it, the last signed checkpoint does not yet (none is due).
    const peer = await admin('POST', '/api/peers', {
      name: 'Later',
      url: 'http://127.0.0.1:9',
      logKey: generateSignerKey('later.test/log', new Uint8Array(32).fill(2)).vkey,
      nodeKey: Buffer.from(new Uint8Array(32).fill(3)).toString('base64'),
    });
    expect(peer.statusCode, peer.body).toBe(201);
    await t.log.flush(false);
    expect(await t.log.reader.integratedSize()).toBe(size + 1);
    expect((await t.log.reader.checkpoint())?.size).toBe(size);

    const fed = createFederation(t.ports, t.log);
    expect(await fed.witness.observe(origin, shown, 'test')).toBe('undecided');
    expect((await admin('GET', '/api/federation/split-views')).json()).toEqual([]);

    // Once this node signs its own tree of that size: two roots for one size, proven offline.
    const own = await t.log.flush();
    expect(parseCheckpoint(parseNote(own.checkpoint ?? '').text).size).toBe(size + 1);
    expect(await fed.witness.observe(origin, shown, 'test')).toBe('split-view');
    const list = (await admin('GET', '/api/federation/split-views')).json() as {
      id: string;
      proven: boolean;
      cause: string;
      peer: string | null;
    }[];
    expect(list).toEqual([expect.objectContaining({ peer: null, proven: true, cause: 'same-size' })]);
    const evidence = await admin('GET', `/api/federation/split-views/${list[0]?.id}/evidence`);
    expect(evidence.statusCode).toBe(200);
    expect(verifySplitViewEvidence(evidence.json(), t.log.keys.vkey)).toMatchObject({ ok: true });
  });
});
