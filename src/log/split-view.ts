/**
 * Split views (log.md: "The log never signs two checkpoints that are not consistent"): two
 * checkpoints of one origin, both signed by its log key, that cannot be views of one append-only
 * tree. The signed notes are the evidence; anyone holding the log's verifier key re-checks it
 * offline (decision 0028).
 *
 * What counts as proof, and what does not:
 * - same size, different roots: the two notes alone;
 * - sizes m < n: a consistency proof from m to n that leads to the larger checkpoint's root but
 *   to another root for the first m leaves. The hashes that rebuild the signed root of size n are
 *   that tree's own nodes (finding others is a SHA-256 second preimage), so the root they give
 *   for the first m leaves is the one the log holds, and it is not the one it signed at size m.
 *   A proof that does not even lead to the larger root proves nothing about the log (anyone can
 *   write one), so it is never evidence: the verdict is "undecided".
 * - when m is a power of two, RFC 9162 §2.1.4.2 starts the proof from the old root itself, so the
 *   evidence must carry the larger tree's hash of its first m leaves (`firstHash`; from the log's
 *   tiles, or the first hash of the proof the log served with the old root prepended).
 */
import { type Checkpoint, openCheckpoint, parseCheckpoint } from './checkpoint.js';
import { bytesEqual, encodeBase64, tryDecodeBase64 } from './encoding.js';
import { LogError, type LogErrorCode } from './errors.js';
import { emptyRoot, HASH_SIZE } from './hashing.js';
import { type NoteVerifier, parseNote, parseNoteVerifier } from './note.js';
import { consistencyProofRoots, isPowerOfTwo, verifyConsistency } from './verify.js';

/** The `type` member of the evidence file (JSON). */
export const SPLIT_VIEW_EVIDENCE_TYPE = 'custos/split-view@v1';

/** Self-contained evidence that a log showed two parties inconsistent views. */
export interface SplitViewEvidence {
  readonly origin: string;
  /** Both signed notes, verbatim; the smaller tree first (at equal sizes, either order). */
  readonly checkpoints: readonly [string, string];
  /** At different sizes: the consistency proof from the smaller to the larger tree. */
  readonly proof?: readonly Uint8Array[];
  /** When the smaller size is a power of two: the larger tree's hash of its first leaves. */
  readonly firstHash?: Uint8Array;
  /**
   * The log's C2SP verifier key, as the node that found the split view registered it (decision
   * 0043): a convenience for whoever checks the file, who must still know it is the log's key.
   */
  readonly logKey?: string;
}

/** What a consistency check between two checkpoints of one log has in hand besides the notes. */
export interface ConsistencyEvidence {
  /** The consistency proof from the smaller tree to the larger (RFC 9162 §2.1.4), as served. */
  readonly proof: readonly Uint8Array[];
  /** Only needed to prove a split view when the smaller size is a power of two (see above). */
  readonly firstHash?: Uint8Array;
}

type Judgement =
  | { readonly kind: 'consistent' }
  | { readonly kind: 'split'; readonly reason: string }
  | { readonly kind: 'undecided'; readonly reason: string };

/** The one decision, on checkpoints whose signatures were already checked. */
function judge(a: Checkpoint, b: Checkpoint, evidence: ConsistencyEvidence | undefined): Judgement {
  if (a.size === b.size) {
    return bytesEqual(a.rootHash, b.rootHash)
      ? { kind: 'consistent' }
      : { kind: 'split', reason: `two signed roots for tree size ${a.size}` };
  }
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  if (small.size === 0) {
    // Every tree of size 0 has the empty root: a signed size 0 with another root is no tree at all.
    return bytesEqual(small.rootHash, emptyRoot())
      ? { kind: 'consistent' }
      : { kind: 'split', reason: 'a signed checkpoint of size 0 whose root is not the empty tree' };
  }
  if (evidence === undefined)
    return {
      kind: 'undecided',
      reason: `sizes ${small.size} and ${large.size}: a consistency proof is needed`,
    };
  if (verifyConsistency(small.size, large.size, evidence.proof, small.rootHash, large.rootHash))
    return { kind: 'consistent' };
  const firstHash = isPowerOfTwo(small.size) ? evidence.firstHash : undefined;
  if (isPowerOfTwo(small.size) && firstHash === undefined)
    return {
      kind: 'undecided',
      reason: `the proof does not verify, and as ${small.size} is a power of two it proves a split view only with the larger tree's hash of its first ${small.size} leaves (firstHash)`,
    };
  const roots = consistencyProofRoots(small.size, large.size, evidence.proof, firstHash);
  if (roots === undefined || !bytesEqual(roots.newRoot, large.rootHash))
    return {
      kind: 'undecided',
      reason: `the consistency proof does not lead to the signed root of size ${large.size}: it proves nothing about the log`,
    };
  if (bytesEqual(roots.oldRoot, small.rootHash)) return { kind: 'consistent' };
  return {
    kind: 'split',
    reason: `the signed tree of size ${large.size} holds root ${encodeBase64(roots.oldRoot)} for its first ${small.size} leaves, the log signed ${encodeBase64(small.rootHash)}`,
  };
}

function toVerifier(vkey: string | NoteVerifier): NoteVerifier {
  return typeof vkey === 'string' ? parseNoteVerifier(vkey) : vkey;
}

export type SplitViewVerdict =
  /** Both notes verify and one tree extends the other (or they are the same checkpoint). */
  | { readonly kind: 'consistent'; readonly sizes: readonly [number, number] }
  /** Both notes verify with the log key, yet they cannot be views of one append-only log. */
  | {
      readonly kind: 'equivocation';
      readonly sizes: readonly [number, number];
      readonly roots: readonly [string, string];
      readonly reason: string;
      /** What anyone can re-check offline (verifySplitViewEvidence). */
      readonly evidence: SplitViewEvidence;
    }
  /** Not enough to decide: different sizes without a proof, or a proof that proves nothing. */
  | { readonly kind: 'undecided'; readonly sizes: readonly [number, number]; readonly reason: string }
  /** One of the notes is not signed by this log key (not evidence against the log). */
  | { readonly kind: 'unsigned'; readonly reason: string };

/**
 * Two parties (two witnesses, two auditors, two nodes) compare the checkpoints the log showed
 * them. `consistency` is the proof between the two sizes (either order: it always runs from the
 * smaller to the larger). Never throws on hostile notes or proofs; a malformed verifier key is a
 * caller error (LogError).
 */
export function detectSplitView(
  noteA: string,
  noteB: string,
  vkey: string | NoteVerifier,
  consistency?: readonly Uint8Array[] | ConsistencyEvidence,
): SplitViewVerdict {
  const verifier = toVerifier(vkey);
  let a: Checkpoint;
  let b: Checkpoint;
  try {
    a = openCheckpoint(noteA, verifier).checkpoint;
    b = openCheckpoint(noteB, verifier).checkpoint;
  } catch (err) {
    return { kind: 'unsigned', reason: (err as Error).message };
  }
  const evidence = Array.isArray(consistency)
    ? { proof: consistency as readonly Uint8Array[] }
    : (consistency as ConsistencyEvidence | undefined);
  const sizes = [a.size, b.size] as const;
  const roots = [encodeBase64(a.rootHash), encodeBase64(b.rootHash)] as const;
  const j = judge(a, b, evidence);
  if (j.kind === 'consistent') return { kind: 'consistent', sizes };
  if (j.kind === 'undecided') return { kind: 'undecided', sizes, reason: j.reason };
  const smallFirst = a.size <= b.size;
  const checkpoints: readonly [string, string] = smallFirst ? [noteA, noteB] : [noteB, noteA];
  const small = smallFirst ? a : b;
  return {
    kind: 'equivocation',
    sizes,
    roots,
    reason: j.reason,
    evidence: {
      origin: a.origin,
      checkpoints,
      ...(a.size !== b.size && small.size > 0 && evidence ? { proof: evidence.proof } : {}),
      ...(a.size !== b.size && isPowerOfTwo(small.size) && evidence?.firstHash
        ? { firstHash: evidence.firstHash }
        : {}),
    },
  };
}

export type CheckpointAdvance =
  /** Keep `latest` as the newest checkpoint seen of this log (the larger of the two). */
  | { readonly kind: 'consistent'; readonly latest: string; readonly checkpoint: Checkpoint }
  | { readonly kind: 'split-view'; readonly reason: string; readonly evidence: SplitViewEvidence }
  | { readonly kind: 'undecided'; readonly reason: string }
  /** The new note is not signed by the log key: refuse it; it says nothing about the log. */
  | { readonly kind: 'unsigned'; readonly reason: string };

/**
 * Checkpoint bookkeeping for a receiver or a cross-witness: given the latest checkpoint seen of
 * a log (undefined for none yet) and a new one (with the consistency proof between their sizes
 * when they differ), answer which one to keep, or the split-view evidence. `latest` must be a
 * note this function returned before (or that the caller verified): it is re-opened with the key.
 */
export function advanceCheckpoint(
  latest: string | undefined,
  next: string,
  vkey: string | NoteVerifier,
  consistency?: readonly Uint8Array[] | ConsistencyEvidence,
): CheckpointAdvance {
  const verifier = toVerifier(vkey);
  let nextCp: Checkpoint;
  try {
    nextCp = openCheckpoint(next, verifier).checkpoint;
  } catch (err) {
    return { kind: 'unsigned', reason: (err as Error).message };
  }
  if (latest === undefined) return { kind: 'consistent', latest: next, checkpoint: nextCp };
  const v = detectSplitView(latest, next, verifier, consistency);
  switch (v.kind) {
    case 'consistent': {
      const latestCp = parseCheckpoint(parseNote(latest).text);
      return nextCp.size > latestCp.size
        ? { kind: 'consistent', latest: next, checkpoint: nextCp }
        : { kind: 'consistent', latest, checkpoint: latestCp };
    }
    case 'equivocation':
      return { kind: 'split-view', reason: v.reason, evidence: v.evidence };
    case 'undecided':
      return { kind: 'undecided', reason: v.reason };
    default:
      // The new note verified above, so it is the stored one that does not.
      return { kind: 'undecided', reason: `the latest checkpoint kept does not verify: ${v.reason}` };
  }
}

/** The evidence file: JSON, hashes in standard base64. */
export function formatSplitViewEvidence(e: SplitViewEvidence): string {
  const out: Record<string, unknown> = {
    type: SPLIT_VIEW_EVIDENCE_TYPE,
    origin: e.origin,
    checkpoints: [e.checkpoints[0], e.checkpoints[1]],
  };
  if (e.proof !== undefined) out.proof = e.proof.map(encodeBase64);
  if (e.firstHash !== undefined) out.firstHash = encodeBase64(e.firstHash);
  if (e.logKey !== undefined) out.logKey = e.logKey;
  return `${JSON.stringify(out, null, 2)}\n`;
}

function hashFrom(v: unknown, what: string): Uint8Array {
  const h = typeof v === 'string' ? tryDecodeBase64(v) : undefined;
  if (h === undefined || h.length !== HASH_SIZE)
    throw new LogError('LOG_MALFORMED', `${what} is not base64 of 32 bytes`);
  return h;
}

/** Strict parse of the evidence file (text or its JSON value); LOG_MALFORMED otherwise. */
export function parseSplitViewEvidence(input: string | unknown): SplitViewEvidence {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > 1 << 20) throw new LogError('LOG_MALFORMED', 'evidence too large');
    try {
      value = JSON.parse(input);
    } catch {
      throw new LogError('LOG_MALFORMED', 'evidence is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LogError('LOG_MALFORMED', 'evidence is not a JSON object');
  const o = value as Record<string, unknown>;
  if (o.type !== SPLIT_VIEW_EVIDENCE_TYPE)
    throw new LogError('LOG_MALFORMED', `evidence type must be ${SPLIT_VIEW_EVIDENCE_TYPE}`);
  if (typeof o.origin !== 'string' || o.origin.length === 0)
    throw new LogError('LOG_MALFORMED', 'evidence origin must be a non-empty string');
  const cps = o.checkpoints;
  if (!Array.isArray(cps) || cps.length !== 2 || !cps.every((c) => typeof c === 'string'))
    throw new LogError('LOG_MALFORMED', 'evidence checkpoints must be two signed notes');
  let proof: Uint8Array[] | undefined;
  if (o.proof !== undefined) {
    if (!Array.isArray(o.proof) || o.proof.length > 64)
      throw new LogError('LOG_MALFORMED', 'evidence proof must be a list of at most 64 hashes');
    proof = o.proof.map((h, i) => hashFrom(h, `proof hash ${i}`));
  }
  const firstHash = o.firstHash === undefined ? undefined : hashFrom(o.firstHash, 'firstHash');
  if (o.logKey !== undefined && (typeof o.logKey !== 'string' || o.logKey.length > 500))
    throw new LogError('LOG_MALFORMED', 'evidence logKey must be a C2SP verifier key');
  return {
    origin: o.origin,
    checkpoints: [cps[0] as string, cps[1] as string],
    ...(proof ? { proof } : {}),
    ...(firstHash ? { firstHash } : {}),
    ...(typeof o.logKey === 'string' ? { logKey: o.logKey } : {}),
  };
}

export type SplitViewCheck =
  | {
      readonly ok: true;
      readonly origin: string;
      readonly sizes: readonly [number, number];
      readonly roots: readonly [string, string];
      readonly reason: string;
    }
  | { readonly ok: false; readonly code: LogErrorCode; readonly message: string };

/**
 * Does this evidence prove that the log with this verifier key signed two inconsistent
 * checkpoints? Offline, never throws on hostile evidence. Without `vkey`, the key the evidence
 * carries (`logKey`) is used; with both, they must be the same key. Refusals: LOG_MALFORMED (not
 * evidence, or no key at all, or a key that does not parse),
 * LOG_UNKNOWN_ORIGIN (another log's), LOG_SIGNATURE_INVALID (a note the key did not sign: not the
 * log's word), LOG_PROOF_INVALID (the notes are consistent, or the proof proves nothing).
 */
export function verifySplitViewEvidence(
  input: string | SplitViewEvidence,
  vkey?: string | NoteVerifier,
): SplitViewCheck {
  let e: SplitViewEvidence;
  let verifier: NoteVerifier;
  try {
    e = typeof input === 'string' ? parseSplitViewEvidence(input) : input;
    const key = vkey ?? e.logKey;
    if (key === undefined)
      throw new LogError('LOG_MALFORMED', 'the evidence carries no logKey: give the log’s verifier key');
    verifier = toVerifier(key);
    if (vkey !== undefined && e.logKey !== undefined) {
      const named = parseNoteVerifier(e.logKey);
      // Only for a clearer refusal: what proves anything is the signatures checked below.
      if (named.name !== verifier.name || named.keyId !== verifier.keyId)
        return {
          ok: false,
          code: 'LOG_SIGNATURE_INVALID',
          message: `the evidence names the log key ${e.logKey}, not the key given`,
        };
    }
  } catch (err) {
    return { ok: false, code: 'LOG_MALFORMED', message: (err as Error).message };
  }
  if (e.origin !== verifier.name)
    return {
      ok: false,
      code: 'LOG_UNKNOWN_ORIGIN',
      message: `the evidence is about ${e.origin}, the key is for ${verifier.name}`,
    };
  const opened: Checkpoint[] = [];
  for (const [i, note] of e.checkpoints.entries()) {
    try {
      opened.push(openCheckpoint(note, verifier).checkpoint);
    } catch (err) {
      const code = err instanceof LogError ? err.code : 'LOG_MALFORMED';
      return {
        ok: false,
        code,
        message: `checkpoint ${i + 1} is not the log's: ${(err as Error).message}`,
      };
    }
  }
  const [a, b] = opened as [Checkpoint, Checkpoint];
  const j = judge(
    a,
    b,
    e.proof === undefined
      ? undefined
      : { proof: e.proof, ...(e.firstHash ? { firstHash: e.firstHash } : {}) },
  );
  if (j.kind === 'split')
    return {
      ok: true,
      origin: e.origin,
      sizes: [a.size, b.size],
      roots: [encodeBase64(a.rootHash), encodeBase64(b.rootHash)],
      reason: j.reason,
    };
  return {
    ok: false,
    code: 'LOG_PROOF_INVALID',
    message:
      j.kind === 'consistent'
        ? 'the two checkpoints are consistent: no split view'
        : `no split view is proven: ${j.reason}`,
  };
}
