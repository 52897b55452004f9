/**
 * Report signing in the browser. The key file is the base64 of the organisation's 32-byte
 * Ed25519 seed (as `custos keygen` and the demo write it); it is read into memory, used, and never
 * sent anywhere. The header is `Custos-Signature: <keyId>:<base64 signature over the exact bytes>`
 * with keyId = the first 16 hex digits of SHA-256(raw public key).
 */
import { isKeyValidAt } from '../../src/domain/registry/index.js';
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  encodeBase64,
  encodeHex,
  sha256,
  tryDecodeBase64,
} from '../../src/log/index.js';

export interface SigningKey {
  readonly keyId: string;
  readonly publicKey: string;
  /** The report header form `<keyId>:<base64 signature>`. */
  sign(bytes: Uint8Array): string;
  /** The bare base64 signature (a case decision sends `{keyId, signature}`). */
  signRaw(bytes: Uint8Array): string;
}

export function keyIdOf(publicKey: Uint8Array): string {
  return encodeHex(sha256(publicKey)).slice(0, 16);
}

/** What is wrong with a key file, as a code the page words in the user's language (`keyFile.*`). */
export class KeyFileError extends Error {
  constructor(
    readonly reason: 'notBase64' | 'length',
    readonly bytes = 0,
  ) {
    super(
      reason === 'notBase64'
        ? 'the key file is not base64 text'
        : `the key file holds ${bytes} bytes, an Ed25519 seed has 32`,
    );
  }
}

/** Reads a key file's text; throws a KeyFileError that says what is wrong with it. */
export function readSigningKey(text: string): SigningKey {
  const seed = tryDecodeBase64(text.trim());
  if (seed === undefined) throw new KeyFileError('notBase64');
  if (seed.length !== 32) throw new KeyFileError('length', seed.length);
  const pub = ed25519PublicKey(seed);
  const keyId = keyIdOf(pub);
  return {
    keyId,
    publicKey: encodeBase64(pub),
    sign: (bytes) => `${keyId}:${encodeBase64(ed25519Sign(seed, bytes))}`,
    signRaw: (bytes) => encodeBase64(ed25519Sign(seed, bytes)),
  };
}

/** `<16 hex>:<base64 of 64 bytes>`, as the CLI prints it; whitespace around it is ignored. */
export function parseSignatureHeader(text: string): string | undefined {
  const t = text.trim();
  const m = /^([0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/.exec(t);
  if (!m) return undefined;
  const sig = tryDecodeBase64(m[2]!);
  return sig !== undefined && sig.length === 64 ? t : undefined;
}

/** Ed25519 check of a base64 signature with a base64 raw public key; false on any malformed input. */
export function verifySignature(publicKey: string, bytes: Uint8Array, signature: string): boolean {
  const pub = tryDecodeBase64(publicKey);
  const sig = tryDecodeBase64(signature);
  if (pub === undefined || sig === undefined || pub.length !== 32 || sig.length !== 64) return false;
  try {
    return ed25519Verify(pub, bytes, sig);
  } catch {
    return false;
  }
}

/** What a pasted detached signature proves about the bytes about to be sent. */
export type DetachedCheck =
  | { readonly kind: 'verified'; readonly keyId: string }
  | {
      readonly kind: 'failed';
      readonly reason: 'format' | 'no-key' | 'not-valid' | 'mismatch';
      readonly keyId?: string;
    };

/**
 * Check a signature made elsewhere (`custos report sign`) before it is sent: its form, that its
 * key is one of the organisation's registered keys, valid at `at`, and that it signs exactly
 * `bytes`. The server checks the same again; this only spares a refusal logged for a wrong paste.
 */
export function checkDetachedSignature(
  keys: readonly {
    id: string;
    publicKey: string;
    validFrom: string;
    validTo: string | null;
    revokedAt: string | null;
  }[],
  bytes: Uint8Array,
  header: string,
  at: string,
): DetachedCheck {
  const parsed = parseSignatureHeader(header);
  if (parsed === undefined) return { kind: 'failed', reason: 'format' };
  const [keyId, signature] = parsed.split(':') as [string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { kind: 'failed', reason: 'no-key', keyId };
  if (!isKeyValidAt(key, at)) return { kind: 'failed', reason: 'not-valid', keyId };
  return verifySignature(key.publicKey, bytes, signature)
    ? { kind: 'verified', keyId }
    : { kind: 'failed', reason: 'mismatch', keyId };
}
