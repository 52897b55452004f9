/**
 * Checking a forwarded record offline (federation.md "Receiver's checks", decision 0028). Pure:
 * the receiver brings what it knows (the source's log key, the state's registered keys, the
 * checkpoints of the source it has seen and the consistency proofs between them) as values and
 * lookups; nothing here reads a clock, a database or the network.
 */
import {
  bytesEqual,
  type Checkpoint,
  type ConsistencyEvidence,
  canonicalizeRecord,
  computeCommitment,
  detectSplitView,
  ed25519Verify,
  encodeBase64,
  encodeHex,
  type Leaf,
  leafHash,
  type NoteVerifier,
  openNote,
  parseCheckpoint,
  parseLeaf,
  parseNote,
  parseNoteVerifier,
  parseProof,
  SALT_SIZE,
  sha256,
  type TlogProof,
  tryDecodeBase64,
  verifyInclusion,
} from '../../log/index.js';
import {
  BUNDLE_REFUSAL_ERROR,
  type Bundle,
  type BundleRecord,
  type BundleRefusalCode,
  type BundleVerification,
  type StateKeyLookup,
} from './bundle.types.js';

export interface VerifyBundleOptions {
  /** The source log's C2SP verifier key (`origin+keyid+base64`); its name is the source origin. */
  readonly sourceLogKey: string | NoteVerifier;
  /**
   * The state's registered key `keyId` at `time` (the leaf's time in the source log). `record`
   * is the bundle's record, for lookups that need more (its organisation).
   */
  readonly stateKeyAt: (state: string, keyId: string, time: string, record: BundleRecord) => StateKeyLookup;
  /**
   * Signed checkpoints of the source this node has seen (notes, verbatim). The bundle's checkpoint
   * must be consistent with each. One suffices when it is the latest kept by advanceCheckpoint:
   * consistency with the newest of a consistent series is consistency with all of it.
   */
  readonly seenCheckpoints?: readonly string[];
  /**
   * The consistency proof of the source log between two sizes (from < to), as fetched from the
   * source (its proof endpoint or tiles); undefined when not at hand (the bundle is then refused
   * with CONSISTENCY_UNPROVEN, which a retry with the proof can cure).
   */
  readonly consistencyProof?: (
    from: number,
    to: number,
  ) => ConsistencyEvidence | readonly Uint8Array[] | undefined;
}

const KEY_ID = /^[0-9a-f]{16}$/;

/**
 * What the checks of a batch's bundles share (decision 0070): a batch carries one checkpoint
 * (decision 0053), which each bundle parsed, opened under the source's key and compared with the
 * one seen again: ~0.15 ms a bundle. Remembered here, by the exact texts: the verifier parsed
 * from a key, the checkpoint parsed from a note, and that a note verified under a key given as
 * text (a note identical to the one seen needs no comparison). Only successes are kept; a few entries, cleared when full (bounded like the crypto
 * port's memo of verified signatures). Nothing here depends on anything but its key's texts.
 */
const MEMO_LIMIT = 16;
const parsedCheckpoints = new Map<string, Checkpoint>();
const verifiedNotes = new Set<string>();

function remember<T>(memo: Map<string, T> | Set<string>, key: string, value?: T): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  if (memo instanceof Map) memo.set(key, value as T);
  else memo.add(key);
}

const verifiers = new Map<string, NoteVerifier>();

/** The note verifier of a C2SP verifier key (parsed once per key text; a malformed one throws). */
function verifierOf(key: string): NoteVerifier {
  const known = verifiers.get(key);
  if (known) return known;
  const verifier = parseNoteVerifier(key);
  remember(verifiers, key, verifier);
  return verifier;
}

/** The checkpoint a note's text states (parsed once per note text). */
function checkpointOfNote(note: string): Checkpoint {
  const known = parsedCheckpoints.get(note);
  if (known) return known;
  const checkpoint = parseCheckpoint(parseNote(note).text);
  remember(parsedCheckpoints, note, checkpoint);
  return checkpoint;
}
const SIGNATURE_HEADER = /^([0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/;

class Malformed extends Error {}

function malformed(message: string): never {
  throw new Malformed(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) malformed(`${what} must be a non-empty string`);
  return v;
}

/**
 * A bundle as read: its original's bytes are base64 as they travel, or already in hand — a holder
 * that received them in another form (the inbox unpacks a packed original, decision 0071) puts the
 * bytes it got there, so they are not base64-encoded again only to be decoded here.
 */
type ReadBundle = Omit<Bundle, 'original'> & {
  readonly original?: { readonly bytes: string | Uint8Array; readonly signature: string };
};

/** The original's bytes: base64 text, or bytes in hand (ReadBundle). */
function originalBytes(o: Record<string, unknown>): string | Uint8Array {
  const v = o.bytes;
  if (v instanceof Uint8Array) {
    if (v.length === 0) malformed('original.bytes must not be empty');
    return v;
  }
  return text(o, 'bytes', 'original.bytes');
}

/**
 * Reads a bundle from its JSON value, strictly (every byte from outside is hostile). Throws
 * Malformed (caught by verifyBundle); use verifyBundle rather than this alone.
 */
function readBundle(value: unknown): ReadBundle {
  if (!isObject(value)) malformed('a bundle is a JSON object');
  const known = new Set(['source', 'index', 'leaf', 'record', 'original', 'proof']);
  for (const k of Object.keys(value)) if (!known.has(k)) malformed(`unknown bundle member ${k}`);
  const source = text(value, 'source', 'source');
  const index = value.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
    malformed('index must be a non-negative integer');
  const r = value.record;
  if (!isObject(r)) malformed('record must be an object');
  if (!('content' in r)) malformed('record.content is missing');
  const record: BundleRecord = {
    kind: text(r, 'kind', 'record.kind'),
    id: text(r, 'id', 'record.id'),
    leafId: text(r, 'leafId', 'record.leafId'),
    content: r.content,
    salt: text(r, 'salt', 'record.salt'),
  };
  let original: ReadBundle['original'];
  if (value.original !== undefined) {
    const o = value.original;
    if (!isObject(o)) malformed('original must be an object');
    original = {
      bytes: originalBytes(o),
      signature: text(o, 'signature', 'original.signature'),
    };
  }
  return {
    source,
    index,
    leaf: text(value, 'leaf', 'leaf'),
    record,
    ...(original ? { original } : {}),
    proof: text(value, 'proof', 'proof'),
  };
}

/** Who signed a record's original: the state it is about, the key and signature it commits. */
interface Signer {
  readonly state: string;
  readonly keyId: string;
  readonly signature: string;
  /** A report's or declaration's body, committed by its hash (the bytes travel as sent). */
  readonly bodySha256?: string;
  /** An inspection statement's signed bytes: its RFC 8785 form, rebuilt from the content. */
  readonly bytes?: Uint8Array;
}

/**
 * The organisation whose key signed a record's original: an inspection statement's inspectorate,
 * else the organisation the content names (a report's submitter). What a key lookup compares the
 * registered key's organisation with.
 */
export function signerOrganisation(record: BundleRecord): string | undefined {
  const c = record.content;
  if (!isObject(c)) return undefined;
  if (record.kind === 'inspection-statement')
    return isObject(c.statement) && typeof c.statement.inspectorate === 'string'
      ? c.statement.inspectorate
      : undefined;
  return typeof c.organisation === 'string' ? c.organisation : undefined;
}

/**
 * The signature a record's content carries (decision 0044): a report or declaration by its state
 * (keyId, signature, the body's hash); an inspection statement by its inspectorate (the statement,
 * its signature and key: the signed bytes are the statement's RFC 8785 form, domain.md §7). A case
 * transition carries none at this level: the source's log proves it (a signed decision inside it
 * is part of its committed content).
 */
function signedBy(record: BundleRecord): Signer | undefined {
  const content = record.content;
  if (!isObject(content) || record.kind === 'case-transition') return undefined;
  const { keyId, signature } = content;
  if (keyId === undefined && signature === undefined) return undefined;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) malformed('record.content.keyId is not a key id');
  if (typeof signature !== 'string') malformed('record.content.signature must be a string');
  if (record.kind === 'inspection-statement') {
    const { statement } = content;
    if (!isObject(statement) || typeof statement.state !== 'string')
      malformed('record.content.statement must be a statement naming its state');
    let bytes: Uint8Array;
    try {
      bytes = canonicalizeRecord(statement);
    } catch {
      malformed('record.content.statement is not representable as canonical JSON');
    }
    return { state: statement.state, keyId, signature, bytes };
  }
  const { state, bodySha256 } = content;
  if (typeof state !== 'string') malformed('record.content.state must name the signing state');
  if (typeof bodySha256 !== 'string') malformed('record.content.bodySha256 must be the signed body hash');
  return { state, keyId, signature, bodySha256 };
}

type Refusal = Extract<BundleVerification, { ok: false }>;

function refuse(code: BundleRefusalCode, message: string, extra: Partial<Refusal> = {}): Refusal {
  return { ok: false, code, errorCode: BUNDLE_REFUSAL_ERROR[code], message, ...extra };
}

interface Decoded {
  readonly bundle: ReadBundle;
  readonly leafBytes: Uint8Array;
  readonly leaf: Leaf;
  readonly salt: Uint8Array;
  readonly proof: TlogProof;
  readonly checkpoint: Checkpoint;
  readonly signer: Signer | undefined;
}

function decode(input: unknown): Decoded {
  const bundle = readBundle(input);
  const leafBytes = tryDecodeBase64(bundle.leaf) ?? malformed('leaf is not base64');
  let leaf: Leaf;
  let proof: TlogProof;
  let checkpoint: Checkpoint;
  try {
    leaf = parseLeaf(leafBytes);
    proof = parseProof(bundle.proof);
    checkpoint = checkpointOfNote(proof.checkpointNote);
  } catch (err) {
    malformed((err as Error).message);
  }
  const salt = tryDecodeBase64(bundle.record.salt);
  if (salt === undefined || salt.length !== SALT_SIZE) malformed('record.salt is not 32 bytes of base64');
  // The receipt may carry the leaf too (tlog-proof `extra`): then it must be this leaf.
  if (proof.extra !== undefined && !bytesEqual(proof.extra, leafBytes))
    malformed("the proof's extra line is another leaf than the bundle's");
  return { bundle, leafBytes, leaf, salt, proof, checkpoint, signer: signedBy(bundle.record) };
}

/** Check 2: the state's signature over the original bytes, with a key it had registered then. */
function checkStateSignature(d: Decoded, options: VerifyBundleOptions): Refusal | BundleVerificationOriginal {
  const { signer, bundle } = d;
  if (signer === undefined) {
    if (bundle.original !== undefined) malformed('original given for a record no state signed');
    return undefined;
  }
  if (bundle.original === undefined)
    return refuse(
      'STATE_SIGNATURE_MISSING',
      'the record is signed by a state but the bundle has no original',
    );
  const m = SIGNATURE_HEADER.exec(bundle.original.signature);
  const held = bundle.original.bytes;
  const bytes = typeof held === 'string' ? tryDecodeBase64(held) : held;
  if (bytes === undefined) malformed('original.bytes is not base64');
  const sig = m ? tryDecodeBase64(m[2] as string) : undefined;
  if (!m || sig === undefined || sig.length !== 64)
    return refuse('STATE_SIGNATURE_INVALID', 'original.signature is not <keyId>:<base64 Ed25519 signature>');
  const keyId = m[1] as string;
  const found = options.stateKeyAt(signer.state, keyId, d.leaf.time, bundle.record);
  if (found === undefined || 'refused' in found) {
    const code = found?.refused === 'KEY_NOT_VALID' ? 'STATE_KEY_NOT_VALID' : 'STATE_KEY_UNKNOWN';
    return refuse(
      code,
      found?.message ??
        (code === 'STATE_KEY_UNKNOWN'
          ? `key ${keyId} is not a key ${signer.state} registered`
          : `key ${keyId} of ${signer.state} was not valid at ${d.leaf.time}`),
    );
  }
  const publicKey = typeof found.publicKey === 'string' ? tryDecodeBase64(found.publicKey) : found.publicKey;
  if (publicKey === undefined || publicKey.length !== 32 || !ed25519Verify(publicKey, bytes, sig))
    return refuse(
      'STATE_SIGNATURE_INVALID',
      `the signature of key ${keyId} does not verify over the original bytes`,
    );
  return { bytes, keyId, signature: m[2] as string };
}

type BundleVerificationOriginal = Extract<BundleVerification, { ok: true }>['original'];

/** Check 3, first half: the original is what the record commits to, the record what the leaf does. */
function checkCommitment(d: Decoded, original: BundleVerificationOriginal): Refusal | undefined {
  const { signer, leaf, bundle } = d;
  if (signer !== undefined && original !== undefined) {
    if (original.keyId !== signer.keyId || original.signature !== signer.signature)
      return refuse(
        'ORIGINAL_NOT_COMMITTED',
        "the original's signature is not the one the record commits to",
      );
    if (
      signer.bytes !== undefined
        ? !bytesEqual(signer.bytes, original.bytes)
        : encodeHex(sha256(original.bytes)) !== signer.bodySha256
    )
      return refuse(
        'ORIGINAL_NOT_COMMITTED',
        signer.bytes !== undefined
          ? 'the original bytes are not the statement the record commits to'
          : 'the original bytes do not hash to the body the record commits to',
      );
  }
  // A leaf of form v1 names its record and kind; one of form v2 carries the opaque id (0021).
  if (
    leaf.v === 1
      ? leaf.id !== bundle.record.id || leaf.kind !== bundle.record.kind
      : leaf.id !== bundle.record.leafId
  )
    return refuse(
      'RECORD_NOT_COMMITTED',
      `the leaf (id ${leaf.id}) is not the record's (leaf id ${bundle.record.leafId})`,
    );
  let recordBytes: Uint8Array;
  try {
    recordBytes = canonicalizeRecord(bundle.record.content);
  } catch {
    malformed('record.content is not representable as canonical JSON');
  }
  if (!bytesEqual(computeCommitment(d.salt, recordBytes), leaf.commitment))
    return refuse('RECORD_NOT_COMMITTED', "the record with its salt does not hash to the leaf's commitment");
  return undefined;
}

/** Check 3, second half: inclusion at the index, then the source's signature on the checkpoint. */
function checkLog(d: Decoded, verifier: NoteVerifier, keyText: string | undefined): Refusal | undefined {
  const { bundle, proof, checkpoint } = d;
  if (proof.index !== bundle.index)
    return refuse(
      'INCLUSION_INVALID',
      `the proof is for index ${proof.index}, the bundle says ${bundle.index}`,
    );
  if (
    !verifyInclusion(leafHash(d.leafBytes), bundle.index, checkpoint.size, proof.proof, checkpoint.rootHash)
  )
    return refuse(
      'INCLUSION_INVALID',
      `the leaf is not included at index ${bundle.index} under the checkpoint of size ${checkpoint.size}`,
    );
  if (checkpoint.origin !== bundle.source || verifier.name !== bundle.source)
    return refuse(
      'CHECKPOINT_ORIGIN_MISMATCH',
      `the bundle's source is ${bundle.source}, its checkpoint's origin ${checkpoint.origin}, the key is for ${verifier.name}`,
    );
  const memo = keyText === undefined ? undefined : `${keyText}\n${proof.checkpointNote}`;
  if (memo !== undefined && verifiedNotes.has(memo)) return undefined;
  try {
    openNote(proof.checkpointNote, [verifier]);
    if (memo !== undefined) remember(verifiedNotes, memo);
  } catch (err) {
    return refuse(
      'CHECKPOINT_SIGNATURE_INVALID',
      `the checkpoint is not signed by the source's log key: ${(err as Error).message}`,
    );
  }
  return undefined;
}

/** Check 4: consistent with every checkpoint of the source seen before, or a split view. */
function checkConsistency(
  d: Decoded,
  verifier: NoteVerifier,
  options: VerifyBundleOptions,
): Refusal | undefined {
  const note = d.proof.checkpointNote;
  for (const seen of options.seenCheckpoints ?? []) {
    // The very note checkLog has just verified under this key: the same size and root.
    if (seen === note) continue;
    let seenSize: number;
    try {
      seenSize = checkpointOfNote(seen).size;
    } catch (err) {
      return refuse(
        'CONSISTENCY_UNPROVEN',
        `a checkpoint seen before is unreadable: ${(err as Error).message}`,
      );
    }
    const size = d.checkpoint.size;
    const proof =
      seenSize === size
        ? undefined
        : options.consistencyProof?.(Math.min(seenSize, size), Math.max(seenSize, size));
    const v = detectSplitView(seen, note, verifier, proof);
    if (v.kind === 'equivocation')
      return refuse('SPLIT_VIEW', `split view of ${d.bundle.source}: ${v.reason}`, { evidence: v.evidence });
    if (v.kind !== 'consistent')
      return refuse(
        'CONSISTENCY_UNPROVEN',
        `consistency with the checkpoint of size ${seenSize} seen before: ${v.reason}`,
      );
  }
  return undefined;
}

/**
 * Verifies a forwarded record's bundle; the first failing check refuses it with its code
 * (BUNDLE_REFUSAL_CODES, in order). Never throws on hostile input; a malformed `sourceLogKey`
 * is the caller's error (LogError). `input` is the bundle's JSON value; its `original.bytes` may
 * be a Uint8Array of the bytes already in hand (ReadBundle).
 */
export function verifyBundle(input: unknown, options: VerifyBundleOptions): BundleVerification {
  const keyText = typeof options.sourceLogKey === 'string' ? options.sourceLogKey : undefined;
  const verifier = keyText === undefined ? (options.sourceLogKey as NoteVerifier) : verifierOf(keyText);
  try {
    const d = decode(input);
    const original = checkStateSignature(d, options);
    if (original !== undefined && 'ok' in original) return original;
    const refused =
      checkCommitment(d, original) ??
      checkLog(d, verifier, keyText) ??
      checkConsistency(d, verifier, options);
    if (refused) return refused;
    const hash = encodeBase64(leafHash(d.leafBytes));
    return {
      ok: true,
      source: d.bundle.source,
      index: d.bundle.index,
      leaf: d.leaf,
      leafHash: hash,
      record: d.bundle.record,
      ...(original ? { original } : {}),
      checkpoint: d.checkpoint,
      checkpointNote: d.proof.checkpointNote,
      received: { source: d.bundle.source, index: d.bundle.index, leafHash: hash },
    };
  } catch (err) {
    if (err instanceof Malformed) return refuse('BUNDLE_MALFORMED', err.message);
    throw err;
  }
}

/** The bundle as JSON text (what travels). */
export function formatBundle(bundle: Bundle): string {
  return JSON.stringify(bundle);
}
