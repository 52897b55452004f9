/** The Merkle log's public door: what other folders use from src/log, by name. */
export type { Checkpoint } from './checkpoint.js';
export { openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
export type { Leaf } from './commitment.js';
export {
  canonicalizeRecord,
  computeCommitment,
  formatLeaf,
  formatLegacyLeaf,
  LEAF_ID_SIZE,
  parseLeaf,
  SALT_SIZE,
  verifyCommitment,
} from './commitment.js';
export type { Cosigner } from './cosignature.js';
export { generateCosignerKey, parseCosigner, parseVerifier } from './cosignature.js';
export { ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyAsync, sha256 } from './crypto.js';
export { bytesEqual, decodeBase64, encodeBase64, encodeHex, tryDecodeBase64 } from './encoding.js';
export { isLogError } from './errors.js';
export { HASH_SIZE, leafHash, nodeHash, rootFromLeafHashes } from './hashing.js';
export type { NoteSigner, NoteVerifier } from './note.js';
export {
  createNoteSigner,
  formatKeyId,
  generateSignerKey,
  openNote,
  parseNote,
  parseNoteSigner,
  parseNoteVerifier,
  parseSignerKey,
} from './note.js';
export type { ProofVerification, TlogProof } from './proof-bundle.js';
export { formatProof, parseProof, verifyProof } from './proof-bundle.js';
export type { HashReader } from './proofs.js';
export { proveConsistency, proveInclusion, treeHash } from './proofs.js';
export type {
  CheckpointAdvance,
  ConsistencyEvidence,
  SplitViewCheck,
  SplitViewEvidence,
  SplitViewVerdict,
} from './split-view.js';
export {
  advanceCheckpoint,
  detectSplitView,
  formatSplitViewEvidence,
  parseSplitViewEvidence,
  SPLIT_VIEW_EVIDENCE_TYPE,
  verifySplitViewEvidence,
} from './split-view.js';
export type { StoredHash } from './storage.js';
export { appendLeaves, frontierIndexes, storedHashCount, storedHashIndex } from './storage.js';
export type { Tile } from './tiles.js';
export {
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  hashEntryBundle,
  parseEntryBundle,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  TileHashReader,
  tileHashIndexes,
  tilesForSize,
} from './tiles.js';
export { verifyConsistency, verifyInclusion } from './verify.js';
export { decideAddCheckpoint, formatAddCheckpointRequest } from './witness.js';
