/** The Merkle log's public door: everything other folders may use from src/log. */
export * from './checkpoint.js';
export * from './commitment.js';
export * from './cosignature.js';
export { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from './crypto.js';
export * from './encoding.js';
export * from './errors.js';
export * from './hashing.js';
export * from './note.js';
export * from './proof-bundle.js';
export * from './proofs.js';
export * from './storage.js';
export * from './tiles.js';
export * from './verify.js';
export * from './witness.js';
