import type { Ports } from '../ports.js';
import { createIntegrator, type IntegrationResult } from './integrator.js';
import { ensureLogKeys } from './keys.js';
import { createLogReader } from './reader.js';
import { createWitnessService } from './witness.js';

export { ensureLogKeys } from './keys.js';

/**
 * The log of one node: keys, integrator loop, readers and the witness roles. `start()` runs the
 * integrator every few milliseconds (a checkpoint at most every CUSTOS_CHECKPOINT_MS, only when
 * the size changed); `stop()` waits for the running pass.
 */
export function createLogNode(ports: Ports) {
  const keys = ensureLogKeys(ports);
  const integrator = createIntegrator(ports, keys.signer);
  const reader = createLogReader(ports);
  const witness = createWitnessService(ports, keys.cosigner);
  const listeners = new Set<(size: number, note: string) => void>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function pass(force = false): Promise<IntegrationResult> {
    const r = await integrator.integrateOnce({ forceCheckpoint: force });
    if (r.checkpoint) {
      if (ports.config.witnesses.length > 0) await witness.submitToWitnesses(reader, r.size, r.checkpoint);
      for (const l of listeners) l(r.size, r.checkpoint);
    }
    return r;
  }

  function schedule() {
    if (stopped) return;
    const interval = Math.max(5, Math.min(100, Math.floor(ports.config.checkpointMs / 4)));
    timer = setTimeout(() => {
      running = pass()
        .then(() => undefined)
        .catch((err: unknown) => ports.logger.error({ err }, 'log integration failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, interval);
    timer.unref?.();
  }

  return {
    keys,
    reader,
    witness,
    integrator,
    /** Integrate now (tests, CLI, shutdown); `force` publishes a checkpoint whatever the interval. */
    flush: (force = true) => pass(force),
    onCheckpoint(listener: (size: number, note: string) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type LogNode = ReturnType<typeof createLogNode>;
