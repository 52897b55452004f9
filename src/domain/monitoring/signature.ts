/**
 * A batch's signature (issue 18 item 2, decision 0029): Ed25519 by the device's key over the
 * batch's exact bytes, sent as `<keyId>:<base64 signature>` (the Custos-Signature header of
 * reports; the `signature` member of an MQTT payload). The key id is the registry's: the first 16
 * hex digits of SHA-256 of the raw public key.
 */
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  encodeBase64,
  encodeHex,
  sha256,
  tryDecodeBase64,
} from '../../log/index.js';
import { computeKeyId } from '../registry/index.js';
import { formatBatch } from './batch.js';
import type { BatchContent } from './batch.types.js';

const SIGNATURE = /^([0-9a-f]{16}):([A-Za-z0-9+/]{86}==)$/;

export interface BatchSignature {
  readonly keyId: string;
  /** 64 bytes. */
  readonly signature: Uint8Array;
}

/** `<keyId>:<base64>` → its parts, or undefined when it is not of that form. */
export function parseBatchSignature(text: string | undefined): BatchSignature | undefined {
  const m = text === undefined ? null : SIGNATURE.exec(text.trim());
  if (!m) return undefined;
  const signature = tryDecodeBase64(m[2] as string);
  if (signature === undefined || signature.length !== 64) return undefined;
  return { keyId: m[1] as string, signature };
}

/** `<keyId>:<base64>` of a signature. */
export function formatBatchSignature(s: BatchSignature): string {
  return `${s.keyId}:${encodeBase64(s.signature)}`;
}

/** Hex SHA-256 of a batch's exact bytes: what the next batch's `prev` names. */
export function hashBatch(bytes: Uint8Array): string {
  return encodeHex(sha256(bytes));
}

/** Does the signature verify under the device's key, and does it name that key? */
export function verifyBatchSignature(publicKey: Uint8Array, bytes: Uint8Array, s: BatchSignature): boolean {
  return s.keyId === computeKeyId(publicKey) && ed25519Verify(publicKey, bytes, s.signature);
}

export interface SignedBatch {
  readonly bytes: Uint8Array;
  readonly signature: BatchSignature;
  /** The Custos-Signature header value. */
  readonly header: string;
  /** hashBatch(bytes): the next batch's prev. */
  readonly hash: string;
}

/**
 * A device's side, for the simulator and tests: the batch written by formatBatch and signed with
 * the key of a 32-byte seed.
 */
export function signBatch(seed32: Uint8Array, content: BatchContent): SignedBatch {
  return signBatchBytes(seed32, formatBatch(content));
}

/** Signs bytes as they are (a test's malformed or hand-written batch). */
export function signBatchBytes(seed32: Uint8Array, bytes: Uint8Array): SignedBatch {
  const signature = { keyId: computeKeyId(ed25519PublicKey(seed32)), signature: ed25519Sign(seed32, bytes) };
  return { bytes, signature, header: formatBatchSignature(signature), hash: hashBatch(bytes) };
}
