/**
 * log.md "What a leaf holds": a commitment, not the record. The leaf is the RFC 8785 canonical
 * JSON of { v: 1, kind, id, time, commitment } with commitment = base64 SHA-256(salt || canonical
 * record bytes) and a random 32-byte salt per record (the salt comes in as a parameter).
 */
import canonicalizeImport from 'canonicalize';
import { sha256 } from './crypto.js';
import { bytesEqual, decodeUtf8, encodeBase64, encodeUtf8, tryDecodeBase64 } from './encoding.js';
import { LogError } from './errors.js';

export const SALT_SIZE = 32;

type Serialize = (input: unknown) => string | undefined;
// canonicalize is CommonJS typed as an ES module: at run time (Node and Vite) the default import
// is the function itself; the type checker sees a namespace with `default`. Accept both.
const imported: unknown = canonicalizeImport;
const canonicalize: Serialize =
  typeof imported === 'function' ? (imported as Serialize) : (imported as { default: Serialize }).default;

export interface LeafFields {
  readonly kind: string;
  readonly id: string;
  /** RFC 3339, UTC ("Z"). */
  readonly time: string;
  readonly commitment: Uint8Array;
}

export interface Leaf extends LeafFields {
  readonly v: 1;
}

const RFC3339_UTC =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?Z$/;

/** RFC 8785 canonical JSON bytes of a JSON value. */
export function canonicalizeRecord(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') throw new LogError('LOG_MALFORMED', 'record is not representable as JSON');
  return encodeUtf8(text);
}

/** SHA-256(salt || canonical record bytes). */
export function computeCommitment(salt32: Uint8Array, canonicalRecordBytes: Uint8Array): Uint8Array {
  if (!(salt32 instanceof Uint8Array) || salt32.length !== SALT_SIZE)
    throw new LogError('LOG_MALFORMED', 'salt must be 32 bytes');
  if (!(canonicalRecordBytes instanceof Uint8Array))
    throw new LogError('LOG_MALFORMED', 'record bytes expected');
  return sha256(salt32, canonicalRecordBytes);
}

function checkFields(f: LeafFields): void {
  if (typeof f.kind !== 'string' || f.kind.length === 0)
    throw new LogError('LOG_MALFORMED', 'leaf kind must be a non-empty string');
  if (typeof f.id !== 'string' || f.id.length === 0)
    throw new LogError('LOG_MALFORMED', 'leaf id must be a non-empty string');
  if (typeof f.time !== 'string' || !RFC3339_UTC.test(f.time))
    throw new LogError('LOG_MALFORMED', 'leaf time must be RFC 3339 UTC');
  if (!(f.commitment instanceof Uint8Array) || f.commitment.length !== 32) {
    throw new LogError('LOG_MALFORMED', 'leaf commitment must be 32 bytes');
  }
}

/**
 * The leaf bytes: canonical JSON with v: 1. Written out directly rather than through the generic
 * canonicalizer (it runs once per appended entry): RFC 8785 orders the members by their names'
 * UTF-16 code units (commitment, id, kind, time, v) and serialises strings exactly as
 * JSON.stringify does (§3.2.2.2), so this is the same byte string (commitment.test.ts checks it
 * against the canonicalizer).
 */
export function formatLeaf(fields: LeafFields): Uint8Array {
  checkFields(fields);
  // time matched RFC3339_UTC (ASCII, nothing to escape); base64 has nothing to escape either.
  return encodeUtf8(
    `{"commitment":"${encodeBase64(fields.commitment)}","id":${JSON.stringify(fields.id)},"kind":${JSON.stringify(fields.kind)},"time":"${fields.time}","v":1}`,
  );
}

/** Strict: exactly the five members, v = 1, and the bytes must be the canonical form. */
export function parseLeaf(bytes: Uint8Array): Leaf {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch {
    throw new LogError('LOG_MALFORMED', 'leaf is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LogError('LOG_MALFORMED', 'leaf is not an object');
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'commitment,id,kind,time,v' || o.v !== 1)
    throw new LogError('LOG_MALFORMED', 'leaf must have v=1, kind, id, time, commitment');
  const commitment = typeof o.commitment === 'string' ? tryDecodeBase64(o.commitment) : undefined;
  if (commitment === undefined) throw new LogError('LOG_MALFORMED', 'leaf commitment is not base64');
  const leaf: Leaf = { v: 1, kind: o.kind as string, id: o.id as string, time: o.time as string, commitment };
  checkFields(leaf);
  if (!bytesEqual(formatLeaf(leaf), bytes)) throw new LogError('LOG_MALFORMED', 'leaf is not canonical JSON');
  return leaf;
}

/**
 * Does the leaf commit to this record with this salt? `record` is the record value (it is
 * canonicalized here) or its canonical bytes. Never throws.
 */
export function verifyCommitment(leafBytes: Uint8Array, record: unknown, salt: Uint8Array): boolean {
  try {
    const leaf = parseLeaf(leafBytes);
    const recordBytes = record instanceof Uint8Array ? record : canonicalizeRecord(record);
    return bytesEqual(leaf.commitment, computeCommitment(salt, recordBytes));
  } catch {
    return false;
  }
}
