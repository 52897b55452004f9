import {
  type Cosigner,
  decideAddCheckpoint,
  formatAddCheckpointRequest,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseVerifier,
} from '../../log/index.js';
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
      await tx
        .insertInto('witness_state')
        .values({ origin: o, size: -1, root: new Uint8Array(32), updated_at: '' })
        .onConflict((c) => c.column('origin').doNothing())
        .execute();
      let sel = tx.selectFrom('witness_state').selectAll().where('origin', '=', o);
      if (ports.db.dialect === 'postgres') sel = sel.forUpdate();
      const row = await sel.executeTakeFirstOrThrow();
      const last =
        Number(row.size) < 0 ? undefined : { size: Number(row.size), root: new Uint8Array(row.root) };
      const d = decideAddCheckpoint({
        request: body,
        knownLogs: known,
        lastCosigned: last,
        cosigners: [cosigner],
        timestamp,
      });
      if (d.status === 200) {
        const r = await tx
          .updateTable('witness_state')
          .set({ size: d.newState.size, root: d.newState.root, updated_at: ports.clock.now().toISOString() })
          .where('origin', '=', o)
          .where('size', '=', row.size)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) {
          return { status: 409, contentType: 'text/x.tlog.size', body: `${row.size}\n` };
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
        const last = await ports.db.kysely
          .selectFrom('log_cosignatures')
          .select((eb) => eb.fn.max('size').as('size'))
          .where('witness', '=', witness.name)
          .executeTakeFirst();
        let oldSize = last?.size === null || last?.size === undefined ? 0 : Number(last.size);
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
            await ports.db.kysely
              .insertInto('log_cosignatures')
              .values({ size, witness: witness.name, line, created_at: ports.clock.now().toISOString() })
              .onConflict((c) => c.columns(['size', 'witness']).doNothing())
              .execute();
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

export type WitnessService = ReturnType<typeof createWitnessService>;
