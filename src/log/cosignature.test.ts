import { describe, expect, it } from 'vitest';
import { openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import {
  createCosignatureVerifier,
  createCosigner,
  formatCosignedMessage,
  generateCosignerKey,
  parseCosignature,
  parseCosigner,
  parseVerifier,
} from './cosignature.js';
import { decodeUtf8, encodeHex } from './encoding.js';
import {
  createNoteSigner,
  formatKeyId,
  formatSignatureLine,
  openNote,
  parseNote,
  parseNoteVerifier,
} from './note.js';
import { b64, hex, vectors } from './testdata/vectors.js';

const cs = vectors.cosignature;
const e2e = cs.derived_end_to_end;
const code = (c: string) => expect.objectContaining({ code: c });

describe('cosignature/v1 parsing', () => {
  it('splits the transparency-dev timestamp vector', () => {
    const c = parseCosignature(b64(cs.external_timestamp_vector.signature_b64));
    expect(formatKeyId(c.keyId)).toBe(cs.external_timestamp_vector.decoded.key_id_hex);
    expect(c.timestamp).toBe(cs.external_timestamp_vector.decoded.timestamp_u64_be);
    expect(encodeHex(c.signature)).toBe(cs.external_timestamp_vector.decoded.ed25519_sig_hex);
  });
  it('rejects a 68-byte plain Ed25519 note signature', () => {
    expect(() => parseCosignature(b64(cs.wrong_type_example.signature_b64))).toThrow(code('LOG_MALFORMED'));
  });
  it('builds the C2SP signed message', () => {
    const body = cs.c2sp_signed_message_example.message.split('\n').slice(2).join('\n');
    expect(decodeUtf8(formatCosignedMessage(body, 1679315147))).toBe(cs.c2sp_signed_message_example.message);
  });
});

describe('derived end-to-end vectors (log + witness)', () => {
  const logSigner = createNoteSigner(e2e.log.name, hex(e2e.log.ed25519_seed_hex));
  const logVerifier = parseNoteVerifier(e2e.log.vkey);
  const witness = createCosigner(e2e.witness.name, hex(e2e.witness.ed25519_seed_hex));
  const witnessVerifier = parseVerifier(e2e.witness.vkey_type04);

  it('key strings match', () => {
    expect(encodeHex(witness.publicKey)).toBe(e2e.witness.public_key_hex);
    expect(generateCosignerKey(e2e.witness.name, hex(e2e.witness.ed25519_seed_hex)).vkey).toBe(
      e2e.witness.vkey_type04,
    );
    expect(witnessVerifier.keyId).toBe(witness.keyId);
  });
  it('the log signs both checkpoints byte for byte', () => {
    for (const note of [e2e.checkpoint_size6, e2e.checkpoint_size8]) {
      const cp = parseCheckpoint(parseNote(note).text);
      expect(signCheckpoint(cp, [logSigner])).toBe(note);
      expect(openCheckpoint(note, logVerifier).checkpoint.size).toBe(cp.size);
    }
  });
  it('the witness cosigns byte for byte', () => {
    const body = parseNote(e2e.checkpoint_size8).text;
    expect(decodeUtf8(formatCosignedMessage(body, e2e.cosignature_timestamp))).toBe(e2e.cosigned_message);
    expect(witness.cosignLine(body, e2e.cosignature_timestamp)).toBe(e2e.witness_signature_line);
    expect(e2e.checkpoint_size8 + e2e.witness_signature_line).toBe(e2e.checkpoint_size8_cosigned);
  });
  it('openNote verifies log signature and cosignature together', () => {
    const opened = openNote(e2e.checkpoint_size8_cosigned, [logVerifier, witnessVerifier]);
    expect(opened.sigs.map((s) => s.verified)).toEqual([true, true]);
  });
  it('a cosignature with a changed timestamp or body fails', () => {
    const sig = b64(e2e.witness_signature_line.split(' ')[2]!.trim());
    const v = createCosignatureVerifier(e2e.witness.name, witness.publicKey);
    const text = new TextEncoder().encode(parseNote(e2e.checkpoint_size8).text);
    expect(v.verify(text, sig.subarray(4))).toBe(true);
    const later = sig.slice(4);
    later[7]! ^= 1;
    expect(v.verify(text, later)).toBe(false);
    expect(v.verify(new TextEncoder().encode(parseNote(e2e.checkpoint_size6).text), sig.subarray(4))).toBe(
      false,
    );
    expect(v.verify(text, sig.subarray(5))).toBe(false);
    const tampered = formatSignatureLine(e2e.witness.name, witness.keyId, later);
    expect(() => openNote(e2e.checkpoint_size8 + tampered, [logVerifier, witnessVerifier])).toThrow(
      code('LOG_SIGNATURE_INVALID'),
    );
    // Unknown to a verifier that only knows the log: ignored.
    expect(openNote(e2e.checkpoint_size8 + tampered, [logVerifier]).sigs[1]!.verified).toBe(false);
  });
  it('cosigner keys round-trip through the PRIVATE+KEY format', () => {
    const { skey } = generateCosignerKey('w.example/x', new Uint8Array(32).fill(3));
    const c = parseCosigner(skey);
    expect(c.name).toBe('w.example/x');
    expect(() => parseCosigner(vectors.signed_note.sumdb_note_tests.peter_skey)).toThrow(
      code('LOG_MALFORMED'),
    );
  });
});

describe('checkpoint body', () => {
  it('parses the C2SP checkpoint and cosigned checkpoint examples', () => {
    for (const note of [
      vectors.parse_only_spec_examples.checkpoint,
      vectors.parse_only_spec_examples.cosigned_checkpoint,
    ]) {
      const p = parseNote(note);
      const cp = parseCheckpoint(p.text);
      expect(cp.origin).toBe('example.com/behind-the-sofa');
      expect(cp.size).toBe(20852163);
      expect(cp.rootHash).toHaveLength(32);
    }
    const cosig = parseNote(vectors.parse_only_spec_examples.cosigned_checkpoint).signatures[1]!;
    expect(cosig.signature).toHaveLength(72);
  });
  it('parses the Go tree note body (pre-C2SP form, same three lines)', () => {
    const cp = parseCheckpoint(vectors.signed_note.sumdb_tree_note.text);
    expect(cp.size).toBe(123456789012);
  });
  it('keeps extension lines', () => {
    const body = 'o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next one\n';
    expect(parseCheckpoint(body).extensions).toEqual(['ext one']);
  });
  it('rejects malformed bodies', () => {
    const root = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    for (const b of [
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n1.0\n${root}\n`,
      `\n1\n${root}\n`,
      `o\n1\n${root.slice(0, -2)}=\n`,
      `o\n1\nAAAA\n`,
      `o\n1\n${root}`,
      `o\n1\n${root}\n\n`,
      `o\n1\n`,
    ]) {
      expect(() => parseCheckpoint(b)).toThrow(code('LOG_MALFORMED'));
    }
    expect(() => parseCheckpoint(`o\n99999999999999999999\n${root}\n`)).toThrow(code('LOG_RANGE'));
  });
  it('openCheckpoint checks the origin', () => {
    const signer = createNoteSigner('other.example/log', new Uint8Array(32).fill(9));
    const verifier = parseVerifier(
      `other.example/log+${formatKeyId(signer.keyId)}+${Buffer.from([1, ...createCosigner('x', new Uint8Array(32).fill(9)).publicKey]).toString('base64')}`,
    );
    const note = signCheckpoint(
      { origin: 'not-the-key-name', size: 0, rootHash: new Uint8Array(32), extensions: [] },
      [signer],
    );
    expect(() => openCheckpoint(note, verifier)).toThrow(code('LOG_UNKNOWN_ORIGIN'));
    expect(openCheckpoint(note, verifier, { origin: 'not-the-key-name' }).checkpoint.size).toBe(0);
  });
});
