import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Principal } from '../../domain/policy/index.js';
import type { Db } from '../../store/db.js';
import type { IntakeThread } from '../ports.js';
import { type Intake, letGoOfBody, type Submission } from './submit.js';

/*
 * Big reports examined and stored on a thread of their own (issue 15 item 9, decision 0078).
 *
 * On SQLite the storing transaction of a 900 000-line report ends in a COMMIT of ~50 000 WAL
 * frames that SQLite re-reads to rewrite their checksums (decision 0074): one synchronous call of
 * hundreds of milliseconds. On the event loop nothing else is answered meanwhile. Here the whole
 * submission — hash, signature, parsing, validation, the storing transaction — runs on the intake
 * thread with its own writer connection; the event loop only hands over the body and, for the
 * transaction, the writer: it holds this process's writer lock from the thread's BEGIN to its
 * COMMIT, so no write of this process meets SQLITE_BUSY, while plain reads go to the reader
 * connection as they do during any transaction. Parsing and validating need no lock: other
 * writes go on meanwhile, as they do between the slices of the event loop's own intake.
 *
 * The thread runs the same code (examineAndStore) over the same database; what it answers is
 * plain data that the event loop settles as for any submission (refusal records, events).
 */

/** Messages to the thread. */
export type ToThread =
  | {
      readonly kind: 'job';
      readonly job: number;
      readonly principal: Principal;
      readonly body: Uint8Array;
      readonly format: Submission['format'];
      readonly signatureHeader: string | undefined;
      readonly at: string;
    }
  /** The event loop holds the writer lock: the thread may begin its transaction. */
  | { readonly kind: 'go'; readonly job: number };

/** Messages from the thread. */
export type FromThread =
  | { readonly kind: 'ready' }
  /** The thread is about to begin its storing transaction and waits for 'go'. */
  | { readonly kind: 'store'; readonly job: number }
  /** The transaction is over (committed or rolled back): the writer lock may go. */
  | { readonly kind: 'stored'; readonly job: number }
  | { readonly kind: 'done'; readonly job: number; readonly intake: Intake }
  | { readonly kind: 'failed'; readonly job: number; readonly message: string };

/** What the thread is started with (worker data). */
export interface IntakeThreadData {
  readonly role: 'intake-thread';
  readonly path: string;
  readonly config: Config;
}

/**
 * The thread's code: plain JavaScript that imports the process's own entry module (`custos`'s
 * main), which runs the intake thread when started as one (cli/main.ts). The entry is whatever
 * the process runs — the TypeScript sources through tsx, or a bundle — so the thread runs the
 * same build of the same code, and no second entry file has to travel with a bundle.
 */
const SOURCE = `
const { workerData } = require('node:worker_threads');
(async () => {
  // The sources through tsx: its loader hooks are the main thread's, a worker registers its own.
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((err) => {
  throw err;
});
`;

interface Pending {
  resolve(intake: Intake): void;
  reject(err: Error): void;
}

export interface IntakeThreadOptions {
  /** The `custos` entry module's URL (cli/main.ts or its bundle). */
  readonly entry: string;
  /** SQLite on disk: the thread opens the same file. */
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
}

/**
 * The IntakeThread port. The thread is started on demand — when a request announces a big body
 * (`expect`), or at the first big body — not with the server: loading the whole program a second
 * time costs about 0.7 s of CPU, which most servers (tests, short-lived nodes, nodes that never
 * take a 4 MiB report) would spend for nothing. A big report that finds the thread loading waits
 * for it (far less than the report itself takes); if it cannot start, big reports are taken on the
 * event loop as before, and nothing is lost with it. A thread that ended is started again by the
 * next big report.
 */
// long: a factory whose thread, writer hand-over and submissions in hand share their state
export function startIntakeThread(o: IntakeThreadOptions): IntakeThread & { stop(): Promise<void> } {
  const holdWriter = o.db.holdWriter;
  const path = o.db.sqlite?.name;
  if (holdWriter === undefined || path === undefined)
    throw new Error('the intake thread needs SQLite on disk');
  const threshold = o.config.intakeThreadBytes;
  // The entry as TypeScript: the thread registers tsx's loader itself, resolved from here.
  const tsx = o.entry.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
  let worker: Worker | undefined;
  let ready = false;
  let stopped = false;
  /** It never became ready once: big reports stay on the event loop for good. */
  let broken = false;
  /** Settled when the thread being started is ready (true) or could not start (false). */
  let starting: Promise<boolean> | undefined;
  let settleStart: ((ok: boolean) => void) | undefined;
  let nextJob = 1;
  let answered = 0;
  const pending = new Map<number, Pending>();
  /** Jobs whose transaction holds the writer lock: resolving gives the lock back. */
  const storing = new Map<number, () => void>();

  const start = (): Promise<boolean> => {
    starting = new Promise<boolean>((resolve) => {
      settleStart = resolve;
    });
    const data: IntakeThreadData & { entry: string; tsx: string | undefined } = {
      role: 'intake-thread',
      path,
      config: o.config,
      entry: o.entry,
      tsx,
    };
    const w = new Worker(SOURCE, { eval: true, workerData: data });
    worker = w;
    w.unref();
    w.on('message', (m: FromThread) => {
      if (m.kind === 'ready') {
        ready = true;
        settleStart?.(true);
      } else if (m.kind === 'store') {
        void holdWriter(
          () =>
            new Promise<void>((release) => {
              // The thread ended (or the server stopped) while the lock was awaited: nobody
              // would give it back, and every write of this process would wait for it.
              if (worker !== w) return release();
              storing.set(m.job, release);
              w.postMessage({ kind: 'go', job: m.job } satisfies ToThread);
            }),
        );
      } else if (m.kind === 'stored') {
        release(m.job);
      } else {
        const p = pending.get(m.job);
        pending.delete(m.job);
        answered++;
        if (m.kind === 'done') p?.resolve(m.intake);
        else p?.reject(new Error(`intake thread: ${m.message}`));
      }
    });
    const gone = (err?: Error): void => {
      if (worker !== w) return;
      const wasReady = ready;
      worker = undefined;
      ready = false;
      starting = undefined;
      // A thread that ends mid-transaction has its connection closed: SQLite rolls back what it
      // had not committed, so the lock can go and the submissions in hand fail as server errors.
      settleAll(err ?? new Error('the intake thread ended'));
      settleStart?.(false);
      if (stopped) return;
      if (!wasReady) {
        // It could not start (it never ran a report): big reports stay on the event loop.
        broken = true;
        o.logger.error({ err }, 'the intake thread could not start; big reports are taken on the event loop');
        return;
      }
      // The next big report starts another.
      o.logger.error({ err }, 'the intake thread ended');
    };
    w.on('error', (err) => gone(err));
    w.on('exit', () => gone());
    return starting;
  };
  /** The thread ready (started now if need be); false when it cannot be. */
  const ensure = (): Promise<boolean> => {
    if (stopped || broken) return Promise.resolve(false);
    if (ready) return Promise.resolve(true);
    return starting ?? start();
  };

  const release = (job: number): void => {
    const r = storing.get(job);
    storing.delete(job);
    r?.();
  };
  /** The thread is gone: every lock it held goes back, every submission in hand fails. */
  const settleAll = (err: Error): void => {
    for (const job of [...storing.keys()]) release(job);
    for (const [job, p] of pending) {
      pending.delete(job);
      p.reject(err);
    }
  };

  const big = (bytes: number): boolean => !broken && threshold > 0 && bytes >= threshold;
  return {
    takes: big,
    expect(bytes) {
      if (big(bytes)) void ensure();
    },
    answered: () => answered,
    async examineAndStore(principal, s, at) {
      if (!(await ensure())) return undefined;
      const w = worker;
      if (w === undefined || !ready) return undefined;
      const job = nextJob++;
      const body = s.body;
      // The body's memory moves to the thread (no copy) when it owns its whole buffer.
      const owns = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
      const message: ToThread = {
        kind: 'job',
        job,
        principal,
        body,
        format: s.format,
        signatureHeader: s.signatureHeader,
        at,
      };
      return new Promise<Intake>((resolve, reject) => {
        pending.set(job, { resolve, reject });
        w.postMessage(message, owns ? [body.buffer as ArrayBuffer] : []);
        letGoOfBody(s);
      });
    },
    async stop() {
      stopped = true;
      const w = worker;
      worker = undefined;
      ready = false;
      starting = undefined;
      settleStart?.(false);
      if (w) await w.terminate();
      settleAll(new Error('the server is stopping'));
    },
  };
}
