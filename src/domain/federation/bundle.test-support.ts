/**
 * Builds bundles the way a source node does, over an in-memory log, for the pure tests (and the
 * CLI tests' offline files). Keys come from fixed seeds so the bytes are reproducible.
 */
import {
  canonicalizeRecord,
  computeCommitment,
  ed25519PublicKey,
  ed25519Sign,
  encodeBase64,
  encodeHex,
  formatLeaf,
  formatProof,
  sha256,
} from '../../log/index.js';
import { createMemoryLog, type MemoryLog } from '../../log/testdata/memory-log.js';
import { computeKeyId } from '../registry/index.js';
import { verifyBundle } from './bundle.js';
import type { Bundle, BundleRecord } from './bundle.types.js';
import type { ProvenanceChain, VerifyChainOptions } from './chain.js';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export const STATE_SEED = new Uint8Array(32).fill(21);
export const STATE_PUBLIC_KEY = ed25519PublicKey(STATE_SEED);
export const STATE_KEY_ID = computeKeyId(STATE_PUBLIC_KEY);

export interface Stored {
  readonly index: number;
  readonly leaf: Uint8Array;
  readonly record: BundleRecord;
  readonly original?: { bytes: string; signature: string };
}

/** A source log with records appended the way appendRecords does (salted commitment, v2 leaf). */
export function createSourceLog(origin = 'regional.test/log', seedByte = 11) {
  const log: MemoryLog = createMemoryLog(origin, seedByte);
  let n = 0;
  function append(kind: string, id: string, content: unknown, time = '2026-12-01T10:00:00Z'): Stored {
    n++;
    const salt = new Uint8Array(32).fill(n % 256);
    const leafId = encodeHex(sha256(utf8(`leaf ${origin} ${n}`)).subarray(0, 16));
    const leaf = formatLeaf({
      id: leafId,
      time,
      commitment: computeCommitment(salt, canonicalizeRecord(content)),
    });
    const index = log.append(leaf);
    return { index, leaf, record: { kind, id, leafId, content, salt: encodeBase64(salt) } };
  }
  /** A report signed by the state key over `body` (its content as reportContent shapes it). */
  function appendReport(
    id: string,
    body: string,
    seed: Uint8Array = STATE_SEED,
    keyId = STATE_KEY_ID,
  ): Stored {
    const bytes = utf8(body);
    const signature = encodeBase64(ed25519Sign(seed, bytes));
    const content = {
      id,
      state: 'XA',
      organisation: 'xa-authority',
      mba: 'XA-M1',
      type: 'ICR',
      reportNumber: 1,
      bodySha256: encodeHex(sha256(bytes)),
      bodyFormat: 'json',
      keyId,
      signature,
      submittedAt: '2026-12-01T10:00:00Z',
      submittedBy: 'submitter',
    };
    const stored = append('report', id, content);
    return { ...stored, original: { bytes: encodeBase64(bytes), signature: `${keyId}:${signature}` } };
  }
  async function bundle(s: Stored, size = log.leaves.length): Promise<Bundle> {
    const proof = formatProof({
      extra: s.leaf,
      index: s.index,
      proof: await log.inclusion(s.index, size),
      checkpointNote: await log.checkpoint(size),
    });
    return {
      source: origin,
      index: s.index,
      leaf: encodeBase64(s.leaf),
      record: s.record,
      ...(s.original ? { original: s.original } : {}),
      proof,
    };
  }
  return { log, origin, append, appendReport, bundle };
}

/** The receiver's lookup of the state's keys: only STATE_KEY_ID, valid from 2026-01-01. */
export function stateKeys(key = STATE_PUBLIC_KEY) {
  return (state: string, keyId: string, time: string) => {
    if (state !== 'XA' || keyId !== STATE_KEY_ID) return undefined;
    if (time < '2026-01-01') return { refused: 'KEY_NOT_VALID' as const };
    return { publicKey: key };
  };
}

/** R holds the state's key registration and its report; A received the report from R. */
export async function createChainFixture(opts: { forgedBy?: Uint8Array; receivedIndex?: number } = {}) {
  const r = createSourceLog('regional.test/log', 11);
  const key = r.append('key-registration', `key:${STATE_KEY_ID}`, {
    id: STATE_KEY_ID,
    organisation: 'xa-authority',
    publicKey: encodeBase64(STATE_PUBLIC_KEY),
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    revokedAt: null,
  });
  const keyAtSize1 = await r.bundle(key);
  const report = r.appendReport('XA-M1:ICR:1', '{"icr":1}', opts.forgedBy);
  const bundle = await r.bundle(report);
  const keyRegistration = await r.bundle(key);
  const a = createSourceLog('agency.test/log', 12);
  a.append('agreement', 'agreement:1', { id: 'agreement:1' });
  const v = verifyBundle(bundle, {
    sourceLogKey: r.log.vkey,
    stateKeyAt: () => ({ publicKey: STATE_PUBLIC_KEY }),
  });
  const content = v.ok
    ? { ...v.received, ...(opts.receivedIndex === undefined ? {} : { index: opts.receivedIndex }) }
    : { source: 'regional.test/log', index: 1, leafHash: 'x' };
  const received = await a.bundle(a.append('received', `received:${bundle.index}`, content));
  const chain: Omit<ProvenanceChain, 'type'> = { bundle, keyRegistration, received };
  const options: VerifyChainOptions = { sourceLogKey: r.log.vkey, receiverLogKey: a.log.vkey };
  return { r, a, chain, options, keyAtSize1 };
}
