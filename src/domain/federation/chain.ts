/**
 * A forwarded record's provenance chain, checked offline (issue 17 item 3, decision 0028):
 * the state's signature → the source node R's log (the bundle R sent) → the receiving node A's
 * log (A's own `received` record, naming R's origin, index and leaf hash, included in A's log).
 * The state's key comes with it as R's bundle of its key-registration record (an inspectorate's
 * key that signed a forwarded statement: the registration in whichever of the two logs holds it).
 */
import { HASH_SIZE, type NoteVerifier, parseNoteVerifier, tryDecodeBase64 } from '../../log/index.js';
import { isKeyValidAt } from '../registry/index.js';
import { signerOrganisation, verifyBundle } from './bundle.js';
import type { Bundle, BundleRecord, BundleVerification, StateKeyLookup } from './bundle.types.js';

/** The `type` member of a chain file. */
export const PROVENANCE_CHAIN_TYPE = 'custos/provenance-chain@v1';

/** The chain file (JSON). Every bundle has the form verifyBundle reads. */
export interface ProvenanceChain {
  readonly type: typeof PROVENANCE_CHAIN_TYPE;
  /** R's bundle of the record (a report, with the state's signed original). */
  readonly bundle: Bundle;
  /** The bundle of the key-registration record of the key that signed the original (R's or A's). */
  readonly keyRegistration?: Bundle;
  /**
   * When R's two bundles are proven under checkpoints of different sizes: the consistency proof
   * between them (base64 hashes, smaller to larger), so both are shown to be one history.
   */
  readonly sourceConsistency?: readonly string[];
  /** A's bundle of its own `received` record for `bundle` (source A's origin, no original). */
  readonly received: Bundle;
}

export type ChainStep = 'key-registration' | 'source' | 'receiver' | 'link';

export type ChainVerification =
  | {
      readonly ok: true;
      readonly source: Extract<BundleVerification, { ok: true }>;
      readonly receiver: Extract<BundleVerification, { ok: true }>;
      readonly keyId?: string;
    }
  | {
      readonly ok: false;
      /** Which link failed: R's key registration, R's record, A's record, or the link between them. */
      readonly step: ChainStep;
      readonly code: Extract<BundleVerification, { ok: false }>['code'];
      readonly errorCode: Extract<BundleVerification, { ok: false }>['errorCode'];
      readonly message: string;
    };

export interface VerifyChainOptions {
  /** R's log verifier key (the source of the forwarded record). */
  readonly sourceLogKey: string | NoteVerifier;
  /** A's log verifier key (the node that received it). */
  readonly receiverLogKey: string | NoteVerifier;
}

function fail(
  step: ChainStep,
  v: Extract<BundleVerification, { ok: false }>,
  prefix: string,
): Extract<ChainVerification, { ok: false }> {
  return { ok: false, step, code: v.code, errorCode: v.errorCode, message: `${prefix}: ${v.message}` };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key-registration record's content as the node commits it (record-content.ts). */
function registeredKey(record: BundleRecord) {
  const c = record.content;
  if (!isObject(c)) return undefined;
  const { id, organisation, publicKey, validFrom, validTo } = c;
  if (typeof id !== 'string' || typeof organisation !== 'string' || typeof publicKey !== 'string')
    return undefined;
  if (typeof validFrom !== 'string' || (validTo !== null && typeof validTo !== 'string')) return undefined;
  return { id, organisation, publicKey, validFrom, validTo: validTo as string | null };
}

/**
 * Verifies the whole chain; the first failing link refuses it with its step and code. Offline and
 * pure: two log keys are all it needs. What it cannot see offline: a revocation of the state's
 * key recorded on R after the registration (the receiver checks that with the keys it holds).
 */
export function verifyProvenanceChain(input: unknown, options: VerifyChainOptions): ChainVerification {
  const source =
    typeof options.sourceLogKey === 'string' ? parseNoteVerifier(options.sourceLogKey) : options.sourceLogKey;
  const receiver =
    typeof options.receiverLogKey === 'string'
      ? parseNoteVerifier(options.receiverLogKey)
      : options.receiverLogKey;
  const malformed = (step: ChainStep, message: string): ChainVerification => ({
    ok: false,
    step,
    code: 'BUNDLE_MALFORMED',
    errorCode: 'LOG_MALFORMED',
    message,
  });
  if (!isObject(input) || input.type !== PROVENANCE_CHAIN_TYPE)
    return malformed('source', `a provenance chain is a JSON object of type ${PROVENANCE_CHAIN_TYPE}`);

  // 1. The state's key, as R registered it, proven in R's log.
  let stateKeyAt: (state: string, keyId: string, time: string, record: BundleRecord) => StateKeyLookup = () =>
    undefined;
  let keyId: string | undefined;
  let keyCheckpoint: string | undefined;
  if (input.keyRegistration !== undefined) {
    // A state's key comes from R's log; an inspectorate's key that signed a forwarded statement may
    // be one A registered itself (decision 0044): the registration is proven in the log it names.
    const forStatement =
      isObject(input.bundle) &&
      isObject(input.bundle.record) &&
      input.bundle.record.kind === 'inspection-statement';
    const inReceiver =
      forStatement && isObject(input.keyRegistration) && input.keyRegistration.source === receiver.name;
    const k = verifyBundle(input.keyRegistration, {
      sourceLogKey: inReceiver ? receiver : source,
      stateKeyAt: () => undefined,
    });
    if (!k.ok) return fail('key-registration', k, "the state's key registration");
    const key = k.record.kind === 'key-registration' ? registeredKey(k.record) : undefined;
    if (key === undefined)
      return malformed('key-registration', 'keyRegistration is not a key-registration record');
    keyId = key.id;
    if (!inReceiver) keyCheckpoint = k.checkpointNote;
    stateKeyAt = (_state, id, time, record) => {
      if (id !== key.id || signerOrganisation(record) !== key.organisation) return undefined;
      return isKeyValidAt({ ...key, revokedAt: null }, time)
        ? { publicKey: key.publicKey }
        : { refused: 'KEY_NOT_VALID', message: `key ${id} was not valid at ${time}` };
    };
  }

  // 2. The record in R's log, signed by the state. Its checkpoint must agree with the one the key
  // registration was proven under (one log, one history); the chain carries both under one
  // checkpoint when it can, so no consistency proof is needed then.
  let consistency: Uint8Array[] | undefined;
  if (input.sourceConsistency !== undefined) {
    const hashes = Array.isArray(input.sourceConsistency) ? input.sourceConsistency : [];
    consistency = hashes
      .map((h) => (typeof h === 'string' ? tryDecodeBase64(h) : undefined))
      .filter((h): h is Uint8Array => h?.length === HASH_SIZE);
    if (!Array.isArray(input.sourceConsistency) || consistency.length !== hashes.length)
      return malformed('source', 'sourceConsistency must be a list of base64 hashes');
  }
  const s = verifyBundle(input.bundle, {
    sourceLogKey: source,
    stateKeyAt,
    ...(keyCheckpoint ? { seenCheckpoints: [keyCheckpoint] } : {}),
    ...(consistency ? { consistencyProof: () => consistency } : {}),
  });
  if (!s.ok) return fail('source', s, "the record in the source's log");

  // 3. A's own record of receiving it, in A's log.
  const r = verifyBundle(input.received, { sourceLogKey: receiver, stateKeyAt: () => undefined });
  if (!r.ok) return fail('receiver', r, "the receiver's record");

  // 4. The link: A's record names exactly R's origin, index and leaf hash.
  const c = r.record.content;
  if (r.record.kind !== 'received' || !isObject(c))
    return malformed('link', "the receiver's record is not a received record");
  if (c.source !== s.source || c.index !== s.index || c.leafHash !== s.leafHash)
    return {
      ok: false,
      step: 'link',
      code: 'RECORD_NOT_COMMITTED',
      errorCode: 'LOG_PROOF_INVALID',
      message: `the receiver's record names ${String(c.source)} entry ${String(c.index)} (leaf hash ${String(c.leafHash)}), not ${s.source} entry ${s.index} (${s.leafHash})`,
    };
  return { ok: true, source: s, receiver: r, ...(keyId ? { keyId } : {}) };
}

/** The chain file as JSON text. */
export function formatProvenanceChain(chain: Omit<ProvenanceChain, 'type'>): string {
  return `${JSON.stringify({ type: PROVENANCE_CHAIN_TYPE, ...chain }, null, 2)}\n`;
}
