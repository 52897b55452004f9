import {
  type Cosigner,
  decideAddCheckpoint,
  formatAddCheckpointRequest,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseVerifier,
} from '../../log/index.js';
import { createCheckpointsRepo } from '../../store/checkpoints.repo.js';
import type { Ports } from '../ports.js';
import type { LogReader } from './reader.js';

/**
 * Both sides of C2SP tlog-witness.
 * - As a witness, this node cosigns the logs listed in CUSTOS_WITNESSED_LOGS: the decision is
 *   the pure decideAddCheckpoint; check-and-persist is one transaction with the log's row locked,
 *   and the update is a compare-and-swap on the old size, so two concurrent requests can never
 *   both be cosigned from the same state.
 * - As a log, it submits each new checkpoint to CUSTOS_WITNESSES and keeps their cosignatures.
 */
export function createWitnessService(ports: Ports, cosigner: Cosigner) {
  const repo = createCheckpointsRepo(ports.db);
  const known = new Map<string, NoteVerifier>();
  for (const vkey of ports.config.witnessedLogs) {
    const v = parseVerifier(vkey);
    known.set(v.name, v);
  }

  async function addCheckpoint(
    body: Uint8Array,
  ): Promise<{ status: number; contentType: string; body: string }> {
    // Which log? Read the origin leniently first; decideAddCheckpoint re-parses strictly.
    let origin: string | undefined;
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
      const at = text.indexOf('\n\n');
      origin = at >= 0 ? parseCheckpoint(parseNote(text.slice(at + 2)).text).origin : undefined;
    } catch {
      origin = undefined;
    }
    const timestamp = Math.floor(ports.clock.now().getTime() / 1000);
    if (origin === undefined || !known.has(origin)) {
      const d = decideAddCheckpoint({ request: body, knownLogs: known, lastCosigned: undefined });
      return { status: d.status, contentType: d.contentType, body: d.body };
    }
    const o = origin;
    return ports.db.kysely.transaction().execute(async (tx) => {
      const { stored, last } = await repo.lockWitnessed(tx, o);
      const d = decideAddCheckpoint({
        request: body,
        knownLogs: known,
        lastCosigned: last,
        cosigners: [cosigner],
        timestamp,
      });
      if (d.status === 200) {
        const next = { ...d.newState, at: ports.clock.now().toISOString() };
        if (!(await repo.advanceWitnessed(tx, o, stored, next))) {
          return { status: 409, contentType: 'text/x.tlog.size', body: `${stored}\n` };
        }
      }
      return { status: d.status, contentType: d.contentType, body: d.body };
    });
  }

  /** Submit our checkpoint of `size` to every configured witness; store the cosignatures. */
  async function submitToWitnesses(reader: LogReader, size: number, note: string): Promise<void> {
    for (const spec of ports.config.witnesses) {
      const [url, vkey] = spec.split('|') as [string, string];
      const witness = parseVerifier(vkey);
      try {
        let oldSize = await repo.lastCosignedSize(witness.name);
        for (let attempt = 0; attempt < 2; attempt++) {
          const proof = oldSize === 0 ? [] : await reader.consistencyProof(oldSize, size);
          const res = await fetch(`${url.replace(/\/$/, '')}/add-checkpoint`, {
            method: 'POST',
            body: formatAddCheckpointRequest({ oldSize, proof, checkpointNote: note }),
            signal: AbortSignal.timeout(5000),
          });
          const text = await res.text();
          if (res.status === 409 && attempt === 0 && /^\d+\n$/.test(text)) {
            // The witness has seen a different size of our log: prove consistency from there.
            oldSize = Number(text.trim());
            if (oldSize > size) break;
            continue;
          }
          if (res.status !== 200) {
            ports.logger.warn(
              { witness: witness.name, status: res.status, body: text.slice(0, 200) },
              'witness refused',
            );
            break;
          }
          const line = text.split('\n').find((l) => l.startsWith(`\u2014 ${witness.name} `));
          if (line) {
            await repo.insertCosignature({
              size,
              witness: witness.name,
              line,
              at: ports.clock.now().toISOString(),
            });
          }
          break;
        }
      } catch (err) {
        ports.logger.warn({ witness: witness.name, err: (err as Error).message }, 'witness unreachable');
      }
    }
  }

  return { addCheckpoint, submitToWitnesses, isWitnessing: known.size > 0 };
}
