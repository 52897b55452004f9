import { describe, expect, it } from 'vitest';
import { parseVerifier } from './cosignature.js';
import { createNoteVerifier, parseNoteVerifier } from './note.js';
import { formatProof, parseProof, verifyProof } from './proof-bundle.js';
import { b64, hex, vectors } from './testdata/vectors.js';

const e2e = vectors.cosignature.derived_end_to_end;
const log = parseNoteVerifier(e2e.log.vkey);
const witness = parseVerifier(e2e.witness.vkey_type04);
const leaf = hex(e2e.leaf5_input_hex);

describe('tlog-proof receipts', () => {
  it('parses and re-formats the derived receipt byte for byte', () => {
    const p = parseProof(e2e.tlog_proof_leaf5);
    expect(p.index).toBe(5);
    expect(p.proof).toEqual(e2e.inclusion_proof_leaf5_in_size8_b64.map(b64));
    expect(p.checkpointNote).toBe(e2e.checkpoint_size8_cosigned);
    expect(formatProof(p)).toBe(e2e.tlog_proof_leaf5);
  });
  it('keeps the optional extra line', () => {
    const p = { ...parseProof(e2e.tlog_proof_leaf5), extra: Uint8Array.of(1, 2, 3) };
    const text = formatProof(p);
    expect(text.split('\n')[1]).toBe('extra AQID');
    expect(parseProof(text).extra).toEqual(Uint8Array.of(1, 2, 3));
  });
  it('verifies with the log key and a witness quorum of 1', () => {
    const r = verifyProof(e2e.tlog_proof_leaf5, leaf, log, { witnesses: [witness], quorum: 1 });
    expect(r.ok).toBe(true);
    expect(r.logSignatureVerified).toBe(true);
    expect(r.inclusionVerified).toBe(true);
    expect(r.witnesses).toEqual([
      { name: e2e.witness.name, keyId: witness.keyId, verified: true, timestamp: e2e.cosignature_timestamp },
    ]);
    expect(r.checkpoint?.size).toBe(8);
  });
  it('reports each failure with a code', () => {
    expect(verifyProof(e2e.tlog_proof_leaf5, Uint8Array.of(0x40), log).code).toBe('LOG_PROOF_INVALID');
    const wrongIndex = e2e.tlog_proof_leaf5.replace('index 5', 'index 4');
    expect(verifyProof(wrongIndex, leaf, log).code).toBe('LOG_PROOF_INVALID');
    const otherLog = createNoteVerifier(e2e.log.name, new Uint8Array(32).fill(5));
    expect(verifyProof(e2e.tlog_proof_leaf5, leaf, otherLog).code).toBe('LOG_SIGNATURE_INVALID');
    const noWitness = vectors.cosignature.derived_end_to_end.tlog_proof_leaf5.replace(
      e2e.witness_signature_line,
      '',
    );
    const r = verifyProof(noWitness, leaf, log, { witnesses: [witness], quorum: 1 });
    expect(r.code).toBe('LOG_SIGNATURE_INVALID');
    expect(r.inclusionVerified).toBe(true);
    expect(verifyProof(noWitness, leaf, log).ok).toBe(true);
    expect(verifyProof('c2sp.org/tlog-proof@v1\nindex 05\n\nx', leaf, log).code).toBe('LOG_MALFORMED');
    expect(verifyProof('garbage', leaf, log).code).toBe('LOG_MALFORMED');
    expect(verifyProof(e2e.tlog_proof_leaf5, null as unknown as Uint8Array, log).ok).toBe(false);
  });
});
