import { describe, expect, it } from 'vitest';
import { encodeBase64, formatProof, parseProof } from '../../log/index.js';
import { createChainFixture, STATE_KEY_ID } from './bundle.test-support.js';
import {
  type ChainStep,
  type ChainVerification,
  formatProvenanceChain,
  PROVENANCE_CHAIN_TYPE,
  type ProvenanceChain,
  type VerifyChainOptions,
  verifyProvenanceChain,
} from './index.js';

const failedAt = (v: ChainVerification): [ChainStep, string] | 'ok' => (v.ok ? 'ok' : [v.step, v.code]);

describe('verifyProvenanceChain', () => {
  it('state signature → source log → receiver log, from the JSON file alone', async () => {
    const { chain, options } = await createChainFixture();
    const typed: { chain: Omit<ProvenanceChain, 'type'>; options: VerifyChainOptions } = { chain, options };
    const text = formatProvenanceChain(typed.chain);
    expect(JSON.parse(text).type).toBe(PROVENANCE_CHAIN_TYPE);
    const v = verifyProvenanceChain(JSON.parse(text), options);
    expect(failedAt(v)).toBe('ok');
    if (v.ok) {
      expect(v.keyId).toBe(STATE_KEY_ID);
      expect(v.receiver.record.kind).toBe('received');
      expect(v.source.record.id).toBe('XA-M1:ICR:1');
    }
  });

  it('names the link that fails', async () => {
    const forged = await createChainFixture({ forgedBy: new Uint8Array(32).fill(66) });
    expect(
      failedAt(verifyProvenanceChain(JSON.parse(formatProvenanceChain(forged.chain)), forged.options)),
    ).toEqual(['source', 'STATE_SIGNATURE_INVALID']);
    const { chain, options, a, r } = await createChainFixture();
    const c = JSON.parse(formatProvenanceChain(chain));
    // The keys swapped: A's key for R's log and R's for A's.
    expect(
      failedAt(verifyProvenanceChain(c, { sourceLogKey: a.log.vkey, receiverLogKey: r.log.vkey })),
    ).toEqual(['key-registration', 'CHECKPOINT_ORIGIN_MISMATCH']);
    const { keyRegistration: _k, ...noKey } = c;
    expect(failedAt(verifyProvenanceChain(noKey, options))).toEqual(['source', 'STATE_KEY_UNKNOWN']);
    const p = parseProof(chain.received.proof);
    const badReceipt = {
      ...c,
      received: {
        ...chain.received,
        proof: formatProof({ ...p, proof: p.proof.map((h) => h.map((b) => b ^ 4)) }),
      },
    };
    expect(failedAt(verifyProvenanceChain(badReceipt, options))).toEqual(['receiver', 'INCLUSION_INVALID']);
    const elsewhere = await createChainFixture({ receivedIndex: 0 });
    expect(
      failedAt(verifyProvenanceChain(JSON.parse(formatProvenanceChain(elsewhere.chain)), elsewhere.options)),
    ).toEqual(['link', 'RECORD_NOT_COMMITTED']);
    expect(failedAt(verifyProvenanceChain({ ...c, type: 'x' }, options))).toEqual([
      'source',
      'BUNDLE_MALFORMED',
    ]);
  });

  it('two checkpoints of the source need the consistency proof between them', async () => {
    const { chain, options, keyAtSize1, r } = await createChainFixture();
    const older = { ...chain, keyRegistration: keyAtSize1 };
    expect(failedAt(verifyProvenanceChain(JSON.parse(formatProvenanceChain(older)), options))).toEqual([
      'source',
      'CONSISTENCY_UNPROVEN',
    ]);
    const sourceConsistency = (await r.log.consistency(1, 2)).map(encodeBase64);
    const proven = { ...older, sourceConsistency };
    expect(failedAt(verifyProvenanceChain(JSON.parse(formatProvenanceChain(proven)), options))).toBe('ok');
  });
});
