/**
 * An in-memory log for tests: leaves in, signed checkpoints, inclusion and consistency proofs
 * out, computed by the same code the node uses (storage.ts, proofs.ts). Not used at run time.
 */
import { signCheckpoint } from '../checkpoint.js';
import { leafHash } from '../hashing.js';
import { createNoteSigner, generateSignerKey, type NoteSigner } from '../note.js';
import { type HashReader, proveConsistency, proveInclusion, treeHash } from '../proofs.js';
import { appendLeaves } from '../storage.js';

export interface MemoryLog {
  readonly origin: string;
  readonly vkey: string;
  readonly signer: NoteSigner;
  readonly leaves: Uint8Array[];
  append(...entries: Uint8Array[]): number;
  root(size?: number): Promise<Uint8Array>;
  checkpoint(size?: number, signer?: NoteSigner): Promise<string>;
  inclusion(index: number, size?: number): Promise<Uint8Array[]>;
  consistency(from: number, to?: number): Promise<Uint8Array[]>;
}

export function createMemoryLog(origin: string, seedByte: number): MemoryLog {
  const seed = new Uint8Array(32).fill(seedByte);
  const { vkey } = generateSignerKey(origin, seed);
  const signer = createNoteSigner(origin, seed);
  const leaves: Uint8Array[] = [];
  let stored: Uint8Array[] = [];
  let frontier: Uint8Array[] = [];
  const reader: HashReader = {
    readHashes: (indexes) =>
      indexes.map((i) => {
        const h = stored[i];
        if (h === undefined) throw new Error(`no stored hash ${i}`);
        return h;
      }),
  };
  const log: MemoryLog = {
    origin,
    vkey,
    signer,
    leaves,
    append(...entries) {
      const first = leaves.length;
      const added = appendLeaves(first, frontier, entries.map(leafHash));
      stored = stored.concat(added.storedHashes.map((s) => s.hash));
      frontier = added.frontier;
      leaves.push(...entries);
      return first;
    },
    root: (size = leaves.length) => treeHash(size, reader),
    async checkpoint(size = leaves.length, by = signer) {
      return signCheckpoint({ origin, size, rootHash: await log.root(size), extensions: [] }, [by]);
    },
    inclusion: (index, size = leaves.length) => proveInclusion(index, size, reader),
    consistency: (from, to = leaves.length) => proveConsistency(from, to, reader),
  };
  return log;
}
