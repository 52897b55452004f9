import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeRecord,
  computeCommitment,
  formatLeaf,
  formatLegacyLeaf,
  parseLeaf,
  verifyCommitment,
} from './commitment.js';
import { sha256 } from './crypto.js';
import { encodeBase64 } from './encoding.js';

const salt = new Uint8Array(32).fill(11);
const record = { b: [1, 2, { z: 'é', a: null }], a: 1.5, id: 'R-1' };

describe('leaf commitments (log.md "What a leaf holds")', () => {
  it('canonicalizes with RFC 8785 key order', () => {
    expect(new TextDecoder().decode(canonicalizeRecord(record))).toBe(
      '{"a":1.5,"b":[1,2,{"a":null,"z":"é"}],"id":"R-1"}',
    );
    expect(() => canonicalizeRecord(undefined)).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
  });
  it('commitment is SHA-256(salt || canonical bytes)', () => {
    const bytes = canonicalizeRecord(record);
    expect(computeCommitment(salt, bytes)).toEqual(sha256(new Uint8Array([...salt, ...bytes])));
    expect(() => computeCommitment(new Uint8Array(31), bytes)).toThrow(
      expect.objectContaining({ code: 'LOG_MALFORMED' }),
    );
  });
  it('formats a legacy leaf as canonical JSON with v: 1 and parses it back', () => {
    const commitment = computeCommitment(salt, canonicalizeRecord(record));
    const leaf = formatLegacyLeaf({ kind: 'report', id: 'R-1', time: '2026-01-02T03:04:05Z', commitment });
    const text = new TextDecoder().decode(leaf);
    expect(text).toMatch(
      /^\{"commitment":"[A-Za-z0-9+/]{43}=","id":"R-1","kind":"report","time":"2026-01-02T03:04:05Z","v":1\}$/,
    );
    expect(parseLeaf(leaf)).toEqual({
      v: 1,
      kind: 'report',
      id: 'R-1',
      time: '2026-01-02T03:04:05Z',
      commitment,
    });
  });
  it('writes the leaf exactly as the RFC 8785 canonicalizer would', () => {
    const commitment = computeCommitment(salt, canonicalizeRecord(record));
    const names = [
      'R-1',
      'quote " and \\ backslash',
      'ctl \u0000\u001f\u007f',
      'é ☃ 𝄞',
      'lone \ud800 x',
      '</script>',
    ];
    for (const id of names) {
      for (const kind of ['report', names[3] as string, 'k\n']) {
        for (const time of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.123456789Z']) {
          const fields = { kind, id, time, commitment };
          const generic = canonicalizeRecord({ v: 1, kind, id, time, commitment: encodeBase64(commitment) });
          expect(formatLegacyLeaf(fields)).toEqual(generic);
          expect(parseLeaf(generic)).toEqual({ v: 1, ...fields });
        }
      }
    }
  });
  it('writes the same leaf as the canonicalizer for any id and kind', () => {
    const commitment = computeCommitment(salt, canonicalizeRecord(record));
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(text, text, (id, kind) => {
        const generic = canonicalizeRecord({
          v: 1,
          kind,
          id,
          time: '2026-01-02T03:04:05Z',
          commitment: encodeBase64(commitment),
        });
        expect(formatLegacyLeaf({ kind, id, time: '2026-01-02T03:04:05Z', commitment })).toEqual(generic);
      }),
    );
  });
  it('verifies a commitment only with the right record and salt', () => {
    const commitment = computeCommitment(salt, canonicalizeRecord(record));
    const leaf = formatLegacyLeaf({
      kind: 'report',
      id: 'R-1',
      time: '2026-01-02T03:04:05.120Z',
      commitment,
    });
    expect(verifyCommitment(leaf, record, salt)).toBe(true);
    expect(verifyCommitment(leaf, canonicalizeRecord(record), salt)).toBe(true);
    expect(verifyCommitment(leaf, { ...record, a: 1.6 }, salt)).toBe(false);
    expect(verifyCommitment(leaf, record, new Uint8Array(32))).toBe(false);
    expect(verifyCommitment(new Uint8Array([1, 2]), record, salt)).toBe(false);
  });
  it('parseLeaf is strict about legacy leaves', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const c = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const good = `{"commitment":"${c}","id":"x","kind":"k","time":"2026-01-02T03:04:05Z","v":1}`;
    expect(parseLeaf(enc(good)).id).toBe('x');
    for (const bad of [
      good.replace('"v":1', '"v":2'),
      good.replace('"kind":"k",', ''),
      good.replace('{', '{ '),
      good.replace('"id":"x",', ''),
      good.replace('"v":1', '"v":1,"w":0'),
      good.replace('03:04:05Z', '03:04:05+01:00'),
      good.replace(c, 'AAAA'),
      `{"v":1,${good.slice(1, -7)}}`,
      '[]',
      'not json',
    ]) {
      expect(() => parseLeaf(enc(bad)), bad).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
    }
    expect(() =>
      formatLegacyLeaf({ kind: '', id: 'x', time: '2026-01-02T03:04:05Z', commitment: new Uint8Array(32) }),
    ).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
  });

  it('writes the opaque form (v: 2) exactly as the canonicalizer would, naming no record or kind', () => {
    const commitment = computeCommitment(salt, canonicalizeRecord(record));
    const id = '0123456789abcdef0123456789abcdef';
    for (const time of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.123Z']) {
      const leaf = formatLeaf({ id, time, commitment });
      expect(leaf).toEqual(canonicalizeRecord({ v: 2, id, time, commitment: encodeBase64(commitment) }));
      expect(parseLeaf(leaf)).toEqual({ v: 2, id, time, commitment });
      expect(new TextDecoder().decode(leaf)).not.toMatch(/kind|report|R-1/);
    }
    expect(verifyCommitment(formatLeaf({ id, time: '2026-01-02T03:04:05Z', commitment }), record, salt)).toBe(
      true,
    );
  });
  it('parseLeaf is strict about opaque leaves', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const c = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const id = 'ffffffffffffffffffffffffffffffff';
    const good = `{"commitment":"${c}","id":"${id}","time":"2026-01-02T03:04:05Z","v":2}`;
    expect(parseLeaf(enc(good)).id).toBe(id);
    for (const bad of [
      good.replace('"v":2', '"v":1'),
      good.replace(id, 'R-1'),
      good.replace(id, id.toUpperCase()),
      good.replace(id, `${id}0`),
      good.replace('"id"', '"kind":"report","id"'),
      good.replace('"v":2', '"v":2,"kind":"report"'),
      good.replace('{', '{ '),
    ]) {
      expect(() => parseLeaf(enc(bad)), bad).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
    }
    expect(() =>
      formatLeaf({ id: 'report:1', time: '2026-01-02T03:04:05Z', commitment: new Uint8Array(32) }),
    ).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
  });
});
