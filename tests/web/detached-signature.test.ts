import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { ed25519PublicKey } from '../../src/log/index.js';
import { checkDetachedSignature, keyIdOf } from '../../web/src/signing.js';

const seed = new Uint8Array(32).fill(7);
const other = new Uint8Array(32).fill(9);
const key = (s: Uint8Array, revokedAt: string | null = null) => ({
  id: keyIdOf(ed25519PublicKey(s)),
  publicKey: Buffer.from(ed25519PublicKey(s)).toString('base64'),
  validFrom: '2024-01-01T00:00:00Z',
  validTo: null,
  revokedAt,
});
const bytes = new TextEncoder().encode(
  '{"state":"XA","article":"2.a.i","period":{"from":"2026-01-01","to":"2026-12-31"},"items":[]}',
);
const at = '2026-11-28T09:00:00Z';

/**
 * Issue 19: a declaration signed with `custos report sign` is pasted into the editor and checked
 * against the organisation's registered keys before it is sent.
 */
describe('a pasted CLI signature, checked in the browser before submitting', () => {
  it('is verified when a registered, valid key signed exactly these bytes (whitespace around it ignored)', () => {
    const header = signatureHeader(seed, bytes);
    expect(checkDetachedSignature([key(other), key(seed)], bytes, ` ${header}\n`, at)).toEqual({
      kind: 'verified',
      keyId: key(seed).id,
    });
  });

  it('says why it fails: changed bytes, a foreign key, a revoked key, a malformed paste', () => {
    const header = signatureHeader(seed, bytes);
    const changed = new TextEncoder().encode(new TextDecoder().decode(bytes).replace('2.a.i', '2.b'));
    expect(checkDetachedSignature([key(seed)], changed, header, at)).toMatchObject({ reason: 'mismatch' });
    expect(checkDetachedSignature([key(other)], bytes, header, at)).toMatchObject({
      reason: 'no-key',
      keyId: key(seed).id,
    });
    expect(checkDetachedSignature([key(seed, '2026-06-01T00:00:00Z')], bytes, header, at)).toMatchObject({
      reason: 'not-valid',
    });
    for (const bad of ['', 'abc', `${key(seed).id}:AAAA`, header.replace(':', ';')])
      expect(checkDetachedSignature([key(seed)], bytes, bad, at)).toMatchObject({ reason: 'format' });
  });
});
