import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * A registered key's id: the first 16 hex digits of SHA-256 of the raw 32-byte Ed25519 public
 * key (declarations issue). Pure function of the key bytes, so anyone can recompute it.
 */
export function computeKeyId(rawPublicKey: Uint8Array): string {
  return bytesToHex(sha256(rawPublicKey)).slice(0, 16);
}

/** Is `at` (RFC 3339) inside the key's validity window and before any revocation? */
export function isKeyValidAt(
  key: { validFrom: string; validTo: string | null; revokedAt: string | null },
  at: string,
): boolean {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return false;
  if (t < Date.parse(key.validFrom)) return false;
  if (key.validTo !== null && t >= Date.parse(key.validTo)) return false;
  if (key.revokedAt !== null && t >= Date.parse(key.revokedAt)) return false;
  return true;
}
