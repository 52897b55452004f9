import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HASH_SIZE,
  leafHash,
  rootFromLeafHashes,
  tilesForSize,
  verifyCommitment,
  verifyConsistency,
  verifyInclusion,
} from '../../src/log/index.js';
import { appendRecords, type NewRecord } from '../../src/services/records.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

function records(n: number, from: number): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'report' as const,
    id: `storage:${from + i}`,
    content: { n: from + i, text: 'é' },
    subjectState: 'XA',
    subjectOrg: null,
    at: '2026-11-28T09:00:00.000Z',
    by: 'test',
  }));
}

/**
 * The log read from storage as the tree grows: proofs and tiles (which the reader answers partly
 * from its in-memory hashes of large subtrees) must equal what the leaves alone give, at every
 * size, including sizes read before the tree grew.
 */
describe.each(testDialects())('log storage as the tree grows on %s', (dialect) => {
  let t: TestApp;
  const leafHashes: Uint8Array[] = [];
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('grows in steps; at every step each earlier size still proves as the leaves give it', async () => {
    // Sizes that cross subtree, cache-level (16 leaves) and tile (256) boundaries.
    const steps = [1, 16, 17, 255, 256, 300, 511, 600];
    const sizes: number[] = [];
    let done = 0;
    for (const target of steps) {
      const batch = records(target - done, done);
      const indexes = await t.ports.db.kysely
        .transaction()
        .execute((tx) => appendRecords(tx, t.ports, batch));
      expect(indexes).toEqual(batch.map((_, i) => done + i));
      const r = await t.log.flush(true);
      expect(r.size).toBe(target);
      done = target;
      sizes.push(target);
      leafHashes.length = 0;
      const rows = await t.ports.db.kysely.selectFrom('log_entries').select('leaf').orderBy('idx').execute();
      for (const row of rows) leafHashes.push(leafHash(new Uint8Array(row.leaf)));
      for (const s of sizes) {
        const root = rootFromLeafHashes(leafHashes.slice(0, s));
        const cp = await t.ports.db.kysely
          .selectFrom('log_checkpoints')
          .select('root')
          .where('size', '=', s)
          .executeTakeFirstOrThrow();
        expect(new Uint8Array(cp.root)).toEqual(root);
        for (const index of new Set([0, 1, 15, 16, s >> 1, s - 2, s - 1].filter((i) => i >= 0 && i < s))) {
          const proof = await t.log.reader.inclusionProof(index, s);
          expect(
            verifyInclusion(leafHashes[index] as Uint8Array, index, s, proof, root),
            `${index}@${s}`,
          ).toBe(true);
        }
        for (const from of sizes.filter((f) => f <= s)) {
          const proof = await t.log.reader.consistencyProof(from, s);
          const old = rootFromLeafHashes(leafHashes.slice(0, from));
          expect(verifyConsistency(from, s, proof, old, root), `${from}→${s}`).toBe(true);
        }
      }
    }
  });

  it('stores each record with its own salt, committed in its leaf', async () => {
    const rows = await t.ports.db.kysely
      .selectFrom('records')
      .innerJoin('log_entries', 'log_entries.idx', 'records.log_index')
      .select(['records.id', 'records.salt', 'log_entries.leaf'])
      .where('records.id', 'like', 'storage:%')
      .orderBy('log_entries.idx')
      .execute();
    expect(rows).toHaveLength(600);
    const all = records(600, 0);
    const salts = new Set<string>();
    for (const [i, r] of rows.entries()) {
      expect(r.id).toBe(all[i]?.id);
      expect(r.salt).toHaveLength(32);
      salts.add(Buffer.from(r.salt).toString('hex'));
      expect(verifyCommitment(new Uint8Array(r.leaf), all[i]?.content, new Uint8Array(r.salt))).toBe(true);
      // Another record's salt does not open this leaf.
      const other = rows[(i + 1) % rows.length] as { salt: Uint8Array };
      expect(verifyCommitment(new Uint8Array(r.leaf), all[i]?.content, new Uint8Array(other.salt))).toBe(
        false,
      );
    }
    expect(salts.size).toBe(600);
  });

  it('serves every tile as the leaves give it', async () => {
    const size = await t.log.reader.integratedSize();
    expect(size).toBe(600);
    for (const tile of tilesForSize(size)) {
      // Twice: the second answer of a full tile comes from the tile cache.
      for (let round = 0; round < 2; round++) {
        const { bytes } = await t.log.reader.tile(tile);
        expect(bytes.length).toBe(tile.width * HASH_SIZE);
        const span = 256 ** (tile.level as number);
        for (let i = 0; i < tile.width; i++) {
          const lo = (tile.n * 256 + i) * span;
          const want = rootFromLeafHashes(leafHashes.slice(lo, lo + span));
          expect(
            new Uint8Array(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
            `tile ${tile.level}/${tile.n} #${i}`,
          ).toEqual(want);
        }
      }
    }
  });
});
