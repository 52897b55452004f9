import type Database from 'better-sqlite3';
import {
  appendLeaves,
  frontierIndexes,
  leafHash,
  type NoteSigner,
  type StoredHash,
  signCheckpoint,
} from '../../log/index.js';
import { createIntegrationRepo, createLogRepo, sqliteIntegration } from '../../store/log.repo.js';
import type { LogStateRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';

const BATCH = 65_536;

export interface IntegrationResult {
  readonly size: number;
  /** The checkpoint note published by this call, if any. */
  readonly checkpoint: string | undefined;
}

interface Frontier {
  readonly size: number;
  readonly frontier: Uint8Array[];
}

/** What one pass decided: the tree grown over the new leaves, and the checkpoint to publish. */
interface Pass {
  readonly size: number;
  readonly root: Uint8Array;
  readonly storedHashes: StoredHash[];
  readonly next: Frontier | undefined;
  readonly checkpoint: { note: string; at: string } | undefined;
}

/**
 * The pure part of a pass: grow the tree from `state` over `leaves` (entries state.size, …),
 * from the cached frontier when it is of that size, and decide whether a checkpoint is due.
 */
function planPass(
  ports: Pick<Ports, 'clock' | 'config'>,
  signer: NoteSigner,
  cache: Frontier | undefined,
  state: LogStateRow,
  leaves: readonly Uint8Array[],
  frontier: () => Uint8Array[],
  forceCheckpoint: boolean,
): Pass {
  let size = Number(state.integrated_size);
  let root = state.root;
  let storedHashes: StoredHash[] = [];
  let next: Frontier | undefined;
  if (leaves.length > 0) {
    const hashes: Uint8Array[] = new Array(leaves.length);
    for (let i = 0; i < leaves.length; i++) hashes[i] = leafHash(leaves[i] as Uint8Array);
    const appended = appendLeaves(size, cache?.size === size ? cache.frontier : frontier(), hashes);
    storedHashes = appended.storedHashes;
    size += leaves.length;
    root = appended.root;
    next = { size, frontier: appended.frontier };
  }
  const now = ports.clock.now();
  const due =
    forceCheckpoint ||
    state.checkpoint_at === '' ||
    now.getTime() - Date.parse(state.checkpoint_at) >= ports.config.checkpointMs;
  if (size === Number(state.checkpoint_size) || !due)
    return { size, root, storedHashes, next, checkpoint: undefined };
  const note = signCheckpoint({ origin: ports.config.logOrigin, size, rootHash: root, extensions: [] }, [
    signer,
  ]);
  return { size, root, storedHashes, next, checkpoint: { note, at: now.toISOString() } };
}

/**
 * Folds sequenced entries into the tree and publishes checkpoints (log issue, "Sequencing").
 * Every call is one transaction: read the integrated size, append the next entries' hashes
 * (stored-hash layout of Go's tlog), and — when the size changed and CUSTOS_CHECKPOINT_MS has
 * passed since the last one — sign a checkpoint of exactly that tree. The tree only ever grows
 * from stored hashes, so two checkpoints this log signs are always consistent, across restarts
 * and across processes (on PostgreSQL the transaction holds an advisory lock; on SQLite the
 * database has one writer).
 */
export function createIntegrator(ports: Ports, signer: NoteSigner) {
  const repo = createLogRepo(ports.db);
  const writes = createIntegrationRepo();
  let cache: Frontier | undefined;

  const plan = (...args: [LogStateRow, readonly Uint8Array[], () => Uint8Array[], boolean]) =>
    planPass(ports, signer, cache, ...args);

  async function integrateOnce(opts: { forceCheckpoint?: boolean } = {}): Promise<IntegrationResult> {
    try {
      // The frontier computed inside the transaction becomes the cache only once it has committed.
      const { result, next } = ports.db.sqlite
        ? await integrateSqlite(ports.db.sqlite, opts)
        : await integratePostgres(opts);
      if (next) cache = next;
      return result;
    } catch (err) {
      cache = undefined;
      throw err;
    }
  }

  /**
   * SQLite: the whole pass is one synchronous transaction on the writer connection, opened through
   * Kysely's transaction so it holds the writer lock and no other transaction is open on it (a
   * bare `connection()` may be lent while the writer is busy and serve only reads: store/
   * sqlite-dialect.ts). With no await between BEGIN and COMMIT, nothing else in the process can
   * observe (or interleave with) a half-done pass.
   */
  async function integrateSqlite(sqlite: Database.Database, opts: { forceCheckpoint?: boolean }) {
    const store = sqliteIntegration(sqlite);
    return ports.db.kysely.transaction().execute(async () =>
      sqlite.transaction(() => {
        const state = store.readState();
        const size = Number(state.integrated_size);
        const rows = store.readLeaves(size, BATCH);
        const leaves: Uint8Array[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const [idx, leaf] = rows[i] as [number | bigint, Uint8Array];
          // Indices are gap-free and commit in order (log.repo.ts sequenceEntries).
          if (Number(idx) !== size + i) throw new Error(`log entry ${size + i} is missing (found ${idx})`);
          leaves[i] = leaf;
        }
        const pass = plan(
          state,
          leaves,
          () =>
            frontierIndexes(size).map((ix) => {
              const h = store.readHash(ix);
              if (!h) throw new Error(`stored hash ${ix} is missing`);
              return h;
            }),
          opts.forceCheckpoint === true,
        );
        if (pass.storedHashes.length > 0) store.storeTree(pass.size, pass.root, pass.storedHashes);
        if (pass.checkpoint) store.storeCheckpoint({ size: pass.size, root: pass.root, ...pass.checkpoint });
        return {
          result: { size: pass.size, checkpoint: pass.checkpoint?.note },
          next: pass.next,
        };
      })(),
    );
  }

  function integratePostgres(opts: { forceCheckpoint?: boolean }) {
    return ports.db.kysely.transaction().execute(async (tx) => {
      if (!(await writes.tryLockIntegration(tx))) {
        const s = await repo.readState(tx);
        return { result: { size: Number(s.integrated_size), checkpoint: undefined }, next: undefined };
      }
      const state = await repo.readState(tx);
      const size = Number(state.integrated_size);
      const entries = await repo.readEntries(tx, size, BATCH);
      const frontier =
        entries.length > 0 && cache?.size !== size ? await repo.readHashes(frontierIndexes(size), tx) : [];
      const pass = plan(
        state,
        entries.map((e) => e.leaf),
        () => frontier,
        opts.forceCheckpoint === true,
      );
      if (pass.storedHashes.length > 0) await writes.storeTree(tx, pass.size, pass.root, pass.storedHashes);
      if (pass.checkpoint)
        await writes.storeCheckpoint(tx, { size: pass.size, root: pass.root, ...pass.checkpoint });
      return { result: { size: pass.size, checkpoint: pass.checkpoint?.note }, next: pass.next };
    });
  }

  return {
    integrateOnce,
    /** Drop the in-memory frontier (after a failed transaction, or when tests edit the store). */
    reset() {
      cache = undefined;
    },
  };
}
