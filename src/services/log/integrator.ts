import { sql } from 'kysely';
import { appendLeaves, frontierIndexes, leafHash, type NoteSigner, signCheckpoint } from '../../log/index.js';
import { createLogRepo } from '../../store/log.repo.js';
import type { Ports } from '../ports.js';

/** Advisory lock key shared by every Custos process on one PostgreSQL: one integrator at a time. */
const INTEGRATOR_LOCK = 0x637573746f73; // "custos"
const BATCH = 65_536;

export interface IntegrationResult {
  readonly size: number;
  /** The checkpoint note published by this call, if any. */
  readonly checkpoint: string | undefined;
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
  let cache: { size: number; frontier: Uint8Array[] } | undefined;

  async function integrateOnce(opts: { forceCheckpoint?: boolean } = {}): Promise<IntegrationResult> {
    // The frontier computed inside the transaction becomes the cache only once it has committed.
    let next: { size: number; frontier: Uint8Array[] } | undefined;
    try {
      const result = await transact(opts, (n) => {
        next = n;
      });
      if (next) cache = next;
      return result;
    } catch (err) {
      cache = undefined;
      throw err;
    }
  }

  function transact(
    opts: { forceCheckpoint?: boolean },
    setNext: (n: { size: number; frontier: Uint8Array[] }) => void,
  ): Promise<IntegrationResult> {
    return ports.db.kysely.transaction().execute(async (tx) => {
      if (ports.db.dialect === 'postgres') {
        const r = await sql<{
          ok: boolean;
        }>`select pg_try_advisory_xact_lock(${INTEGRATOR_LOCK}) as ok`.execute(tx);
        if (!r.rows[0]?.ok) {
          const s = await repo.readState(tx);
          return { size: Number(s.integrated_size), checkpoint: undefined };
        }
      }
      const state = await repo.readState(tx);
      let size = Number(state.integrated_size);
      let root = state.root;
      const entries = await repo.readEntries(tx, size, BATCH);
      if (entries.length > 0) {
        const frontier =
          cache?.size === size ? cache.frontier : await repo.readHashes(frontierIndexes(size), tx);
        const appended = appendLeaves(
          size,
          frontier,
          entries.map((e) => leafHash(e.leaf)),
        );
        await insertHashes(tx, appended.storedHashes);
        size += entries.length;
        root = appended.root;
        await tx.updateTable('log_state').set({ integrated_size: size, root }).where('id', '=', 1).execute();
        setNext({ size, frontier: appended.frontier });
      }
      const now = ports.clock.now();
      const due =
        opts.forceCheckpoint === true ||
        state.checkpoint_at === '' ||
        now.getTime() - Date.parse(state.checkpoint_at) >= ports.config.checkpointMs;
      if (size === Number(state.checkpoint_size) || !due) return { size, checkpoint: undefined };
      const note = signCheckpoint({ origin: ports.config.logOrigin, size, rootHash: root, extensions: [] }, [
        signer,
      ]);
      const at = now.toISOString();
      await tx.insertInto('log_checkpoints').values({ size, root, note, created_at: at }).execute();
      await tx
        .updateTable('log_state')
        .set({ checkpoint: note, checkpoint_size: size, checkpoint_at: at })
        .where('id', '=', 1)
        .execute();
      return { size, checkpoint: note };
    });

    async function insertHashes(
      tx: Parameters<typeof repo.insertHashes>[0],
      hashes: { index: number; hash: Uint8Array }[],
    ) {
      if (ports.db.sqlite) {
        // Bulk path (architecture.md habit 7): one prepared statement inside the open transaction.
        const stmt = ports.db.sqlite.prepare('insert into log_hashes (id, hash) values (?, ?)');
        for (const h of hashes) stmt.run(h.index, h.hash);
        return;
      }
      await repo.insertHashes(tx, hashes);
    }
  }

  return {
    integrateOnce,
    /** Drop the in-memory frontier (after a failed transaction, or when tests edit the store). */
    reset() {
      cache = undefined;
    },
  };
}

export type Integrator = ReturnType<typeof createIntegrator>;
