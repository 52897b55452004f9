import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints of an on-disk SQLite database on a worker thread (issue 15 item 9, decision
 * 0048). SQLite's automatic checkpoint runs inside the COMMIT that crosses 1 000 WAL pages, on the
 * committing thread: after a 900 000-line report that is ~180 MB copied from the WAL into the
 * database file and synced, a second or more during which the event loop answered nobody. Here
 * the writer's automatic checkpoint is turned off and a third connection, on its own thread, runs
 * PASSIVE checkpoints every CHECKPOINT_MS: a PASSIVE checkpoint waits for no reader or writer and
 * copies only committed frames, so it changes nothing a transaction sees; WAL frames not yet
 * copied are read from the WAL as before. If the worker cannot start or fails, the writer's
 * automatic checkpoint is turned back on.
 */

const CHECKPOINT_MS = 1000;
/** SQLite's default wal_autocheckpoint, restored when the worker is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker's code, plain JavaScript evaluated on the thread: `custos serve` may run bundled, and
 * a separate entry file would have to travel with the bundle. The driver is required by the
 * absolute path the main thread resolved.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
let stopped = false;
const pass = () => {
  if (stopped) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Busy (another checkpoint, a WAL being recovered): the next pass tries again.
    if (!/busy|locked/i.test(String(err && err.message))) throw err;
  }
};
const timer = setInterval(pass, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopped = true;
    clearInterval(timer);
    db.close();
    parentPort.postMessage('stopped');
  } else if (m === 'now') {
    pass();
    parentPort.postMessage('done');
  }
});
parentPort.postMessage('ready');
`;

export interface Checkpointer {
  /** One checkpoint now, answered when it is done (tests, backups). */
  now(): Promise<void>;
  /** Stops the worker and closes its connection (before the writer closes). */
  stop(): Promise<void>;
}

export function startCheckpointer(writer: Database.Database, path: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { driver, path, everyMs: CHECKPOINT_MS } });
  worker.unref();
  let alive = true;
  const waiting: ((m: string) => void)[] = [];
  const fallBack = (): void => {
    if (!alive) return;
    alive = false;
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    for (const w of waiting.splice(0)) w('gone');
  };
  // Off only once the worker's connection is open: until then SQLite keeps checkpointing itself.
  worker.on('message', (m: string) => {
    if (m === 'ready') {
      if (alive && writer.open) writer.pragma('wal_autocheckpoint = 0');
      return;
    }
    waiting.shift()?.(m);
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  const ask = (m: 'now' | 'stop'): Promise<void> =>
    alive
      ? new Promise<void>((resolve) => {
          waiting.push(() => resolve());
          worker.postMessage(m);
        })
      : Promise.resolve();
  return {
    now: () => ask('now'),
    async stop() {
      await ask('stop');
      fallBack();
      await worker.terminate();
    },
  };
}
