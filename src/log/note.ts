/**
 * C2SP signed-note: text + blank line + signature lines `— <name> base64(keyID || sig)`.
 * Key IDs, Ed25519 (type 0x01) verifier keys `<name>+<8 hex>+<base64(0x01 || pub)>` and Go's
 * signer keys `PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 || seed)>`.
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from './crypto.js';
import {
  concatBytes,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  readUint32BE,
  tryDecodeBase64,
  uint32BE,
} from './encoding.js';
import { LogError } from './errors.js';

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** Go's note.Open refuses more than 100 signatures; C2SP requires at least 16. */
export const MAX_NOTE_SIGNATURES = 100;
/** Checkpoints are a few hundred bytes; 1 MiB leaves room for large post-quantum signatures. */
export const MAX_NOTE_BYTES = 1 << 20;

const EM_DASH_PREFIX = '\u2014 ';

export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyId: number;
  /** Verifies `sig` (without the 4-byte key ID) over the note text bytes. Never throws. */
  verify(text: Uint8Array, sig: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/** C2SP key names: non-empty, no Unicode whitespace, no '+'. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && !/[\s+\u0085]/u.test(name);
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], as uint32. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(encodeUtf8(name), Uint8Array.of(0x0a, type), publicKey);
  return readUint32BE(digest, 0);
}

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

function splitKey(text: string, what: string): [string, string, string] {
  // Split on the first two '+' only: the base64 key material may itself contain '+'.
  const a = text.indexOf('+');
  const b = a < 0 ? -1 : text.indexOf('+', a + 1);
  if (a < 0 || b < 0) throw new LogError('LOG_MALFORMED', `${what} has no name+id+key form`);
  return [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
}

function parseKeyIdHex(hex: string, what: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(hex))
    throw new LogError('LOG_MALFORMED', `${what} key ID is not 8 hex digits`);
  return Number.parseInt(hex, 16);
}

/** Parses `<name>+<8hex>+<base64(type || key)>` and checks the declared key ID. */
export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string') throw new LogError('LOG_MALFORMED', 'verifier key is not a string');
  const [name, hex, b64] = splitKey(vkey, 'verifier key');
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'verifier key name is invalid');
  const keyId = parseKeyIdHex(hex, 'verifier key');
  const raw = tryDecodeBase64(b64);
  if (raw === undefined || raw.length < 2)
    throw new LogError('LOG_MALFORMED', 'verifier key material is not base64');
  const type = raw[0]!;
  const publicKey = raw.slice(1);
  if (
    (type === SIGNATURE_TYPE_ED25519 || type === SIGNATURE_TYPE_COSIGNATURE_V1) &&
    publicKey.length !== 32
  ) {
    throw new LogError('LOG_MALFORMED', 'Ed25519 verifier key must be 32 bytes');
  }
  if (computeKeyId(name, type, publicKey) !== keyId) {
    throw new LogError('LOG_MALFORMED', 'verifier key ID does not match its name and key');
  }
  return { name, keyId, type, publicKey };
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  const keyId = computeKeyId(name, type, publicKey);
  return `${name}+${formatKeyId(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/** A verifier for an Ed25519 (type 0x01) note key. */
export function createNoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new LogError('LOG_MALFORMED', 'Ed25519 public key must be 32 bytes');
  }
  const key = publicKey.slice();
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE_ED25519, key),
    verify: (text, sig) => ed25519Verify(key, text, sig),
  };
}

/** A verifier from a type 0x01 vkey string. */
export function parseNoteVerifier(vkey: string): NoteVerifier {
  const k = parseVerifierKey(vkey);
  if (k.type !== SIGNATURE_TYPE_ED25519) {
    throw new LogError('LOG_MALFORMED', `verifier key type 0x${k.type.toString(16)} is not Ed25519 (0x01)`);
  }
  return createNoteVerifier(k.name, k.publicKey);
}

export interface SignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

const PRIVATE_KEY_PREFIX = 'PRIVATE+KEY+';

/** Go's signer key format, for key type 0x01 (notes) or 0x04 (cosignatures). */
export function formatSignerKey(name: string, type: number, seed32: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32)
    throw new LogError('LOG_MALFORMED', 'seed must be 32 bytes');
  const keyId = computeKeyId(name, type, ed25519PublicKey(seed32));
  return `${PRIVATE_KEY_PREFIX}${name}+${formatKeyId(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(type), seed32))}`;
}

export function parseSignerKey(skey: string): SignerKey {
  if (typeof skey !== 'string' || !skey.startsWith(PRIVATE_KEY_PREFIX)) {
    throw new LogError('LOG_MALFORMED', 'signer key must start with PRIVATE+KEY+');
  }
  const [name, hex, b64] = splitKey(skey.slice(PRIVATE_KEY_PREFIX.length), 'signer key');
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'signer key name is invalid');
  const keyId = parseKeyIdHex(hex, 'signer key');
  const raw = tryDecodeBase64(b64);
  if (raw === undefined || raw.length !== 33)
    throw new LogError('LOG_MALFORMED', 'signer key material is not 1+32 bytes');
  const type = raw[0]!;
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new LogError('LOG_MALFORMED', `signer key type 0x${type.toString(16)} is not supported`);
  }
  const seed = raw.slice(1);
  const publicKey = ed25519PublicKey(seed);
  if (computeKeyId(name, type, publicKey) !== keyId) {
    throw new LogError('LOG_MALFORMED', 'signer key ID does not match its name and key');
  }
  return { name, keyId, type, seed, publicKey };
}

/** Signer and verifier key strings (type 0x01) for a name and a 32-byte seed. */
export function generateSignerKey(name: string, seed32: Uint8Array): { skey: string; vkey: string } {
  const skey = formatSignerKey(name, SIGNATURE_TYPE_ED25519, seed32);
  return { skey, vkey: formatVerifierKey(name, SIGNATURE_TYPE_ED25519, ed25519PublicKey(seed32)) };
}

export function createNoteSigner(name: string, seed32: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32)
    throw new LogError('LOG_MALFORMED', 'seed must be 32 bytes');
  const seed = seed32.slice();
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE_ED25519, ed25519PublicKey(seed)),
    sign: (text) => ed25519Sign(seed, text),
  };
}

/** A note signer from a type 0x01 `PRIVATE+KEY+…` string. */
export function parseNoteSigner(skey: string): NoteSigner {
  const k = parseSignerKey(skey);
  if (k.type !== SIGNATURE_TYPE_ED25519)
    throw new LogError('LOG_MALFORMED', 'signer key is not a note (0x01) key');
  return createNoteSigner(k.name, k.seed);
}

/** Text rules shared by signing and opening: UTF-8, ends in \n, no control characters but \n. */
function checkNoteText(text: string, what: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is exactly about them
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new LogError('LOG_MALFORMED', `${what} contains a control character`);
  }
}

export function formatSignatureLine(name: string, keyId: number, sig: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LogError('LOG_MALFORMED', 'key name is invalid');
  return `${EM_DASH_PREFIX}${name} ${encodeBase64(concatBytes(uint32BE(keyId), sig))}\n`;
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw new LogError('LOG_MALFORMED', 'note text must end in a newline');
  }
  checkNoteText(text, 'note text');
  const bytes = encodeUtf8(text);
  let lines = '';
  for (const s of signers) lines += formatSignatureLine(s.name, s.keyId, s.sign(bytes));
  return `${text}\n${lines}`;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes after the key ID. */
  readonly signature: Uint8Array;
  /** The exact signature line, with its newline. */
  readonly line: string;
}

export interface ParsedNote {
  readonly text: string;
  readonly textBytes: Uint8Array;
  readonly signatures: NoteSignature[];
}

function toNoteString(note: Uint8Array | string): string {
  if (typeof note === 'string') {
    if (note.length > MAX_NOTE_BYTES) throw new LogError('LOG_MALFORMED', 'note too large');
    encodeUtf8(note);
    return note;
  }
  if (!(note instanceof Uint8Array)) throw new LogError('LOG_MALFORMED', 'note must be bytes or text');
  if (note.length > MAX_NOTE_BYTES) throw new LogError('LOG_MALFORMED', 'note too large');
  return decodeUtf8(note);
}

/** Splits and checks the note syntax without verifying any signature. */
export function parseNote(note: Uint8Array | string): ParsedNote {
  const s = toNoteString(note);
  checkNoteText(s, 'note');
  // The text ends at the LAST blank line (C2SP: the text may itself contain empty lines).
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw new LogError('LOG_MALFORMED', 'note has no signature block');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n'))
    throw new LogError('LOG_MALFORMED', 'note signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw new LogError('LOG_MALFORMED', 'note has too many signatures');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX))
      throw new LogError('LOG_MALFORMED', 'signature line must start with "— "');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp < 0) throw new LogError('LOG_MALFORMED', 'signature line has no signature');
    const name = rest.slice(0, sp);
    const b64 = rest.slice(sp + 1);
    const raw = tryDecodeBase64(b64);
    if (!isValidKeyName(name) || raw === undefined || raw.length < 5) {
      throw new LogError('LOG_MALFORMED', 'signature line is malformed');
    }
    signatures.push({ name, keyId: readUint32BE(raw, 0), signature: raw.slice(4), line: `${line}\n` });
  }
  return { text, textBytes: encodeUtf8(text), signatures };
}

export interface OpenedNote {
  readonly text: string;
  readonly sigs: { name: string; keyId: number; verified: boolean }[];
  readonly parsed: ParsedNote;
}

/**
 * Opens a note (C2SP signed-note §Signatures): signatures from unknown (name, key ID) pairs are
 * ignored; a signature from a known key that fails rejects the whole note
 * (LOG_SIGNATURE_INVALID); at least one known signature must verify (LOG_SIGNATURE_INVALID).
 */
export function openNote(note: Uint8Array | string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  const sigs: { name: string; keyId: number; verified: boolean }[] = [];
  let verified = 0;
  for (const sig of parsed.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (v === undefined) {
      sigs.push({ name: sig.name, keyId: sig.keyId, verified: false });
      continue;
    }
    let ok = false;
    try {
      ok = v.verify(parsed.textBytes, sig.signature) === true;
    } catch {
      ok = false;
    }
    if (!ok)
      throw new LogError(
        'LOG_SIGNATURE_INVALID',
        `invalid signature for key ${sig.name}+${formatKeyId(sig.keyId)}`,
      );
    verified++;
    sigs.push({ name: sig.name, keyId: sig.keyId, verified: true });
  }
  if (verified === 0) throw new LogError('LOG_SIGNATURE_INVALID', 'no signature from a known key');
  return { text: parsed.text, sigs, parsed };
}
