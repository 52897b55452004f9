import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxBodyLimit } from '../../src/server/routes/federation.js';
import { INBOX_PATH } from '../../src/services/federation/delivery.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * A report the sender accepted must fit the receiver's inbox: its signed body travels base64 in
 * the bundle, a third bigger than the report limit that both nodes share. With the inbox held to
 * that limit, such a report was refused with 413 on every retry and held delivery behind it.
 */
const MB = 1024 * 1024;

/** A request of one bundle whose original is `size` bytes, with proofs of a realistic size. */
function oneBundle(size: number): string {
  return JSON.stringify({
    bundles: [
      {
        source: 'regional.test/log',
        index: 123456,
        leaf: Buffer.alloc(120, 1).toString('base64'),
        record: {
          kind: 'report',
          id: 'XA-F1:ICR:7',
          leafId: 'f'.repeat(32),
          content: {},
          salt: 'A'.repeat(44),
        },
        original: { bytes: Buffer.alloc(size, 7).toString('base64'), signature: `k:${'S'.repeat(88)}` },
        proof: 'p'.repeat(8 * 1024),
      },
    ],
  });
}

describe('the federation inbox takes a bundle of the biggest report a node accepts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { env: { CUSTOS_BODY_LIMIT_MB: '1' } });
  });
  afterAll(async () => {
    await t?.close();
  });
  const post = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: INBOX_PATH,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });

  it('reads a request carrying a report at the limit, then judges its signature', async () => {
    const body = oneBundle(MB);
    expect(body.length).toBeGreaterThan(MB);
    expect(body.length).toBeLessThanOrEqual(inboxBodyLimit(MB));
    const r = await post(body);
    expect([r.statusCode, r.json().error.code]).toEqual([401, 'REQUEST_SIGNATURE_INVALID']);
  });

  it('refuses a request past its own limit with 413', async () => {
    const r = await post(`{"bundles":[],"pad":"${'x'.repeat(inboxBodyLimit(MB))}"}`);
    expect(r.statusCode).toBe(413);
  });
});
