import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../log/index.js';
import { computeKeyId } from '../registry/index.js';
import { GENESIS_PREV } from './batch.js';
import {
  formatBatchSignature,
  hashBatch,
  parseBatchSignature,
  signBatch,
  signBatchBytes,
  verifyBatchSignature,
} from './signature.js';

const seed = new Uint8Array(32).fill(7);
const other = new Uint8Array(32).fill(9);
const publicKey = ed25519PublicKey(seed);
const content = {
  device: 'CAM-2',
  seq: 1,
  prev: GENESIS_PREV,
  events: [{ time: '2026-12-06T01:00:00Z', type: 'seal-open' as const }],
};

describe('batch signatures', () => {
  it('signs the exact bytes with the device key; the header names the registry key id', () => {
    const s = signBatch(seed, content);
    expect(s.signature.keyId).toBe(computeKeyId(publicKey));
    expect(s.header).toBe(formatBatchSignature(s.signature));
    expect(parseBatchSignature(s.header)).toEqual(s.signature);
    expect(verifyBatchSignature(publicKey, s.bytes, s.signature)).toBe(true);
    expect(s.hash).toBe(hashBatch(s.bytes));
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a forged signature, changed bytes, and a signature naming another key', () => {
    const s = signBatch(seed, content);
    const forged = signBatchBytes(other, s.bytes);
    expect(verifyBatchSignature(publicKey, s.bytes, forged.signature)).toBe(false);
    expect(verifyBatchSignature(publicKey, s.bytes, { ...forged.signature, keyId: s.signature.keyId })).toBe(
      false,
    );
    const changed = Uint8Array.from(s.bytes);
    changed[changed.length - 3] = (changed[changed.length - 3] as number) ^ 1;
    expect(verifyBatchSignature(publicKey, changed, s.signature)).toBe(false);
    expect(verifyBatchSignature(publicKey, s.bytes, { ...s.signature, keyId: '0123456789abcdef' })).toBe(
      false,
    );
  });

  it('reads only <16 hex key id>:<base64 of 64 bytes>', () => {
    const s = signBatch(seed, content);
    expect(parseBatchSignature(undefined)).toBeUndefined();
    expect(parseBatchSignature(s.header.replace(':', ' '))).toBeUndefined();
    expect(parseBatchSignature(`${s.signature.keyId}:AAAA`)).toBeUndefined();
    expect(parseBatchSignature(`XYZ${s.header.slice(3)}`)).toBeUndefined();
    expect(parseBatchSignature(` ${s.header} `)).toEqual(s.signature);
  });
});
