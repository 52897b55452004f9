/**
 * What travels between nodes (federation.md "What travels", decision 0028): one forwarded record
 * as one self-contained JSON bundle, checkable offline. Binary fields are standard base64.
 */
import type { Checkpoint, Leaf, SplitViewEvidence } from '../../log/index.js';
import type { ErrorCode } from '../errors.js';

/** The record as its holder downloads it (GET /api/records/:id): with it the leaf can be checked. */
export interface BundleRecord {
  readonly kind: string;
  /** The record's id on its source node (a forwarded record keeps it). */
  readonly id: string;
  /** The id its leaf carries (decision 0021): opaque for leaves of form v2. */
  readonly leafId: string;
  /** The committed content: the leaf's commitment is SHA-256(salt ‖ RFC 8785 of this). */
  readonly content: unknown;
  /** base64 of the record's 32-byte salt. */
  readonly salt: string;
}

/** The exact bytes a state signed, for records a state signs (reports). */
export interface BundleOriginal {
  /** base64 of the signed body, byte for byte as submitted. */
  readonly bytes: string;
  /** `<keyId>:<base64 Ed25519 signature>`, as the Custos-Signature header carried it. */
  readonly signature: string;
}

export interface Bundle {
  /** The origin of the source log (its checkpoints' first line). */
  readonly source: string;
  /** The leaf's index in the source log. */
  readonly index: number;
  /** base64 of the leaf bytes exactly as in the source log. */
  readonly leaf: string;
  readonly record: BundleRecord;
  /** Present exactly when the record's content carries a state signature (keyId, signature). */
  readonly original?: BundleOriginal;
  /** C2SP tlog-proof text: index, inclusion proof, the (cosigned) checkpoint of the source. */
  readonly proof: string;
}

/**
 * Why a bundle is refused, one code per check, in the order the checks run (federation.md
 * "Receiver's checks"; the arrangement check before them is the receiver's own).
 */
export const BUNDLE_REFUSAL_CODES = [
  /** Not a bundle: shape, base64, leaf, proof text or salt malformed. */
  'BUNDLE_MALFORMED',
  /** 2. The record carries a state signature but the bundle has no signed original. */
  'STATE_SIGNATURE_MISSING',
  /** 2. The signing key is not one the state had registered. */
  'STATE_KEY_UNKNOWN',
  /** 2. The key was registered but not valid at the record's time (expired, revoked, not yet). */
  'STATE_KEY_NOT_VALID',
  /** 2. The signature does not verify over the original bytes. */
  'STATE_SIGNATURE_INVALID',
  /** 3. The signed original is not what the record commits to (body hash, key or signature). */
  'ORIGINAL_NOT_COMMITTED',
  /** 3. The record does not hash to the leaf's commitment, or the leaf is another record's. */
  'RECORD_NOT_COMMITTED',
  /** 3. The leaf is not included at `index` under the proof's checkpoint. */
  'INCLUSION_INVALID',
  /** 3. The checkpoint is of another origin than the bundle's source or the key given. */
  'CHECKPOINT_ORIGIN_MISMATCH',
  /** 3. The checkpoint is not signed by the source's log key. */
  'CHECKPOINT_SIGNATURE_INVALID',
  /** 4. Consistency with a checkpoint seen before cannot be decided yet: fetch the proof, retry. */
  'CONSISTENCY_UNPROVEN',
  /** 4. The checkpoint and one seen before are inconsistent: a split view, with its evidence. */
  'SPLIT_VIEW',
] as const;

export type BundleRefusalCode = (typeof BUNDLE_REFUSAL_CODES)[number];

/** The closed error code (domain/errors.ts) each refusal is reported and mapped with. */
export const BUNDLE_REFUSAL_ERROR: Readonly<Record<BundleRefusalCode, ErrorCode>> = {
  BUNDLE_MALFORMED: 'LOG_MALFORMED',
  STATE_SIGNATURE_MISSING: 'SIGNATURE_MISSING',
  STATE_KEY_UNKNOWN: 'KEY_UNKNOWN',
  STATE_KEY_NOT_VALID: 'KEY_NOT_VALID',
  STATE_SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  ORIGINAL_NOT_COMMITTED: 'LOG_PROOF_INVALID',
  RECORD_NOT_COMMITTED: 'LOG_PROOF_INVALID',
  INCLUSION_INVALID: 'LOG_PROOF_INVALID',
  CHECKPOINT_ORIGIN_MISMATCH: 'LOG_UNKNOWN_ORIGIN',
  CHECKPOINT_SIGNATURE_INVALID: 'LOG_SIGNATURE_INVALID',
  CONSISTENCY_UNPROVEN: 'LOG_PROOF_INVALID',
  SPLIT_VIEW: 'LOG_INCONSISTENT',
};

/** What the receiver's own `received` record commits (decision 0028): where the record came from. */
export interface ReceivedContent {
  readonly source: string;
  readonly index: number;
  /** base64 of the RFC 6962 leaf hash SHA-256(0x00 ‖ leaf) in the source log. */
  readonly leafHash: string;
}

export type BundleVerification =
  | {
      readonly ok: true;
      readonly source: string;
      readonly index: number;
      readonly leaf: Leaf;
      /** base64 RFC 6962 leaf hash of the leaf in the source log. */
      readonly leafHash: string;
      readonly record: BundleRecord;
      /** The signed original, decoded, when the record has one. */
      readonly original?: { readonly bytes: Uint8Array; readonly keyId: string; readonly signature: string };
      /** The source checkpoint the bundle is proven under, and its note (keep it as seen). */
      readonly checkpoint: Checkpoint;
      readonly checkpointNote: string;
      /** The content of the receiver's `received` record for this bundle. */
      readonly received: ReceivedContent;
    }
  | {
      readonly ok: false;
      readonly code: BundleRefusalCode;
      readonly errorCode: ErrorCode;
      readonly message: string;
      /** With SPLIT_VIEW: the evidence anyone can re-check (verifySplitViewEvidence). */
      readonly evidence?: SplitViewEvidence;
    };

/**
 * The state's key as the receiver knows it: its public key (raw 32 bytes, or base64) when `keyId`
 * was registered for `state` and valid at `time`; a refusal or undefined (= KEY_UNKNOWN) otherwise.
 */
export type StateKeyLookup =
  | { readonly publicKey: Uint8Array | string }
  | { readonly refused: 'KEY_UNKNOWN' | 'KEY_NOT_VALID'; readonly message?: string }
  | undefined;
