import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Bundle,
  type BundleRecord,
  formatBundle,
  verifyBundle,
} from '../../src/domain/federation/index.js';
import { isKeyValidAt, type SigningKey } from '../../src/domain/registry/index.js';
import { buildBundle } from '../../src/services/federation/index.js';
import { createRegistryRepo } from '../../src/store/registry.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { initialReport, submit } from '../fixtures/reports.js';

/**
 * Issue 17 item 3 (decision 0028): a node builds the bundle of a stored record from its own log,
 * and the bundle verifies offline with nothing but the node's log key and the state's registered
 * key — including after a JSON round trip, as it travels.
 */
describe.each(testDialects())('forwarding bundles built from the log (%s)', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterEach(async () => {
    await t.close();
  });

  /** The receiver's lookup, here from this node's own registry (a peer would hold forwarded keys). */
  async function stateKeys() {
    const keys: SigningKey[] = await createRegistryRepo(t.ports.db).listSigningKeys('xa-ssac');
    return (_state: string, keyId: string, time: string, record: BundleRecord) => {
      const key = keys.find((k) => k.id === keyId);
      const org = (record.content as { organisation?: string }).organisation;
      if (!key || key.organisation !== org) return undefined;
      return isKeyValidAt(key, time) ? { publicKey: key.publicKey } : { refused: 'KEY_NOT_VALID' as const };
    };
  }

  const travel = (b: Bundle): unknown => JSON.parse(formatBundle(b));

  it('a signed report: its bundle verifies; before a checkpoint covers it there is none yet', async () => {
    const res = await submit(t, 'xa-ssac.submitter', initialReport());
    expect(res.statusCode, res.body).toBe(201);
    const id = 'XA-F1:INITIAL:1';
    expect(await buildBundle(t.ports, t.log.reader, id)).toBeUndefined();
    await t.log.flush();
    const bundle = await buildBundle(t.ports, t.log.reader, id);
    if (!bundle) return expect.fail('no bundle after the checkpoint');
    expect(bundle.original?.signature).toMatch(/^[0-9a-f]{16}:/);
    const options = { sourceLogKey: t.log.keys.vkey, stateKeyAt: await stateKeys() };
    const v = verifyBundle(travel(bundle), options);
    expect(v.ok, v.ok ? '' : v.message).toBe(true);
    if (!v.ok) return;
    expect(v.record.id).toBe(id);
    expect(v.received.index).toBe(bundle.index);
    // The signed bytes are exactly what was submitted.
    expect(Buffer.from(v.original?.bytes ?? []).toString()).toBe(JSON.stringify(initialReport()));
    // The key registration travels as a bundle of its own, with no original.
    const keyId = bundle.original?.signature.split(':')[0] as string;
    const keyBundle = await buildBundle(t.ports, t.log.reader, `key:${keyId}`);
    if (!keyBundle) return expect.fail('no key bundle');
    expect(keyBundle.original).toBeUndefined();
    expect(verifyBundle(travel(keyBundle), options).ok).toBe(true);
  });

  it('a row changed behind the log is caught by the receiver (RECORD_NOT_COMMITTED)', async () => {
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(201);
    await t.log.flush();
    await sql`update reports set report_date = '2026-01-21' where id = 'XA-F1:INITIAL:1'`.execute(
      t.ports.db.kysely,
    );
    const bundle = await buildBundle(t.ports, t.log.reader, 'XA-F1:INITIAL:1');
    if (!bundle) return expect.fail('no bundle');
    const v = verifyBundle(travel(bundle), { sourceLogKey: t.log.keys.vkey, stateKeyAt: await stateKeys() });
    expect(v).toMatchObject({ ok: false, code: 'RECORD_NOT_COMMITTED' });
  });

  it('an unknown record is NOT_FOUND', async () => {
    await expect(buildBundle(t.ports, t.log.reader, 'no-such-record')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
