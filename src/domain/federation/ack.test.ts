import { describe, expect, it } from 'vitest';
import {
  canonicalizeRecord,
  decodeBase64,
  ed25519PublicKey,
  ed25519Sign,
  encodeBase64,
  leafHash,
  rootFromLeafHashes,
  verifyInclusion,
} from '../../log/index.js';
import { type Ack, openAckBatch, signAckBatch, verifyAcknowledgement } from './ack.js';

const seed = new Uint8Array(32).fill(7);
const key = encodeBase64(ed25519PublicKey(seed));
const other = encodeBase64(ed25519PublicKey(new Uint8Array(32).fill(8)));
const sign = (m: Uint8Array) => ed25519Sign(seed, m);
const receiver = 'agency.test/log';
const ackAt = (index: number): Ack => ({
  receiver,
  source: 'regional.test/log',
  index,
  status: 'applied',
  leafHash: 'AAAA',
  receivedIndex: 40 + index,
  at: '2026-11-28T09:00:00.000Z',
});

describe('verifyAcknowledgement, one signature per record (decision 0027)', () => {
  const ack = ackAt(12);
  const signed = { ...ack, signature: encodeBase64(sign(canonicalizeRecord(ack))) };

  it('accepts the receiver’s signature and refuses any change, another key or a malformed row', () => {
    expect(verifyAcknowledgement(signed, key)).toBe(true);
    expect(verifyAcknowledgement({ ...signed, receivedIndex: 41 }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...signed, extra: 1 }, key)).toBe(false);
    expect(verifyAcknowledgement(signed, other)).toBe(false);
    expect(verifyAcknowledgement({ ...signed, signature: 'not base64!' }, key)).toBe(false);
    expect(verifyAcknowledgement(null, key)).toBe(false);
    expect(verifyAcknowledgement(signed, 'short')).toBe(false);
  });
});

describe('one signature per batch (decision 0070)', () => {
  it('gives every entry of batches of 1 to 33 an inclusion proof under the RFC 6962 root the receiver signed', () => {
    for (let n = 1; n <= 33; n++) {
      const acks = Array.from({ length: n }, (_, i) => ackAt(i));
      const batch = signAckBatch(receiver, acks, sign);
      const root = rootFromLeafHashes(acks.map((a) => leafHash(canonicalizeRecord(a))));
      expect(batch.root).toBe(encodeBase64(root));
      const entries = openAckBatch(receiver, acks, batch, key);
      expect(entries).toHaveLength(n);
      for (const [i, e] of (entries ?? []).entries()) {
        expect(e.batch.position).toBe(i);
        // The path is an RFC 9162 inclusion proof any log tool checks.
        const leaf = leafHash(canonicalizeRecord(acks[i]));
        expect(
          verifyInclusion(
            leaf,
            i,
            n,
            e.batch.proof.map((h) => decodeBase64(h)),
            root,
          ),
        ).toBe(true);
        expect(verifyAcknowledgement(JSON.parse(JSON.stringify(e)), key)).toBe(true);
      }
    }
  });

  it('refuses an entry changed in any member, moved, resized, or under another key', () => {
    const acks = Array.from({ length: 7 }, (_, i) => ackAt(i));
    const entries = openAckBatch(receiver, acks, signAckBatch(receiver, acks, sign), key) ?? [];
    const e = entries[3];
    if (!e) throw new Error('no entry');
    expect(verifyAcknowledgement(e, key)).toBe(true);
    expect(verifyAcknowledgement({ ...e, status: 'refused' }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...e, receiver: 'other.test/log' }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...e, batch: { ...e.batch, position: 2 } }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...e, batch: { ...e.batch, size: 8 } }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...e, batch: { ...e.batch, proof: e.batch.proof.slice(1) } }, key)).toBe(
      false,
    );
    expect(verifyAcknowledgement({ ...e, batch: { ...e.batch, extra: 1 } }, key)).toBe(false);
    expect(verifyAcknowledgement({ ...e, signature: e.batch.signature }, key)).toBe(false);
    expect(verifyAcknowledgement(e, other)).toBe(false);
    // Another entry's proof does not carry this one to the root.
    expect(verifyAcknowledgement({ ...e, batch: entries[4]?.batch }, key)).toBe(false);
  });

  it('opens a batch only when its acknowledgements are the signed leaves, in order, from the receiver', () => {
    const acks = Array.from({ length: 5 }, (_, i) => ackAt(i));
    const batch = signAckBatch(receiver, acks, sign);
    expect(openAckBatch(receiver, acks, batch, key)).toBeDefined();
    expect(openAckBatch(receiver, acks, batch, other)).toBeUndefined();
    expect(openAckBatch(receiver, [...acks].reverse(), batch, key)).toBeUndefined();
    expect(openAckBatch(receiver, acks.slice(1), batch, key)).toBeUndefined();
    expect(
      openAckBatch(receiver, [...acks.slice(0, 4), { ...ackAt(4), status: 'refused' }], batch, key),
    ).toBeUndefined();
    expect(openAckBatch('other.test/log', acks, batch, key)).toBeUndefined();
    expect(openAckBatch(receiver, acks, { ...batch, signature: 'x' }, key)).toBeUndefined();
    expect(openAckBatch(receiver, acks, null, key)).toBeUndefined();
    expect(openAckBatch(receiver, [], { size: 0, root: '', signature: '' }, key)).toBeUndefined();
  });
});
