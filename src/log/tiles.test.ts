import { describe, expect, it } from 'vitest';
import { leafHash } from './hashing.js';
import { proveInclusion, treeHash, treeHashIndexes } from './proofs.js';
import { appendLeaves } from './storage.js';
import { vectors } from './testdata/vectors.js';
import {
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  hashEntryBundle,
  hashTile,
  parseEntryBundle,
  parseTilePath,
  type Tile,
  TileHashReader,
  tileHashIndexes,
  tilesForIndexes,
  tilesForSize,
} from './tiles.js';
import { verifyInclusion } from './verify.js';

const c2sp = vectors.tile_paths.c2sp_tlog_tiles;
const code = (c: string) => expect.objectContaining({ code: c });

describe('tile paths (C2SP tlog-tiles)', () => {
  for (const e of [...c2sp.examples_from_spec, ...c2sp.derived_examples]) {
    it(`${e.index} → ${e.encoded}`, () => {
      expect(formatTileIndex(e.index)).toBe(e.encoded);
      expect(parseTilePath(`tile/0/${e.encoded}`)).toEqual({ level: 0, n: e.index, width: 256 });
    });
  }
  it('a tree of 70 000 leaves has the tiles of the spec', () => {
    const paths = tilesForSize(70_000).map(formatTilePath);
    for (const p of c2sp.derived_paths_for_size_70000.filter((p) => !p.includes('entries')))
      expect(paths).toContain(p);
    expect(paths.filter((p) => p.startsWith('tile/0/'))).toHaveLength(274);
    expect(paths.filter((p) => p.startsWith('tile/1/'))).toEqual(['tile/1/000', 'tile/1/001.p/17']);
    expect(paths.filter((p) => p.startsWith('tile/2/'))).toEqual(['tile/2/000.p/1']);
    expect(formatTilePath({ level: 'entries', n: 273, width: 112 })).toBe('tile/entries/273.p/112');
  });
  it('a tree of 256 leaves: one full level-0 tile and a partial level-1 tile of width 1', () => {
    expect(tilesForSize(256).map(formatTilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });
  it('parses every path it formats', () => {
    for (const p of c2sp.derived_paths_for_size_70000) expect(formatTilePath(parseTilePath(p))).toBe(p);
  });
  it('Go sumdb cases, translated to C2SP paths (no height segment, entries for data)', () => {
    for (const c of vectors.tile_paths.go_sumdb_tlog.cases) {
      const parts = c.path.split('/');
      const c2spPath = ['tile', parts[2] === 'data' ? 'entries' : parts[2], ...parts.slice(3)].join('/');
      if (c.invalid) {
        expect(() => parseTilePath(c2spPath)).toThrow(code('LOG_MALFORMED'));
        continue;
      }
      const t = parseTilePath(c2spPath);
      expect(t.level).toBe(c.L === -1 ? 'entries' : c.L);
      expect(t.n).toBe(c.N);
      expect(t.width).toBe(c2spPath.includes('.p/') ? c.W : 256);
    }
  });
  it('rejects non-canonical and out-of-range paths', () => {
    for (const p of [
      'tile/0/1',
      'tile/0/0001',
      'tile/0/x000/001',
      'tile/0/x1/000',
      'tile/00/000',
      'tile/64/000',
      'tile/-1/000',
      'tile/0/000.p/0',
      'tile/0/000.p/256',
      'tile/0/000.p/010',
      'tile/0/000.p/',
      'tile/0/00a',
      'tile/0/x001',
      'tile/0/001/002',
      'tile/entries/x999/x999/x999/x999/x999/x999/999',
      'tile/0/x009/x007/x199/x254/x740/x993/000',
      'tiles/0/000',
      'tile/0/',
      'tile/entries',
    ]) {
      expect(() => parseTilePath(p), p).toThrow(code('LOG_MALFORMED'));
    }
    expect(parseTilePath('/tile/entries/x001/234.p/5')).toEqual({ level: 'entries', n: 1234, width: 5 });
  });
});

describe('tile contents and the tile hash reader', () => {
  const N = 70_000;
  const entries = Array.from({ length: N }, (_, i) => new TextEncoder().encode(`entry-${i}`));
  const leaves = entries.map(leafHash);
  const stored = appendLeaves(0, [], leaves).storedHashes.map((s) => s.hash);
  const tileBytes = (t: Tile): Uint8Array => {
    const out = new Uint8Array(t.width * 32);
    tileHashIndexes(t.level as number, t.n, t.width).forEach((i, k) => {
      out.set(stored[i]!, k * 32);
    });
    return out;
  };

  it('level-0 tiles are the entry bundles’ leaf hashes, and full tiles hash into the level above', () => {
    const bundle = entries.slice(256, 512);
    expect(hashEntryBundle(parseEntryBundle(encodeEntryBundle(bundle)))).toEqual(
      tileBytes({ level: 0, n: 1, width: 256 }),
    );
    const level1 = tileBytes({ level: 1, n: 0, width: 256 });
    expect(hashTile(tileBytes({ level: 0, n: 5, width: 256 }))).toEqual(level1.subarray(5 * 32, 6 * 32));
  });

  it('recomputes roots and inclusion proofs from fetched tiles only', async () => {
    for (const size of [1, 255, 256, 257, 65_536, 69_999, N]) {
      const needed = tilesForIndexes(size, treeHashIndexes(size));
      const fetched = new Map(needed.map((t) => [formatTilePath(t), tileBytes(t)]));
      const reader = new TileHashReader(size, (_t, path) => fetched.get(path));
      expect(await treeHash(size, reader)).toEqual(appendLeaves(0, [], leaves.slice(0, size)).root);
    }
    const all = new TileHashReader(N, (t) => tileBytes(t));
    const root = await treeHash(N, all);
    for (const i of [0, 1, 4242, 65_535, 65_536, 69_999]) {
      const proof = await proveInclusion(i, N, all);
      expect(verifyInclusion(leaves[i]!, i, N, proof, root)).toBe(true);
    }
  });

  it('refuses missing or wrong-size tiles', async () => {
    await expect(treeHash(300, new TileHashReader(300, () => undefined))).rejects.toMatchObject({
      code: 'LOG_MALFORMED',
    });
    await expect(treeHash(300, new TileHashReader(300, () => new Uint8Array(64)))).rejects.toMatchObject({
      code: 'LOG_MALFORMED',
    });
  });
});

describe('entry bundles', () => {
  it('round-trips, including empty and 65 535-byte entries', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(65_535).fill(7)];
    const bytes = encodeEntryBundle(entries);
    expect(bytes.subarray(0, 2)).toEqual(Uint8Array.of(0, 0));
    expect(parseEntryBundle(bytes)).toEqual(entries);
  });
  it('refuses oversize entries, too many entries, truncation', () => {
    expect(() => encodeEntryBundle([new Uint8Array(65_536)])).toThrow(code('LOG_RANGE'));
    expect(() => encodeEntryBundle(Array(257).fill(new Uint8Array(1)))).toThrow(code('LOG_RANGE'));
    expect(() => parseEntryBundle(Uint8Array.of(0))).toThrow(code('LOG_MALFORMED'));
    expect(() => parseEntryBundle(Uint8Array.of(0, 3, 1, 2))).toThrow(code('LOG_MALFORMED'));
    expect(() => parseEntryBundle(new Uint8Array(2 * 257))).toThrow(code('LOG_MALFORMED'));
  });
});
