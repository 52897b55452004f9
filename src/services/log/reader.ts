import { DomainError } from '../../domain/errors.js';
import {
  encodeEntryBundle,
  formatProof,
  HASH_SIZE,
  type HashReader,
  proveConsistency,
  proveInclusion,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  tileHashIndexes,
} from '../../log/index.js';
import { createCheckpointsRepo } from '../../store/checkpoints.repo.js';
import { createLogRepo, type LogRepo } from '../../store/log.repo.js';
import type { Ports } from '../ports.js';
import { createStoredHashCache } from './hash-cache.js';

/**
 * The proofs' hash reader over the stored hashes, with its bounded caches: upper subtree hashes
 * (they never change) and folded right-edge ranges.
 */
function createProofHashReader(repo: LogRepo): HashReader {
  // Hashes of complete subtrees of ≥ 8 leaves stay in memory (hash-cache.ts: they never change);
  // a proof then reads from storage only its three lowest hashes (and any not yet kept), in one
  // query. 2^19 hashes (16 MiB) cover trees of about 2 M leaves before the cache moves up a level.
  const upper = createStoredHashCache({ minLevel: 3, limit: 1 << 19 });
  // Folded right-edge ranges (proofs.ts HashReader.ranges): a few per tree size; bounded.
  const folded = new Map<string, Uint8Array>();
  return {
    ranges: {
      get: (lo, hi) => folded.get(`${lo}:${hi}`),
      set(lo, hi, hash) {
        if (folded.size >= 4096) folded.clear();
        folded.set(`${lo}:${hi}`, hash);
      },
    },
    readHashes(indexes, levels) {
      if (!levels || levels.length !== indexes.length) return repo.readHashes(indexes);
      const out: Uint8Array[] = new Array(indexes.length);
      const missing: number[] = [];
      const missingAt: number[] = [];
      for (let i = 0; i < indexes.length; i++) {
        const ix = indexes[i] as number;
        const h = (levels[i] as number) >= upper.minLevel ? upper.get(ix) : undefined;
        if (h) out[i] = h;
        else {
          missing.push(ix);
          missingAt.push(i);
        }
      }
      if (missing.length === 0) return out;
      return repo.readHashes(missing).then((found) => {
        for (let j = 0; j < found.length; j++) {
          const i = missingAt[j] as number;
          const h = found[j] as Uint8Array;
          out[i] = h;
          upper.put(missing[j] as number, levels[i] as number, h);
        }
        return out;
      });
    },
  };
}

/**
 * Full tiles and bundles never change (tlog-tiles): kept in memory up to 64 MiB (8 192 level-0
 * tiles: the hashes of 2 M entries), oldest out first.
 */
function createTileCache() {
  const fullTiles = new Map<string, Uint8Array>();
  let cachedBytes = 0;
  const CACHE_BYTES = 64 * 1024 * 1024;
  return {
    get: (key: string) => fullTiles.get(key),
    remember(key: string, bytes: Uint8Array) {
      fullTiles.set(key, bytes);
      cachedBytes += bytes.length;
      while (cachedBytes > CACHE_BYTES) {
        const oldest = fullTiles.keys().next().value as string;
        cachedBytes -= fullTiles.get(oldest)?.length ?? 0;
        fullTiles.delete(oldest);
      }
    },
  };
}

function range(message: string): never {
  throw new DomainError('LOG_RANGE', message);
}

/** A signed note with extra signature lines appended (signed-note allows any number). */
function withCosignatures(note: string, lines: readonly string[]): string {
  return note + lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
}

/** A tile or entry bundle read from storage (tlog-tiles); sizes beyond the tree are LOG_RANGE. */
async function readTile(
  ports: Pick<Ports, 'db'>,
  repo: LogRepo,
  reader: HashReader,
  tile: Tile,
  full: boolean,
): Promise<{ bytes: Uint8Array; full: boolean }> {
  const size = await repo.readIntegratedSize();
  if (tile.level === 'entries') {
    const start = tile.n * TILE_WIDTH;
    if (start + tile.width > size)
      range(`entry bundle ${tile.n} of width ${tile.width} is beyond the tree (${size})`);
    const entries = await repo.readEntries(ports.db.kysely, start, tile.width);
    return { bytes: encodeEntryBundle(entries.map((e) => e.leaf)), full };
  }
  // Tile N at level L holds hashes of subtrees of 256^L leaves: it exists up to width W
  // when (N·256 + W)·256^L leaves are in the tree.
  const span = TILE_WIDTH ** tile.level;
  if ((tile.n * TILE_WIDTH + tile.width) * span > size) {
    range(`tile ${tile.level}/${tile.n} of width ${tile.width} is beyond the tree (${size})`);
  }
  const indexes = tileHashIndexes(tile.level, tile.n, tile.width);
  if (tile.level === 0) {
    // Level 0: the tile's leaf hashes lie in one run of stored hashes, with the hashes of the
    // subtrees they complete between them; read the run once and pick the leaf hashes out.
    const first = indexes[0] as number;
    const run = await repo.readHashRun(first, indexes[indexes.length - 1] as number);
    const bytes = new Uint8Array(indexes.length * HASH_SIZE);
    for (let i = 0; i < indexes.length; i++) {
      const at = ((indexes[i] as number) - first) * HASH_SIZE;
      bytes.set(run.subarray(at, at + HASH_SIZE), i * HASH_SIZE);
    }
    return { bytes, full };
  }
  const levels = new Array<number>(indexes.length).fill(TILE_HEIGHT * tile.level);
  const hashes = await reader.readHashes(indexes, levels);
  return { bytes: Buffer.concat(hashes), full };
}

/**
 * Everything a verifier reads: checkpoints (with witness cosignatures), tiles, entry bundles and
 * proofs, all computed from the stored hashes (log issue, "HTTP"). Sizes beyond the integrated
 * tree and malformed ranges are client errors (LOG_RANGE → 400), never 500s.
 */
export function createLogReader(ports: Ports) {
  const repo = createLogRepo(ports.db);
  const published = createCheckpointsRepo(ports.db);
  const reader = createProofHashReader(repo);
  const tiles = createTileCache();

  function integratedSize(): Promise<number> {
    return repo.readIntegratedSize();
  }

  return {
    integratedSize,
    /** The latest checkpoint, cosigned by whatever witnesses have answered so far. */
    async checkpoint(): Promise<{ size: number; note: string } | undefined> {
      const s = await repo.readState();
      if (Number(s.checkpoint_size) < 0) return undefined;
      const size = Number(s.checkpoint_size);
      return { size, note: withCosignatures(s.checkpoint, await published.cosignatureLines(size)) };
    },
    /** Checkpoint history (tree growth), newest first, paged by size. */
    checkpoints(opts: { before?: number; limit: number }) {
      return published.page(opts);
    },
    /** The signed checkpoint of exactly `size`, with its cosignatures. */
    async checkpointOfSize(size: number): Promise<string | undefined> {
      const note = await published.noteOfSize(size);
      return note === undefined ? undefined : withCosignatures(note, await published.cosignatureLines(size));
    },
    async tile(tile: Tile): Promise<{ bytes: Uint8Array; full: boolean }> {
      const full = tile.width === TILE_WIDTH;
      const key = `${tile.level}/${tile.n}`;
      const cachedTile = full ? tiles.get(key) : undefined;
      if (cachedTile) return { bytes: cachedTile, full };
      const result = await readTile(ports, repo, reader, tile, full);
      if (full) tiles.remember(key, result.bytes);
      return result;
    },
    async entry(index: number): Promise<Uint8Array> {
      if (index >= (await integratedSize())) range(`entry ${index} is beyond the tree`);
      const e = await repo.readEntry(index);
      if (!e) range(`entry ${index} is beyond the tree`);
      return e.leaf;
    },
    async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
      if (size > (await integratedSize())) range(`size ${size} is beyond the tree`);
      if (index >= size) range(`index ${index} is not below size ${size}`);
      return proveInclusion(index, size, reader);
    },
    async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
      if (from > to) range('from must not exceed to');
      if (to > (await integratedSize())) range(`size ${to} is beyond the tree`);
      return proveConsistency(from, to, reader);
    },
    /**
     * The C2SP tlog-proof receipt of the entry at `index`, against the newest checkpoint that
     * covers it and has the configured witness quorum; undefined while none does yet.
     */
    receipt: (index: number) => receiptsFrom()(index),
    /**
     * `receipt` for many entries in index order (a delivery batch): the checkpoints that may
     * cover them and their cosignatures are read once, at the first entry, instead of once per
     * entry (decision 0068). Every receipt of the batch is then against the same checkpoint (the
     * newest at the first), and an entry beyond it answers undefined, as while no checkpoint
     * covers it: the batch ends there and the next starts from it.
     */
    receipts: receiptsFrom,
  };

  function receiptsFrom(): (index: number) => Promise<string | undefined> {
    const quorum = ports.config.witnessQuorum;
    type Candidate = { size: number; note: string; lines?: Promise<string[]> };
    let candidates: Promise<Candidate[]> | undefined;
    return async (index) => {
      candidates ??= published.covering(index, quorum > 0 ? 20 : 1);
      for (const c of await candidates) {
        if (c.size <= index) continue;
        c.lines ??= published.cosignatureLines(c.size);
        const lines = await c.lines;
        if (lines.length < quorum) continue;
        const proof = await proveInclusion(index, c.size, reader);
        // The leaf rides in the tlog-proof `extra` field, so the receipt alone proves inclusion
        // (and, with the record and its salt, the commitment).
        const leaf = await repo.readEntry(index);
        return formatProof({
          ...(leaf ? { extra: leaf.leaf } : {}),
          index,
          proof,
          checkpointNote: withCosignatures(c.note, lines),
        });
      }
      return undefined;
    };
  }
}

export type LogReader = ReturnType<typeof createLogReader>;
