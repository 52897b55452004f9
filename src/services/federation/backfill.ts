import { advanceBackfill, pendingBackfills } from '../../store/fed-backfill.repo.js';
import { enqueueForwarding } from '../../store/forwarding.repo.js';
import { isoNow, type Ports } from '../ports.js';

/**
 * A new arrangement to send owes the peer the records logged before it from its day on
 * (decision 0094). They are queued here, by the delivery loop, a chunk of log indexes per
 * transaction — not by the creating transaction, which over a log of millions of records held
 * every writer of the node (SQLite's lock; PostgreSQL's log_sequence row) for as long as one
 * statement took to read them all. A backlog row remembers how far it got: a restart, or another
 * server taking the delivery lease, goes on from there.
 */

/** Log indexes per chunk: one transaction reads at most this many records. */
export const BACKFILL_CHUNK = 10_000;

class Moved extends Error {}

/**
 * Queues chunks of every pending backlog, one transaction each, until none is left or `budgetMs`
 * has passed (at least one chunk of each backlog per call). Answers how many chunks were queued
 * and whether any backlog is left.
 */
export async function runBackfills(
  ports: Pick<Ports, 'db' | 'clock'>,
  options: { readonly budgetMs?: number; readonly chunk?: number } = {},
): Promise<{ chunks: number; pending: boolean }> {
  const budget = options.budgetMs ?? 250;
  const chunk = options.chunk ?? BACKFILL_CHUNK;
  const started = performance.now();
  let chunks = 0;
  for (;;) {
    const rows = await pendingBackfills(ports.db.kysely);
    if (rows.length === 0) return { chunks, pending: false };
    if (chunks > 0 && performance.now() - started >= budget) return { chunks, pending: true };
    for (const row of rows) {
      const to = Math.min(row.next_index + chunk, row.until_index);
      try {
        await ports.db.kysely.transaction().execute(async (tx) => {
          if (to > row.next_index)
            await enqueueForwarding(
              tx,
              { first: row.next_index, last: to - 1, arrangementId: row.arrangement_id },
              isoNow(ports.clock),
            );
          // Another server moved it meanwhile (it took the lease over): this chunk is its.
          if (!(await advanceBackfill(tx, row, to))) throw new Moved();
        });
      } catch (err) {
        if (!(err instanceof Moved)) throw err;
      }
      chunks++;
      // Let requests in between chunks (the event loop's writer serves them too).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
