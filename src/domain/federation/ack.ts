/**
 * A receiver's signed acknowledgement of one forwarded record (decision 0027): the sender keeps it
 * in the state's sharing ledger. Pure, so the sender's delivery and the state's browser check it
 * the same way (decision 0044). Two forms verify:
 * - one signature per record (decisions 0027–0068): Ed25519 by the receiver's node key over
 *   RFC 8785 of every other member;
 * - one signature per batch (decision 0070): the receiver signs a statement naming the RFC 6962
 *   Merkle root of its batch's acknowledgements (each leaf is RFC 8785 of one acknowledgement, the
 *   very bytes the first form signs); each ledger entry keeps its acknowledgement, its position in
 *   the batch, the inclusion proof and the batch's signature, so a state checks its own record
 *   without the rest of the batch, offline or in the browser.
 */
import {
  canonicalizeRecord,
  ed25519Verify,
  encodeBase64,
  leafHash,
  nodeHash,
  tryDecodeBase64,
} from '../../log/index.js';

/**
 * The receiver's answer for one bundle:
 * - applied / duplicate: stored (now or before) as the receiver's `received` record `receivedIndex`;
 * - refused: a refusal retrying cannot fix (dead letter on both sides), with its code;
 * - retry: not decided yet (e.g. a consistency proof could not be fetched): send again later.
 */
export interface Ack {
  readonly receiver: string;
  readonly source: string;
  readonly index: number;
  readonly status: 'applied' | 'duplicate' | 'refused' | 'retry';
  readonly leafHash?: string;
  readonly receivedIndex?: number;
  readonly code?: string;
  readonly message?: string;
  readonly at: string;
}

/** One acknowledgement signed alone (the first form). */
export interface SignedAck extends Ack {
  readonly signature: string;
}

/** The statement a batch acknowledgement signs: the receiver and the root of its acknowledgements. */
export const ACK_BATCH_TYPE = 'custos-ack-batch/v1';

/** What the receiver answers for a batch: its acknowledgements are the leaves, in order. */
export interface AckBatch {
  readonly size: number;
  /** base64 RFC 6962 root over the batch's acknowledgements. */
  readonly root: string;
  /** base64 Ed25519 by the receiver's node key over RFC 8785 of {type, receiver, size, root}. */
  readonly signature: string;
}

/** A ledger entry's acknowledgement in the second form: the record's own, and its place in the batch. */
export interface BatchedAck extends Ack {
  readonly batch: {
    readonly size: number;
    readonly position: number;
    /** base64 RFC 6962 audit path of `position` in a tree of `size`, leaf to root. */
    readonly proof: string[];
    readonly signature: string;
  };
}

/** The acknowledgement a ledger entry holds: either form. */
export type LedgerAck = SignedAck | BatchedAck;

/** The bytes a batch acknowledgement signs. */
function statement(receiver: string, size: number, root: Uint8Array): Uint8Array {
  return canonicalizeRecord({ type: ACK_BATCH_TYPE, receiver, size, root: encodeBase64(root) });
}

/**
 * The Merkle levels over the acknowledgements, leaves first; an odd last node is carried up
 * unchanged, which is RFC 6962's split at the largest power of two (as `rootFromLeafHashes`).
 */
function levelsOf(acks: readonly Ack[]): Uint8Array[][] {
  let level = acks.map((a) => leafHash(canonicalizeRecord(a)));
  const levels = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    levels.push(next);
    level = next;
  }
  return levels;
}

/** The audit path of leaf `position`, leaf to root (RFC 9162 §2.1.3.1), read off the levels. */
function pathOf(levels: readonly Uint8Array[][], position: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let p = position;
  for (const level of levels.slice(0, -1)) {
    const sibling = p % 2 === 0 ? p + 1 : p - 1;
    // The last node of an odd level has no sibling: it is carried up, no hash on the path.
    if (sibling < level.length) path.push(level[sibling] as Uint8Array);
    p = Math.floor(p / 2);
  }
  return path;
}

/** The receiver's one signature over a batch's acknowledgements (`sign`: its node key's). */
export function signAckBatch(
  receiver: string,
  acks: readonly Ack[],
  sign: (message: Uint8Array) => Uint8Array,
): AckBatch {
  const levels = levelsOf(acks);
  const root = (levels[levels.length - 1] as Uint8Array[])[0] as Uint8Array;
  return {
    size: acks.length,
    root: encodeBase64(root),
    signature: encodeBase64(sign(statement(receiver, acks.length, root))),
  };
}

/**
 * The sender's check of a batch acknowledgement: the acknowledgements are the batch's leaves in
 * order, under the signed root, all from `receiver`. Answers each one's ledger form (its position
 * and inclusion proof beside the batch's signature), or undefined when anything does not verify.
 * One signature verified for the whole batch; a malformed answer never throws.
 */
export function openAckBatch(
  receiver: string,
  acks: readonly Ack[],
  batch: unknown,
  nodeKeyBase64: string,
): BatchedAck[] | undefined {
  if (typeof batch !== 'object' || batch === null) return undefined;
  const { size, root, signature } = batch as Record<string, unknown>;
  if (size !== acks.length || acks.length === 0 || typeof root !== 'string' || typeof signature !== 'string')
    return undefined;
  if (acks.some((a) => typeof a !== 'object' || a === null || a.receiver !== receiver)) return undefined;
  const key = tryDecodeBase64(nodeKeyBase64);
  const sig = tryDecodeBase64(signature);
  if (key?.length !== 32 || sig?.length !== 64) return undefined;
  try {
    const levels = levelsOf(acks);
    const top = (levels[levels.length - 1] as Uint8Array[])[0] as Uint8Array;
    if (encodeBase64(top) !== root || !ed25519Verify(key, statement(receiver, acks.length, top), sig))
      return undefined;
    return acks.map((a, position) => ({
      ...a,
      batch: { size: acks.length, position, proof: pathOf(levels, position).map(encodeBase64), signature },
    }));
  } catch {
    return undefined;
  }
}

/** The second form: the entry's acknowledgement is at its position under the root the receiver signed. */
function verifyBatched(ack: Record<string, unknown>, key: Uint8Array): boolean {
  const { batch, ...rest } = ack;
  if (typeof batch !== 'object' || batch === null || Array.isArray(batch)) return false;
  const { size, position, proof, signature, ...extra } = batch as Record<string, unknown>;
  if (Object.keys(extra).length > 0 || typeof signature !== 'string' || typeof rest.receiver !== 'string')
    return false;
  if (!Array.isArray(proof) || !proof.every((h) => typeof h === 'string')) return false;
  if (typeof size !== 'number' || typeof position !== 'number') return false;
  const sig = tryDecodeBase64(signature);
  const path = proof.map((h) => tryDecodeBase64(h));
  if (sig?.length !== 64 || path.some((h) => h === undefined)) return false;
  // The root this leaf and path lead to; the signature says whether the receiver signed it.
  const leaf = leafHash(canonicalizeRecord(rest));
  const root = rootOf(leaf, position, size, path as Uint8Array[]);
  return root !== undefined && ed25519Verify(key, statement(rest.receiver, size, root), sig);
}

/**
 * The root a leaf and its audit path lead to (RFC 9162 §2.1.3.2, the steps `verifyInclusion`
 * takes before comparing), or undefined when the path cannot be one of a tree of `size`.
 */
function rootOf(leaf: Uint8Array, index: number, size: number, path: Uint8Array[]): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined;
  if (path.length > 64 || path.some((h) => h.length !== 32)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * True when the ledger entry's acknowledgement verifies with the receiver's node key, in either
 * form. False for anything malformed (a hostile or damaged ledger row never throws here).
 */
export function verifyAcknowledgement(ack: unknown, nodeKeyBase64: string): boolean {
  if (typeof ack !== 'object' || ack === null || Array.isArray(ack)) return false;
  const key = tryDecodeBase64(nodeKeyBase64);
  if (key?.length !== 32) return false;
  const { signature, ...rest } = ack as Record<string, unknown>;
  try {
    // One form or the other, never both: a row carrying both is not one the sender wrote.
    if ('batch' in rest) return signature === undefined && verifyBatched(rest, key);
    if (typeof signature !== 'string') return false;
    const sig = tryDecodeBase64(signature);
    if (sig?.length !== 64) return false;
    return ed25519Verify(key, canonicalizeRecord(rest), sig);
  } catch {
    return false;
  }
}
