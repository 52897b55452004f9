/**
 * C2SP tlog-tiles: tile paths, which stored hashes a tile holds, entry bundles, and a HashReader
 * over fetched tiles so a client can recompute roots and proofs from static files. Tile hashes
 * are untrusted until what is computed from them is checked against a signed checkpoint root.
 */
import { concatBytes, parseDecimal } from './encoding.js';
import { LogError } from './errors.js';
import { HASH_SIZE, leafHash, nodeHash } from './hashing.js';
import type { HashReader } from './proofs.js';
import { splitStoredHashIndex, storedHashIndex } from './storage.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const MAX_TILE_LEVEL = 63;
export const MAX_ENTRY_SIZE = 65535;

/** A hash tile (level ≥ 0) or an entry bundle (level 'entries'); width 256 when full. */
export interface Tile {
  readonly level: number | 'entries';
  readonly n: number;
  readonly width: number;
}

/** N in zero-padded groups of three digits, all but the last prefixed with x: 1234067 → x001/x234/067. */
export function formatTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new LogError('LOG_RANGE', 'tile index is not a valid index');
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function checkTile(tile: Tile): void {
  const { level, n, width } = tile;
  if (level !== 'entries' && (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL)) {
    throw new LogError('LOG_RANGE', 'tile level must be 0..63 or entries');
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new LogError('LOG_RANGE', 'tile index is not a valid index');
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new LogError('LOG_RANGE', 'tile width must be 1..256');
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, relative to the log prefix. */
export function formatTilePath(tile: Tile): string {
  checkTile(tile);
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${formatTileIndex(tile.n)}${partial}`;
}

/**
 * Strict inverse of formatTilePath (an optional leading '/' is allowed): only the one canonical
 * spelling of each tile is accepted, so one tile never has two cache keys.
 */
export function parseTilePath(path: string): Tile {
  const bad = (why: string): LogError => new LogError('LOG_MALFORMED', `bad tile path: ${why}`);
  if (typeof path !== 'string' || path.length > 128) throw bad('not a short string');
  const p = path.startsWith('/') ? path.slice(1) : path;
  const parts = p.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') throw bad('must be tile/<L>/<N>');
  const levelText = parts[1]!;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else {
    const l = parseDecimal(levelText);
    if (l === undefined || l > MAX_TILE_LEVEL) throw bad('level must be 0..63 without leading zeros');
    level = l;
  }
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1]!;
  if (rest.length >= 2 && rest[rest.length - 2]!.endsWith('.p')) {
    const w = parseDecimal(last);
    if (w === undefined || w < 1 || w >= TILE_WIDTH)
      throw bad('partial width must be 1..255 without leading zeros');
    width = w;
    rest = rest.slice(0, -1);
    rest[rest.length - 1] = rest[rest.length - 1]!.slice(0, -2);
  }
  if (rest.length === 0 || rest.length > 6) throw bad('index has too many groups');
  let n = 0;
  for (let i = 0; i < rest.length; i++) {
    const g = rest[i]!;
    const isLast = i === rest.length - 1;
    const digits = isLast ? g : g.startsWith('x') ? g.slice(1) : '';
    if (!/^[0-9]{3}$/.test(digits)) throw bad('index groups must be xDDD/…/DDD');
    n = n * 1000 + Number(digits);
  }
  if (!Number.isSafeInteger(n)) throw bad('index overflows');
  const tile: Tile = { level, n, width };
  if (formatTilePath(tile) !== p) throw bad('not the canonical spelling');
  return tile;
}

/** Stored hash indexes of the hashes a hash tile holds, in tile order. */
export function tileHashIndexes(level: number, n: number, width: number): number[] {
  checkTile({ level, n, width });
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(storedHashIndex(TILE_HEIGHT * level, n * TILE_WIDTH + i));
  return out;
}

/** Every hash tile of a tree of `size` leaves (full ones, then the partial one, per level). */
export function tilesForSize(size: number): Tile[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new LogError('LOG_RANGE', 'invalid tree size');
  const out: Tile[] = [];
  for (let level = 0, span = 1; level <= MAX_TILE_LEVEL; level++, span *= TILE_WIDTH) {
    const hashes = Math.floor(size / span);
    if (hashes === 0) break;
    const full = Math.floor(hashes / TILE_WIDTH);
    for (let n = 0; n < full; n++) out.push({ level, n, width: TILE_WIDTH });
    const partial = hashes % TILE_WIDTH;
    if (partial > 0) out.push({ level, n: full, width: partial });
  }
  return out;
}

/** The tile (at the width a tree of `size` leaves gives it) holding stored hash `index`. */
export function tileForStoredHash(size: number, index: number): Tile {
  const { level: h, n } = splitStoredHashIndex(index);
  const level = Math.floor(h / TILE_HEIGHT);
  const within = h - level * TILE_HEIGHT;
  // Position of the hash's leftmost tile-level hash, and the tile-level hashes it spans.
  const first = n * 2 ** within;
  const tileN = Math.floor(first / TILE_WIDTH);
  const available = Math.floor(size / TILE_WIDTH ** level) - tileN * TILE_WIDTH;
  const needed = first + 2 ** within - tileN * TILE_WIDTH;
  if (needed > available)
    throw new LogError('LOG_RANGE', `stored hash ${index} is not in a tree of size ${size}`);
  return { level, n: tileN, width: Math.min(available, TILE_WIDTH) };
}

/** Tiles (deduplicated, in first-use order) needed to read these stored hashes. */
export function tilesForIndexes(size: number, indexes: readonly number[]): Tile[] {
  const seen = new Map<string, Tile>();
  for (const i of indexes) {
    const t = tileForStoredHash(size, i);
    const path = formatTilePath(t);
    if (!seen.has(path)) seen.set(path, t);
  }
  return [...seen.values()];
}

/** Root of 2^k consecutive hashes (a complete subtree). */
function completeRoot(hashes: Uint8Array[]): Uint8Array {
  let level = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

function tileHashes(bytes: Uint8Array, from: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = from; i < from + count; i++) out.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

/** Root of a full tile: the hash one level up (the tile is a complete subtree of height 8). */
export function hashTile(tileBytes: Uint8Array): Uint8Array {
  if (!(tileBytes instanceof Uint8Array) || tileBytes.length !== TILE_WIDTH * HASH_SIZE) {
    throw new LogError('LOG_MALFORMED', 'a full tile is 8192 bytes');
  }
  return completeRoot(tileHashes(tileBytes, 0, TILE_WIDTH));
}

/**
 * HashReader over fetched tiles. `getTile` returns the bytes of a tile (as tileForStoredHash
 * names it, at the width a tree of `size` leaves gives it), or undefined if it was not fetched.
 */
export class TileHashReader implements HashReader {
  constructor(
    private readonly size: number,
    private readonly getTile: (tile: Tile, path: string) => Uint8Array | undefined,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new LogError('LOG_RANGE', 'invalid tree size');
  }

  readHashes(indexes: readonly number[]): Uint8Array[] {
    return indexes.map((index) => {
      const tile = tileForStoredHash(this.size, index);
      const path = formatTilePath(tile);
      const bytes = this.getTile(tile, path);
      if (bytes === undefined) throw new LogError('LOG_MALFORMED', `tile ${path} was not fetched`);
      if (!(bytes instanceof Uint8Array) || bytes.length !== tile.width * HASH_SIZE) {
        throw new LogError('LOG_MALFORMED', `tile ${path} must be ${tile.width * HASH_SIZE} bytes`);
      }
      const { level: h, n } = splitStoredHashIndex(index);
      const within = h - TILE_HEIGHT * (tile.level as number);
      const first = n * 2 ** within - tile.n * TILE_WIDTH;
      return completeRoot(tileHashes(bytes, first, 2 ** within));
    });
  }
}

/** Entry bundle: each entry as uint16 big-endian length then bytes; at most 256 entries. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH)
    throw new LogError('LOG_RANGE', 'an entry bundle holds at most 256 entries');
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (!(e instanceof Uint8Array) || e.length > MAX_ENTRY_SIZE)
      throw new LogError('LOG_RANGE', 'an entry is at most 65535 bytes');
    parts.push(Uint8Array.of(e.length >>> 8, e.length & 255), e);
  }
  return concatBytes(...parts);
}

export function parseEntryBundle(bytes: Uint8Array): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new LogError('LOG_MALFORMED', 'entry bundle must be bytes');
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new LogError('LOG_MALFORMED', 'entry bundle truncated in a length');
    const len = (bytes[at]! << 8) | bytes[at + 1]!;
    at += 2;
    if (at + len > bytes.length) throw new LogError('LOG_MALFORMED', 'entry bundle truncated in an entry');
    out.push(bytes.slice(at, at + len));
    at += len;
    if (out.length > TILE_WIDTH)
      throw new LogError('LOG_MALFORMED', 'entry bundle has more than 256 entries');
  }
  return out;
}

/** The level-0 tile an entry bundle must match: its entries' leaf hashes, concatenated. */
export function hashEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...entries.map((e) => leafHash(e)));
}
