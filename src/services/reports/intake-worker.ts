import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openSqlite } from '../../store/db.js';
import type { EventSink } from '../events.js';
import { type Ports, systemRandom } from '../ports.js';
import type { FromThread, IntakeThreadData, ToThread } from './intake-thread.js';
import { examineAndStore, type WriterGate } from './submit.js';

/** Whether this thread was started as the intake thread (intake-thread.ts). */
export function isIntakeThread(data: unknown = workerData): boolean {
  return (data as Partial<IntakeThreadData> | null)?.role === 'intake-thread';
}

/** The thread publishes nothing: its caller settles the outcome and publishes (submitReport). */
const noEvents: EventSink = {
  publish: () => Promise.reject(new Error('the intake thread publishes no events')),
};

/**
 * The intake thread's side (decision 0078): its own writer connection to the process's SQLite
 * file, and each job run through `examineAndStore` with the submission's own time. The storing
 * transaction begins only once the event loop has answered 'go' (it holds the process's writer
 * lock) and says 'stored' when it has ended, committed or not.
 */
export function serveIntakeThread(): void {
  const port = parentPort;
  if (port === null) throw new Error('the intake thread runs only as a worker thread');
  const data = workerData as IntakeThreadData;
  const db = openSqlite(data.path, { writerOnly: true });
  const logger = pino({ level: data.config.logLevel, base: { service: 'custos', thread: 'intake' } });
  const post = (m: FromThread): void => port.postMessage(m);
  const waiting = new Map<number, () => void>();

  const gateOf =
    (job: number): WriterGate =>
    async (store) => {
      await new Promise<void>((go) => {
        waiting.set(job, go);
        post({ kind: 'store', job });
      });
      try {
        return await store();
      } finally {
        post({ kind: 'stored', job });
      }
    };

  const run = async (m: Extract<ToThread, { kind: 'job' }>): Promise<void> => {
    const at = new Date(m.at);
    const ports: Ports = {
      db,
      clock: { now: () => at },
      random: systemRandom,
      logger,
      config: data.config,
      events: noEvents,
    };
    const submission = { body: m.body, format: m.format, signatureHeader: m.signatureHeader };
    try {
      const intake = await examineAndStore(ports, m.principal, submission, m.at, gateOf(m.job));
      post({ kind: 'done', job: m.job, intake });
    } catch (err) {
      logger.error({ err }, 'intake thread: a submission failed');
      post({ kind: 'failed', job: m.job, message: String((err as Error)?.message ?? err) });
    }
  };

  port.on('message', (m: ToThread) => {
    if (m.kind === 'go') {
      const go = waiting.get(m.job);
      waiting.delete(m.job);
      go?.();
    } else {
      void run(m);
    }
  });
  post({ kind: 'ready' });
}
