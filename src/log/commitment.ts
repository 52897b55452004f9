/**
 * log.md "What a leaf holds": a commitment, not the record. The leaf is the RFC 8785 canonical
 * JSON of { v: 2, id, time, commitment } with an opaque random id, commitment = base64
 * SHA-256(salt || canonical record bytes) and a random 32-byte salt per record (the salt comes in
 * as a parameter). Leaves of the first form { v: 1, kind, id, time, commitment } (record id in
 * clear) stay readable: decision 0021.
 */
import canonicalizeImport from 'canonicalize';
import { sha256 } from './crypto.js';
import { bytesEqual, decodeUtf8, encodeBase64, encodeUtf8, tryDecodeBase64 } from './encoding.js';
import { LogError } from './errors.js';

export const SALT_SIZE = 32;
/** Bytes of randomness in an opaque leaf id (decision 0021): collisions are out of reach. */
export const LEAF_ID_SIZE = 16;

type Serialize = (input: unknown) => string | undefined;
// canonicalize is CommonJS typed as an ES module: at run time (Node and Vite) the default import
// is the function itself; the type checker sees a namespace with `default`. Accept both.
const imported: unknown = canonicalizeImport;
const canonicalize: Serialize =
  typeof imported === 'function' ? (imported as Serialize) : (imported as { default: Serialize }).default;

/**
 * What a leaf of the current form (v: 2, decision 0021) holds: an opaque identifier (random,
 * stored beside the record), the time and the salted commitment. Nothing names a state, an MBA, a
 * report or even the record's kind, so a reader of the public log cannot count another state's
 * reports, refusals or cases.
 */
export interface LeafFields {
  readonly id: string;
  /** RFC 3339, UTC ("Z"). */
  readonly time: string;
  readonly commitment: Uint8Array;
}

/** The first form (v: 1): the record's kind and id in clear. Still read, never written by a node. */
export interface LegacyLeafFields extends LeafFields {
  readonly kind: string;
}

export type Leaf =
  | (LeafFields & { readonly v: 2; readonly kind?: undefined })
  | (LegacyLeafFields & { readonly v: 1 });

/** An opaque leaf id: 16 random bytes as 32 lowercase hex digits (decision 0021). */
export const OPAQUE_LEAF_ID = /^[0-9a-f]{32}$/;

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

function checkFields(f: LeafFields, legacy: boolean): void {
  if (legacy) {
    const kind = (f as LegacyLeafFields).kind;
    if (typeof kind !== 'string' || kind.length === 0)
      throw new LogError('LOG_MALFORMED', 'leaf kind must be a non-empty string');
    if (typeof f.id !== 'string' || f.id.length === 0)
      throw new LogError('LOG_MALFORMED', 'leaf id must be a non-empty string');
  } else if (typeof f.id !== 'string' || !OPAQUE_LEAF_ID.test(f.id)) {
    throw new LogError('LOG_MALFORMED', 'leaf id must be 32 lowercase hex digits');
  }
  if (typeof f.time !== 'string' || !RFC3339_UTC.test(f.time))
    throw new LogError('LOG_MALFORMED', 'leaf time must be RFC 3339 UTC');
  if (!(f.commitment instanceof Uint8Array) || f.commitment.length !== 32) {
    throw new LogError('LOG_MALFORMED', 'leaf commitment must be 32 bytes');
  }
}

/**
 * The leaf bytes of the current form: canonical JSON with v: 2. Written out directly rather than
 * through the generic canonicalizer (it runs once per appended entry): RFC 8785 orders the members
 * by their names' UTF-16 code units (commitment, id, time, v); the id is hex, the time matched
 * RFC3339_UTC and base64 has nothing to escape, so this is the canonical byte string
 * (commitment.test.ts checks it against the canonicalizer).
 */
export function formatLeaf(fields: LeafFields): Uint8Array {
  checkFields(fields, false);
  return encodeUtf8(
    `{"commitment":"${encodeBase64(fields.commitment)}","id":"${fields.id}","time":"${fields.time}","v":2}`,
  );
}

/**
 * The first form (v: 1, kind and record id in clear). No node writes it any more (decision 0021);
 * it exists so that old leaves can be checked byte for byte and so tests can build them.
 */
export function formatLegacyLeaf(fields: LegacyLeafFields): Uint8Array {
  checkFields(fields, true);
  // RFC 8785 serialises strings exactly as JSON.stringify does (§3.2.2.2).
  return encodeUtf8(
    `{"commitment":"${encodeBase64(fields.commitment)}","id":${JSON.stringify(fields.id)},"kind":${JSON.stringify(fields.kind)},"time":"${fields.time}","v":1}`,
  );
}

/**
 * Strict: either form with exactly its members (v: 1 commitment, id, kind, time; v: 2
 * commitment, id, time), and the bytes must be that form's canonical JSON. Logs hold both: the
 * leaves written before a node moved to v: 2 stay as they are (decision 0021).
 */
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
  const legacy = keys === 'commitment,id,kind,time,v' && o.v === 1;
  if (!legacy && !(keys === 'commitment,id,time,v' && o.v === 2))
    throw new LogError('LOG_MALFORMED', 'leaf must be v=2 with id, time, commitment (or v=1 with kind too)');
  const commitment = typeof o.commitment === 'string' ? tryDecodeBase64(o.commitment) : undefined;
  if (commitment === undefined) throw new LogError('LOG_MALFORMED', 'leaf commitment is not base64');
  const id = o.id as string;
  const time = o.time as string;
  let leaf: Leaf;
  let canonical: Uint8Array;
  if (legacy) {
    const fields = { kind: o.kind as string, id, time, commitment };
    canonical = formatLegacyLeaf(fields);
    leaf = { v: 1, ...fields };
  } else {
    canonical = formatLeaf({ id, time, commitment });
    leaf = { v: 2, id, time, commitment };
  }
  if (!bytesEqual(canonical, bytes)) throw new LogError('LOG_MALFORMED', 'leaf is not canonical JSON');
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
