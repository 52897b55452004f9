import { describe, expect, it } from 'vitest';
import { type Checkpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { createCosigner } from './cosignature.js';
import { leafHash } from './hashing.js';
import {
  createNoteSigner,
  createNoteVerifier,
  type NoteVerifier,
  parseNote,
  parseNoteVerifier,
} from './note.js';
import { type HashReader, proveConsistency } from './proofs.js';
import { appendLeaves } from './storage.js';
import { hex, vectors } from './testdata/vectors.js';
import {
  type AddCheckpointDecision,
  decideAddCheckpoint,
  formatAddCheckpointRequest,
  parseAddCheckpointRequest,
  type WitnessState,
} from './witness.js';

const e2e = vectors.cosignature.derived_end_to_end;
const logVerifier = parseNoteVerifier(e2e.log.vkey);
const known = new Map<string, NoteVerifier>([[e2e.log.name, logVerifier]]);
const witness = createCosigner(e2e.witness.name, hex(e2e.witness.ed25519_seed_hex));
const cp6 = parseCheckpoint(parseNote(e2e.checkpoint_size6).text);
const cp8 = parseCheckpoint(parseNote(e2e.checkpoint_size8).text);
const state6: WitnessState = { size: 6, root: cp6.rootHash };
const body = e2e.add_checkpoint_request_body;

function expectStatus(d: AddCheckpointDecision, status: number, code?: string): void {
  expect(d.status).toBe(status);
  if (code !== undefined && d.status !== 200) expect(d.code).toBe(code);
}

describe('add-checkpoint request format', () => {
  it('parses the C2SP example request', () => {
    const r = parseAddCheckpointRequest(vectors.parse_only_spec_examples.witness_add_checkpoint_request);
    expect(r.oldSize).toBe(20852014);
    expect(r.proof).toHaveLength(4);
    expect(parseNote(r.checkpointNote).signatures).toHaveLength(2);
  });
  it('formats the derived request byte for byte', () => {
    const r = parseAddCheckpointRequest(new TextEncoder().encode(body));
    expect(r.oldSize).toBe(6);
    expect(formatAddCheckpointRequest(r)).toBe(body);
  });
  it('is strict', () => {
    const note = e2e.checkpoint_size8;
    const h = 'DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=';
    for (const bad of [
      `old 06\n\n${note}`,
      `old -1\n\n${note}`,
      `old 6 \n\n${note}`,
      `Old 6\n\n${note}`,
      `old 6\n${h}\n`,
      `old 6\n${h}\n\n`,
      `old 6\n${h.slice(4)}\n\n${note}`,
      `old 6\n${h} \n\n${note}`,
      `old 6\n${`${h}\n`.repeat(64)}\n${note}`,
      'old 6',
      '',
    ]) {
      expect(() => parseAddCheckpointRequest(bad)).toThrow(
        expect.objectContaining({ code: 'LOG_MALFORMED' }),
      );
    }
    expect(parseAddCheckpointRequest(`old 6\n${`${h}\n`.repeat(63)}\n${note}`).proof).toHaveLength(63);
  });
});

describe('decideAddCheckpoint: one test per status code', () => {
  it('200: cosigns the derived request with the expected cosignature line', () => {
    const d = decideAddCheckpoint({
      request: body,
      knownLogs: known,
      lastCosigned: state6,
      cosigners: [witness],
      timestamp: e2e.cosignature_timestamp,
    });
    expectStatus(d, 200);
    if (d.status !== 200) return;
    expect(d.body).toBe(e2e.witness_signature_line);
    expect(d.newState).toEqual({ size: 8, root: cp8.rootHash });
  });
  it('400: malformed body', () => {
    expectStatus(
      decideAddCheckpoint({ request: 'nonsense', knownLogs: known, lastCosigned: state6 }),
      400,
      'LOG_MALFORMED',
    );
    expectStatus(
      decideAddCheckpoint({ request: 'old 6\n\nnot a note\n', knownLogs: known, lastCosigned: state6 }),
      400,
      'LOG_MALFORMED',
    );
  });
  it('400: old size greater than the checkpoint size', () => {
    const req = formatAddCheckpointRequest({ oldSize: 9, proof: [], checkpointNote: e2e.checkpoint_size8 });
    expectStatus(
      decideAddCheckpoint({ request: req, knownLogs: known, lastCosigned: { size: 9, root: cp8.rootHash } }),
      400,
      'LOG_RANGE',
    );
  });
  it('403: no valid signature from the known log key', () => {
    const other = createNoteVerifier(e2e.log.name, createCosigner('x', new Uint8Array(32).fill(1)).publicKey);
    const d = decideAddCheckpoint({
      request: body,
      knownLogs: new Map([[e2e.log.name, other]]),
      lastCosigned: state6,
    });
    expectStatus(d, 403, 'LOG_SIGNATURE_INVALID');
    const forged = body.replace(/EUznHKyG31/, 'EUznHKyG32');
    expectStatus(
      decideAddCheckpoint({ request: forged, knownLogs: known, lastCosigned: state6 }),
      403,
      'LOG_SIGNATURE_INVALID',
    );
  });
  it('404: unknown origin', () => {
    expectStatus(
      decideAddCheckpoint({ request: body, knownLogs: new Map(), lastCosigned: state6 }),
      404,
      'LOG_UNKNOWN_ORIGIN',
    );
  });
  it('409: old size differs from the last cosigned size, body is that size', () => {
    const d = decideAddCheckpoint({
      request: body,
      knownLogs: known,
      lastCosigned: { size: 5, root: cp6.rootHash },
    });
    expectStatus(d, 409, 'LOG_OLD_SIZE_MISMATCH');
    expect(d.body).toBe('5\n');
    expect(d.contentType).toBe('text/x.tlog.size');
    const never = decideAddCheckpoint({ request: body, knownLogs: known, lastCosigned: undefined });
    expectStatus(never, 409);
    expect(never.body).toBe('0\n');
  });
  it('422: invalid proof, non-empty proof from 0, same size with a different root', () => {
    const r = parseAddCheckpointRequest(body);
    const flipped = r.proof.map((h, i) =>
      i === 1 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h,
    );
    const bad = { ...r, proof: flipped };
    expectStatus(
      decideAddCheckpoint({ request: bad, knownLogs: known, lastCosigned: state6 }),
      422,
      'LOG_PROOF_INVALID',
    );
    const from0 = { ...r, oldSize: 0 };
    expectStatus(
      decideAddCheckpoint({ request: from0, knownLogs: known, lastCosigned: undefined }),
      422,
      'LOG_PROOF_INVALID',
    );
    const same = { oldSize: 8, proof: [], checkpointNote: e2e.checkpoint_size8 };
    const d = decideAddCheckpoint({
      request: same,
      knownLogs: known,
      lastCosigned: { size: 8, root: cp6.rootHash },
    });
    expectStatus(d, 422, 'LOG_INCONSISTENT');
    // …while the same checkpoint again is fine.
    expectStatus(
      decideAddCheckpoint({ request: same, knownLogs: known, lastCosigned: { size: 8, root: cp8.rootHash } }),
      200,
    );
  });
  it('200 from old size 0 with the empty proof', () => {
    const d = decideAddCheckpoint({
      request: { oldSize: 0, proof: [], checkpointNote: e2e.checkpoint_size6 },
      knownLogs: known,
      lastCosigned: undefined,
    });
    expectStatus(d, 200);
  });
});

describe('a witness never cosigns two inconsistent checkpoints of one log', () => {
  const origin = 'custos.test/log';
  const signer = createNoteSigner(origin, new Uint8Array(32).fill(42));
  const logs = new Map([
    [origin, createNoteVerifier(origin, createCosigner('k', new Uint8Array(32).fill(42)).publicKey)],
  ]);
  const build = (prefix: string, n: number) => {
    const leaves = Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`${prefix}${i}`)));
    const stored = appendLeaves(0, [], leaves).storedHashes.map((s) => s.hash);
    const reader: HashReader = { readHashes: (ix) => ix.map((i) => stored[i]!) };
    return { leaves, reader };
  };
  const note = (root: Uint8Array, size: number): string => {
    const cp: Checkpoint = { origin, size, rootHash: root, extensions: [] };
    return signCheckpoint(cp, [signer]);
  };

  it('follows the honest tree and refuses the fork at every step', async () => {
    const honest = build('a', 40);
    // The fork shares the first 5 leaves, then diverges (so it is inconsistent with size 10).
    const fork = build('a', 5);
    const forkLeaves = [
      ...fork.leaves,
      ...Array.from({ length: 35 }, (_, i) => leafHash(Uint8Array.of(9, i))),
    ];
    const forkStored = appendLeaves(0, [], forkLeaves).storedHashes.map((s) => s.hash);
    const forkReader: HashReader = { readHashes: (ix) => ix.map((i) => forkStored[i]!) };
    const rootOf = (leaves: Uint8Array[], n: number) => appendLeaves(0, [], leaves.slice(0, n)).root;

    let state: WitnessState | undefined;
    const cosigned: WitnessState[] = [];
    const submit = async (reader: HashReader, leaves: Uint8Array[], size: number) => {
      const oldSize = state?.size ?? 0;
      const proof = oldSize <= size ? await proveConsistency(oldSize, size, reader) : [];
      const d = decideAddCheckpoint({
        request: formatAddCheckpointRequest({
          oldSize,
          proof,
          checkpointNote: note(rootOf(leaves, size), size),
        }),
        knownLogs: logs,
        lastCosigned: state,
      });
      if (d.status === 200) {
        state = d.newState;
        cosigned.push(d.newState);
      }
      return d.status;
    };

    expect(await submit(honest.reader, honest.leaves, 10)).toBe(200);
    expect(await submit(forkReader, forkLeaves, 20)).toBe(422);
    expect(await submit(honest.reader, honest.leaves, 20)).toBe(200);
    expect(await submit(forkReader, forkLeaves, 20)).toBe(422);
    expect(await submit(forkReader, forkLeaves, 30)).toBe(422);
    expect(await submit(honest.reader, honest.leaves, 15)).toBe(400);
    expect(await submit(honest.reader, honest.leaves, 40)).toBe(200);
    expect(cosigned.map((s) => s.size)).toEqual([10, 20, 40]);
    expect(state?.root).toEqual(rootOf(honest.leaves, 40));
    // Replaying an old request against the new state is a 409, never a rollback.
    const stale = decideAddCheckpoint({
      request: formatAddCheckpointRequest({
        oldSize: 10,
        proof: await proveConsistency(10, 20, honest.reader),
        checkpointNote: note(rootOf(honest.leaves, 20), 20),
      }),
      knownLogs: logs,
      lastCosigned: state,
    });
    expect(stale.status).toBe(409);
  });
});
