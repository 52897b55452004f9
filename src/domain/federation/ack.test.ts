import { describe, expect, it } from 'vitest';
import { canonicalizeRecord, ed25519PublicKey, ed25519Sign, encodeBase64 } from '../../log/index.js';
import { verifyAcknowledgement } from './ack.js';

describe('verifyAcknowledgement', () => {
  const seed = new Uint8Array(32).fill(7);
  const key = encodeBase64(ed25519PublicKey(seed));
  const ack = {
    receiver: 'agency.test/log',
    source: 'regional.test/log',
    index: 12,
    status: 'applied',
    leafHash: 'AAAA',
    receivedIndex: 40,
    at: '2026-11-28T09:00:00.000Z',
  };
  const signed = { ...ack, signature: encodeBase64(ed25519Sign(seed, canonicalizeRecord(ack))) };

  it('accepts the receiver’s signature and refuses any change, another key or a malformed row', () => {
    expect(verifyAcknowledgement(signed, key)).toBe(true);
    expect(verifyAcknowledgement({ ...signed, receivedIndex: 41 }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...signed, extra: 1 }, key)).toBe(false);
    const other = encodeBase64(ed25519PublicKey(new Uint8Array(32).fill(8)));
    expect(verifyAcknowledgement(signed, other)).toBe(false);
    expect(verifyAcknowledgement({ ...signed, signature: 'not base64!' }, key)).toBe(false);
    expect(verifyAcknowledgement(null, key)).toBe(false);
    expect(verifyAcknowledgement(signed, 'short')).toBe(false);
  });
});
