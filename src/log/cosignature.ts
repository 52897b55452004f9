/**
 * C2SP tlog-cosignature, Ed25519 cosignature/v1 (type 0x04): signature bytes are
 * key ID (4) || timestamp (uint64 BE seconds) || Ed25519 signature (64) over
 * "cosignature/v1\ntime <timestamp>\n" followed by the whole checkpoint body.
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from './crypto.js';
import { concatBytes, encodeUtf8, uint32BE } from './encoding.js';
import { LogError } from './errors.js';
import {
  computeKeyId,
  createNoteVerifier,
  formatSignatureLine,
  formatSignerKey,
  formatVerifierKey,
  isValidKeyName,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
} from './note.js';

/** Timestamp (8) + Ed25519 signature (64): the note signature after its 4-byte key ID. */
const COSIGNATURE_BODY_LENGTH = 72;

export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return computeKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
}

function checkTimestamp(timestamp: number): void {
  // Safe integers only: the spec allows up to 2^63 - 1, Custos refuses what a JS number cannot hold.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new LogError('LOG_RANGE', 'cosignature timestamp must be a non-negative safe integer');
  }
}

/** The message an Ed25519 cosigner signs. */
export function formatCosignedMessage(checkpointBody: string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  return encodeUtf8(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`);
}

function uint64BE(n: number): Uint8Array {
  const hi = Math.floor(n / 2 ** 32);
  const lo = n - hi * 2 ** 32;
  return concatBytes(uint32BE(hi), uint32BE(lo));
}

export interface Cosignature {
  readonly keyId: number;
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

/**
 * Splits the 76 bytes of a cosignature/v1 note signature. Anything else (e.g. a 68-byte plain
 * Ed25519 note signature, or a timestamp that is not a safe integer) is LOG_MALFORMED.
 */
export function parseCosignature(sigBytes: Uint8Array): Cosignature {
  if (!(sigBytes instanceof Uint8Array) || sigBytes.length !== 4 + COSIGNATURE_BODY_LENGTH) {
    throw new LogError('LOG_MALFORMED', 'cosignature/v1 signature must be 76 bytes');
  }
  const keyId = ((sigBytes[0]! << 24) | (sigBytes[1]! << 16) | (sigBytes[2]! << 8) | sigBytes[3]!) >>> 0;
  const timestamp = readTimestamp(sigBytes.subarray(4, 12));
  if (timestamp === undefined) throw new LogError('LOG_MALFORMED', 'cosignature timestamp is out of range');
  return { keyId, timestamp, signature: sigBytes.slice(12) };
}

function readTimestamp(b: Uint8Array): number | undefined {
  let n = 0;
  for (const byte of b) n = n * 256 + byte;
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The 76-byte note signature (key ID included) over `checkpointBody` at `timestamp`. */
  cosign(checkpointBody: string, timestamp: number): Uint8Array;
  /** The signature line `— <name> <base64>\n`. */
  cosignLine(checkpointBody: string, timestamp: number): string;
}

export function createCosigner(name: string, seed32: Uint8Array): Cosigner {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32)
    throw new LogError('LOG_MALFORMED', 'seed must be 32 bytes');
  const seed = seed32.slice();
  const publicKey = ed25519PublicKey(seed);
  const keyId = cosignatureKeyId(name, publicKey);
  const cosign = (body: string, timestamp: number): Uint8Array => {
    const sig = ed25519Sign(seed, formatCosignedMessage(body, timestamp));
    return concatBytes(uint32BE(keyId), uint64BE(timestamp), sig);
  };
  return {
    name,
    keyId,
    publicKey,
    cosign,
    cosignLine: (body, timestamp) => formatSignatureLine(name, keyId, cosign(body, timestamp).subarray(4)),
  };
}

/** A cosigner from a `PRIVATE+KEY+<name>+<id>+base64(0x04 || seed)` string. */
export function parseCosigner(skey: string): Cosigner {
  const k = parseSignerKey(skey);
  if (k.type !== SIGNATURE_TYPE_COSIGNATURE_V1)
    throw new LogError('LOG_MALFORMED', 'signer key is not a cosignature (0x04) key');
  return createCosigner(k.name, k.seed);
}

/** Signer and verifier key strings (type 0x04) for a witness name and a 32-byte seed. */
export function generateCosignerKey(name: string, seed32: Uint8Array): { skey: string; vkey: string } {
  return {
    skey: formatSignerKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, seed32),
    vkey: formatVerifierKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, ed25519PublicKey(seed32)),
  };
}

export interface CosignatureVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
}

/**
 * A note verifier for an Ed25519 cosigner key: plugs into openNote with the log's verifier.
 * `sig` is the note signature after the key ID: timestamp (8) || Ed25519 signature (64).
 */
export function createCosignatureVerifier(name: string, publicKey: Uint8Array): CosignatureVerifier {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new LogError('LOG_MALFORMED', 'Ed25519 public key must be 32 bytes');
  }
  const key = publicKey.slice();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    name,
    keyId: cosignatureKeyId(name, key),
    publicKey: key,
    verify(text, sig) {
      try {
        if (!(sig instanceof Uint8Array) || sig.length !== COSIGNATURE_BODY_LENGTH) return false;
        const timestamp = readTimestamp(sig.subarray(0, 8));
        if (timestamp === undefined) return false;
        const message = formatCosignedMessage(decoder.decode(text), timestamp);
        return ed25519Verify(key, message, sig.subarray(8));
      } catch {
        return false;
      }
    },
  };
}

/** Any supported verifier key string: 0x01 note keys and 0x04 cosigner keys. */
export function parseVerifier(vkey: string): NoteVerifier {
  const k = parseVerifierKey(vkey);
  if (k.type === SIGNATURE_TYPE_ED25519) return createNoteVerifier(k.name, k.publicKey);
  if (k.type === SIGNATURE_TYPE_COSIGNATURE_V1) return createCosignatureVerifier(k.name, k.publicKey);
  throw new LogError('LOG_MALFORMED', `verifier key type 0x${k.type.toString(16)} is not supported`);
}

/** Timestamp of a cosignature line's signature, or undefined when it is not cosignature/v1. */
export function cosignatureTimestamp(sigAfterKeyId: Uint8Array): number | undefined {
  if (!(sigAfterKeyId instanceof Uint8Array) || sigAfterKeyId.length !== COSIGNATURE_BODY_LENGTH)
    return undefined;
  return readTimestamp(sigAfterKeyId.subarray(0, 8));
}
