import { describe, expect, it } from 'vitest';
import { encodeHex } from './encoding.js';
import {
  computeKeyId,
  createNoteSigner,
  formatKeyId,
  generateSignerKey,
  openNote,
  parseNote,
  parseNoteSigner,
  parseNoteVerifier,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './note.js';
import { hex, vectors } from './testdata/vectors.js';

const sn = vectors.signed_note;
const go = sn.sumdb_note_tests;
const code = (c: string) => expect.objectContaining({ code: c });

describe('key IDs and verifier keys (C2SP, Go, transparency-dev, tessera)', () => {
  for (const v of vectors.key_ids.vectors) {
    it(v.vkey, () => {
      const k = parseVerifierKey(v.vkey);
      expect(k.name).toBe(v.name);
      expect(k.type).toBe(v.type);
      expect(encodeHex(k.publicKey)).toBe(v.public_key_hex);
      expect(formatKeyId(k.keyId)).toBe(v.key_id_hex);
      expect(formatKeyId(computeKeyId(v.name, v.type, hex(v.public_key_hex)))).toBe(v.key_id_hex);
    });
  }
  it('rejects an unknown algorithm byte and a wrong key length (Go TestNewVerifier)', () => {
    expect(() =>
      parseNoteVerifier('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(code('LOG_MALFORMED'));
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(code('LOG_MALFORMED'));
  });
  it('rejects a wrong key ID, missing parts, bad names', () => {
    expect(() =>
      parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(code('LOG_MALFORMED'));
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow(code('LOG_MALFORMED'));
    expect(() => parseVerifierKey('+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      code('LOG_MALFORMED'),
    );
    expect(() => parseVerifierKey('Peter+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T')).toThrow(
      code('LOG_MALFORMED'),
    );
  });
});

describe('signer keys (Go sumdb format)', () => {
  it('parses the Go test signer key and signs the Go test note byte for byte', () => {
    const k = parseSignerKey(go.peter_skey);
    expect(k.name).toBe('PeterNeumann');
    expect(formatKeyId(k.keyId)).toBe('c74f20a3');
    expect(signNote(go.text, [parseNoteSigner(go.peter_skey)])).toBe(go.signed_note_peter);
  });
  it('generateSignerKey round-trips to the Go strings', () => {
    const seed = parseSignerKey(go.peter_skey).seed;
    expect(generateSignerKey('PeterNeumann', seed)).toEqual({ skey: go.peter_skey, vkey: go.peter_vkey });
  });
  it('rejects a signer key whose ID does not match', () => {
    expect(() => parseSignerKey(go.peter_skey.replace('c74f20a3', 'c74f20a4'))).toThrow(
      code('LOG_MALFORMED'),
    );
    expect(() => parseSignerKey(go.peter_skey.slice('PRIVATE+KEY+'.length))).toThrow(code('LOG_MALFORMED'));
  });
});

describe('openNote (C2SP and Go TestOpen)', () => {
  const peter = parseNoteVerifier(go.peter_vkey);
  const enoch = parseNoteVerifier(go.enoch_vkey);
  const both = `${go.text}\n${go.peter_signature_line}${go.enoch_signature_line}`;

  it('verifies the C2SP example', () => {
    const opened = openNote(sn.c2sp_example.note, [parseNoteVerifier(sn.c2sp_example.vkey)]);
    expect(opened.text).toBe(sn.c2sp_example.signed_text);
    expect(opened.sigs).toEqual([{ name: 'example.com/foo', keyId: 0x530d903a, verified: true }]);
  });
  it('accepts bytes as well as text', () => {
    expect(openNote(new TextEncoder().encode(both), [peter]).text).toBe(go.text);
  });
  it('ignores the unknown key and verifies the known one', () => {
    expect(openNote(both, [peter]).sigs).toEqual([
      { name: 'PeterNeumann', keyId: 0xc74f20a3, verified: true },
      { name: 'EnochRoot', keyId: 0xaf0cfe78, verified: false },
    ]);
  });
  it('verifies both when both are known', () => {
    expect(openNote(both, [peter, enoch]).sigs.every((s) => s.verified)).toBe(true);
  });
  it('fails with no known key', () => {
    expect(() => openNote(both, [])).toThrow(code('LOG_SIGNATURE_INVALID'));
  });
  it('rejects a known key whose signature is bad', () => {
    const line = go.peter_signature_line;
    const spliced = `${line.slice(0, 60)}ABCD${line.slice(60)}`;
    // Still valid base64, so Go reports an invalid signature, not a malformed note.
    expect(() => openNote(`${go.text}\n${spliced}`, [peter])).toThrow(code('LOG_SIGNATURE_INVALID'));
    const at = line.indexOf(' ', 2) + 40; // well past the key ID bytes
    const wrongSig = `${line.slice(0, at)}${line[at] === 'A' ? 'B' : 'A'}${line.slice(at + 1)}`;
    expect(() => openNote(`${go.text}\n${wrongSig}${go.enoch_signature_line}`, [peter, enoch])).toThrow(
      code('LOG_SIGNATURE_INVALID'),
    );
  });
  it('a different name with the same key ID is an unknown key, not a bad one', () => {
    const renamed = go.peter_signature_line.replace('PeterNeumann', 'PeterNeumannX');
    expect(() => openNote(`${go.text}\n${renamed}`, [peter])).toThrow(code('LOG_SIGNATURE_INVALID'));
    expect(openNote(`${go.text}\n${renamed}${go.peter_signature_line}`, [peter]).sigs[0]!.verified).toBe(
      false,
    );
  });
  it('rejects 101 signature lines, accepts 16+', () => {
    expect(() =>
      openNote(`${go.text}\n${go.enoch_signature_line.repeat(100)}${go.peter_signature_line}`, [peter]),
    ).toThrow(code('LOG_MALFORMED'));
    expect(
      openNote(`${go.text}\n${go.enoch_signature_line.repeat(20)}${go.peter_signature_line}`, [peter]).sigs,
    ).toHaveLength(21);
  });
  it('rejects malformed notes', () => {
    const ok = go.peter_signature_line;
    const bad: (string | Uint8Array)[] = [
      `${go.text}\n${ok.replace('PeterNeumann', 'Bad Name')}`, // space in key name
      `${go.text}${ok}`, // no blank line
      `${go.text}\n${ok.slice(0, -1)}`, // signature block without final newline
      `${go.text}\n- PeterNeumann ${ok.slice(15)}`, // not an em dash
      `${go.text}\n${ok.replace('\u2014 ', '\u2014')}`, // no space after the dash
      `${go.text}\n\u2014 PeterNeumann\n`, // no signature
      `${go.text}\n\u2014 PeterNeumann AAAA\n`, // signature shorter than 5 bytes
      `${go.text}\n${ok.replace('=\n', '\n')}`, // unpadded base64
      `${go.text.replace('\n', '\r\n')}\n${ok}`, // carriage return
      `tab\there\n\n${ok}`, // control character
      Uint8Array.of(0xff, 0x0a, 0x0a, ...new TextEncoder().encode(ok)), // invalid UTF-8
      'no newline at all',
    ];
    for (const b of bad) expect(() => openNote(b, [peter])).toThrow(code('LOG_MALFORMED'));
  });
  it('splits the text at the last blank line', () => {
    const text = 'first\n\nsecond\n';
    const note = signNote(text, [createNoteSigner('k', new Uint8Array(32).fill(7))]);
    expect(parseNote(note).text).toBe(text);
  });
  it('signNote refuses text that does not end in a newline or has control characters', () => {
    const s = createNoteSigner('k', new Uint8Array(32).fill(7));
    expect(() => signNote('no newline', [s])).toThrow(code('LOG_MALFORMED'));
    expect(() => signNote('a\rb\n', [s])).toThrow(code('LOG_MALFORMED'));
    expect(() => signNote('lone \ud800\n', [s])).toThrow(code('LOG_MALFORMED'));
  });
});
