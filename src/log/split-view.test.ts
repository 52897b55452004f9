import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from './checkpoint.js';
import { encodeUtf8 } from './encoding.js';
// Through the log's door, as the federation code and the CLI use it.
import {
  advanceCheckpoint,
  type CheckpointAdvance,
  detectSplitView,
  formatSplitViewEvidence,
  parseSplitViewEvidence,
  SPLIT_VIEW_EVIDENCE_TYPE,
  type SplitViewCheck,
  type SplitViewVerdict,
  verifySplitViewEvidence,
} from './index.js';
import { createNoteSigner, parseNoteVerifier } from './note.js';
import { createMemoryLog, type MemoryLog } from './testdata/memory-log.js';
import { consistencyProofRoots, verifyConsistency } from './verify.js';

const ORIGIN = 'custos.test/regional';
const entry = (i: number, branch = 'honest') => encodeUtf8(`${branch} entry ${i}`);

/** An honest log of `n` entries, and a fork signed with the same key that diverges at `forkAt`. */
function honestAndFork(n: number, forkAt: number, forkSize: number): { honest: MemoryLog; fork: MemoryLog } {
  const honest = createMemoryLog(ORIGIN, 7);
  const fork = createMemoryLog(ORIGIN, 7);
  for (let i = 0; i < n; i++) honest.append(entry(i));
  for (let i = 0; i < forkSize; i++) fork.append(entry(i, i < forkAt ? 'honest' : 'forked'));
  return { honest, fork };
}

describe('consistencyProofRoots', () => {
  it('gives the two roots an honest proof leads to', async () => {
    const { honest } = honestAndFork(21, 0, 0);
    for (const m of [1, 3, 5, 8, 13, 16, 20]) {
      const proof = await honest.consistency(m, 21);
      const first = [1, 8, 16].includes(m) ? await honest.root(m) : undefined;
      const roots = consistencyProofRoots(m, 21, proof, first);
      expect(roots?.oldRoot).toEqual(await honest.root(m));
      expect(roots?.newRoot).toEqual(await honest.root(21));
    }
  });
  it('has no answer for trivial or malformed inputs', () => {
    expect(consistencyProofRoots(0, 4, [])).toBeUndefined();
    expect(consistencyProofRoots(4, 4, [])).toBeUndefined();
    expect(consistencyProofRoots(4, 8, [])).toBeUndefined(); // a power of two without its first hash
    expect(consistencyProofRoots(3, 8, [new Uint8Array(31)])).toBeUndefined();
  });
});

describe('detectSplitView', () => {
  it('same size, different roots: the notes alone are evidence anyone can re-check', async () => {
    const { honest, fork } = honestAndFork(10, 6, 10);
    const v: SplitViewVerdict = detectSplitView(
      await honest.checkpoint(),
      await fork.checkpoint(),
      honest.vkey,
    );
    expect(v.kind).toBe('equivocation');
    if (v.kind !== 'equivocation') return;
    expect(v.evidence.proof).toBeUndefined();
    const text = formatSplitViewEvidence(v.evidence);
    expect(JSON.parse(text).type).toBe(SPLIT_VIEW_EVIDENCE_TYPE);
    const checked: SplitViewCheck = verifySplitViewEvidence(text, honest.vkey);
    expect(checked).toMatchObject({ ok: true, origin: ORIGIN, sizes: [10, 10] });
  });

  it('different sizes: a proof that rebuilds the larger root but not the smaller is evidence', async () => {
    const { honest, fork } = honestAndFork(20, 4, 11);
    const proof = await honest.consistency(11, 20);
    const v = detectSplitView(await fork.checkpoint(), await honest.checkpoint(), honest.vkey, proof);
    expect(v.kind).toBe('equivocation');
    if (v.kind !== 'equivocation') return;
    const parsed = parseSplitViewEvidence(formatSplitViewEvidence(v.evidence));
    expect(parsed).toEqual(v.evidence);
    expect(verifySplitViewEvidence(parsed, parseNoteVerifier(honest.vkey)).ok).toBe(true);
  });

  it('a power-of-two smaller size needs the larger tree hash of its first leaves', async () => {
    const { honest, fork } = honestAndFork(20, 4, 8);
    const proof = await honest.consistency(8, 20);
    const small = await fork.checkpoint();
    const large = await honest.checkpoint();
    expect(detectSplitView(small, large, honest.vkey, proof).kind).toBe('undecided');
    const firstHash = await honest.root(8);
    const v = detectSplitView(small, large, honest.vkey, { proof, firstHash });
    expect(v.kind).toBe('equivocation');
    if (v.kind === 'equivocation') {
      expect(v.evidence.firstHash).toEqual(firstHash);
      expect(verifySplitViewEvidence(formatSplitViewEvidence(v.evidence), honest.vkey).ok).toBe(true);
    }
  });

  it('a proof that does not lead to the larger root proves nothing', async () => {
    const { honest, fork } = honestAndFork(20, 4, 11);
    const garbage = (await honest.consistency(11, 20)).map((h) => h.map((b) => b ^ 1));
    const v = detectSplitView(await fork.checkpoint(), await honest.checkpoint(), honest.vkey, garbage);
    expect(v.kind).toBe('undecided');
    // Hand-made "evidence" with that proof is refused offline.
    const forged = formatSplitViewEvidence({
      origin: ORIGIN,
      checkpoints: [await fork.checkpoint(), await honest.checkpoint()],
      proof: garbage,
    });
    expect(verifySplitViewEvidence(forged, honest.vkey)).toMatchObject({
      ok: false,
      code: 'LOG_PROOF_INVALID',
    });
  });

  it('consistent checkpoints are not evidence; a note by another key is not the log', async () => {
    const { honest } = honestAndFork(20, 0, 0);
    const proof = await honest.consistency(11, 20);
    const [a, b] = [await honest.checkpoint(11), await honest.checkpoint(20)];
    expect(detectSplitView(a, b, honest.vkey, proof).kind).toBe('consistent');
    expect(detectSplitView(b, a, honest.vkey, proof).kind).toBe('consistent');
    expect(detectSplitView(a, b, honest.vkey).kind).toBe('undecided');
    const ev = formatSplitViewEvidence({ origin: ORIGIN, checkpoints: [a, b], proof });
    expect(verifySplitViewEvidence(ev, honest.vkey)).toMatchObject({ ok: false, code: 'LOG_PROOF_INVALID' });

    const stranger = createNoteSigner(ORIGIN, new Uint8Array(32).fill(9));
    const impostor = await honest.checkpoint(20, stranger);
    const forgedSame = signCheckpoint(
      { origin: ORIGIN, size: 20, rootHash: new Uint8Array(32).fill(1), extensions: [] },
      [stranger],
    );
    expect(detectSplitView(b, forgedSame, honest.vkey).kind).toBe('unsigned');
    const ev2 = formatSplitViewEvidence({ origin: ORIGIN, checkpoints: [b, forgedSame] });
    expect(verifySplitViewEvidence(ev2, honest.vkey)).toMatchObject({
      ok: false,
      code: 'LOG_SIGNATURE_INVALID',
    });
    expect(verifySplitViewEvidence(ev2, createMemoryLog('other.log', 7).vkey)).toMatchObject({
      ok: false,
      code: 'LOG_UNKNOWN_ORIGIN',
    });
    expect(advanceCheckpoint(b, impostor, honest.vkey).kind).toBe('unsigned');
  });

  it('refuses malformed evidence with LOG_MALFORMED, never throwing', () => {
    for (const bad of ['', '{', '[]', '{"type":"x"}', '{"type":"custos/split-view@v1","origin":"o"}']) {
      expect(verifySplitViewEvidence(bad, createMemoryLog(ORIGIN, 7).vkey)).toMatchObject({
        ok: false,
        code: 'LOG_MALFORMED',
      });
    }
  });

  it('property: every fork is caught with the honest proof, every honest pair is consistent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 0, max: 39 }),
        fc.integer({ min: 1, max: 40 }),
        async (n, forkAtRaw, mRaw) => {
          const m = 1 + (mRaw % (n - 1)); // 1 ≤ m < n
          const forkAt = forkAtRaw % m; // the fork differs within its first m leaves
          const { honest, fork } = honestAndFork(n, forkAt, m);
          const proof = await honest.consistency(m, n);
          const firstHash = await honest.root(m);
          const large = await honest.checkpoint();
          const split = detectSplitView(await fork.checkpoint(), large, honest.vkey, { proof, firstHash });
          expect(split.kind).toBe('equivocation');
          if (split.kind === 'equivocation')
            expect(verifySplitViewEvidence(formatSplitViewEvidence(split.evidence), honest.vkey).ok).toBe(
              true,
            );
          const ok = detectSplitView(await honest.checkpoint(m), large, honest.vkey, { proof, firstHash });
          expect(ok.kind).toBe('consistent');
          expect(verifyConsistency(m, n, proof, firstHash, await honest.root(n))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('advanceCheckpoint (checkpoint bookkeeping)', () => {
  it('keeps the larger of two consistent checkpoints, whatever the order they arrive in', async () => {
    const { honest } = honestAndFork(30, 0, 0);
    const c12 = await honest.checkpoint(12);
    const c30 = await honest.checkpoint(30);
    const first = advanceCheckpoint(undefined, c12, honest.vkey);
    expect(first).toMatchObject({ kind: 'consistent', latest: c12 });
    const proof = await honest.consistency(12, 30);
    expect(advanceCheckpoint(c12, c30, honest.vkey, proof)).toMatchObject({
      kind: 'consistent',
      latest: c30,
    });
    // An older checkpoint arriving late is consistent and does not replace the newer one.
    expect(advanceCheckpoint(c30, c12, honest.vkey, proof)).toMatchObject({
      kind: 'consistent',
      latest: c30,
    });
    expect(advanceCheckpoint(c30, c30, honest.vkey)).toMatchObject({ kind: 'consistent', latest: c30 });
    expect(advanceCheckpoint(c12, c30, honest.vkey).kind).toBe('undecided');
  });

  it('answers split-view with evidence for a rewritten history', async () => {
    const { honest, fork } = honestAndFork(12, 5, 30);
    const seen = await honest.checkpoint();
    const rewritten = await fork.checkpoint();
    // The forked log serves the proof of its own tree: it cannot lead to the root seen before.
    const proof = await fork.consistency(12, 30);
    const r: CheckpointAdvance = advanceCheckpoint(seen, rewritten, honest.vkey, proof);
    expect(r.kind).toBe('split-view');
    if (r.kind === 'split-view') expect(verifySplitViewEvidence(r.evidence, honest.vkey).ok).toBe(true);
  });
});

describe('split-view evidence carrying the log key (decision 0043)', () => {
  it('a valid split verifies with the key the file carries, or the same key given', async () => {
    const { honest, fork } = honestAndFork(10, 6, 10);
    const v = detectSplitView(await honest.checkpoint(), await fork.checkpoint(), honest.vkey);
    if (v.kind !== 'equivocation') return expect.fail(v.kind);
    const text = formatSplitViewEvidence({ ...v.evidence, logKey: honest.vkey });
    expect(parseSplitViewEvidence(text).logKey).toBe(honest.vkey);
    expect(verifySplitViewEvidence(text)).toMatchObject({ ok: true, origin: ORIGIN, sizes: [10, 10] });
    expect(verifySplitViewEvidence(text, honest.vkey)).toMatchObject({ ok: true });
  });

  it('a consistent pair is not a split view, whatever key it carries', async () => {
    const { honest } = honestAndFork(20, 0, 0);
    const proof = await honest.consistency(11, 20);
    const text = formatSplitViewEvidence({
      origin: ORIGIN,
      checkpoints: [await honest.checkpoint(11), await honest.checkpoint(20)],
      proof,
      logKey: honest.vkey,
    });
    expect(verifySplitViewEvidence(text)).toMatchObject({ ok: false, code: 'LOG_PROOF_INVALID' });
  });

  it('a bad signature: a note the log key did not sign is refused', async () => {
    const { honest } = honestAndFork(10, 0, 0);
    const good = await honest.checkpoint();
    // One byte of the signature changed: same origin and key id, no longer the log's word.
    const lines = good.split('\n');
    const sigLine = lines.findIndex((l) => l.startsWith('\u2014 '));
    const sig = lines[sigLine] as string;
    const flipped = `${sig.slice(0, -3)}${sig.at(-3) === 'A' ? 'B' : 'A'}${sig.slice(-2)}`;
    lines[sigLine] = flipped;
    const bad = lines.join('\n');
    const forgedRoot = signCheckpoint(
      { origin: ORIGIN, size: 10, rootHash: new Uint8Array(32).fill(3), extensions: [] },
      [createNoteSigner(ORIGIN, new Uint8Array(32).fill(9))],
    );
    for (const second of [bad, forgedRoot]) {
      const text = formatSplitViewEvidence({
        origin: ORIGIN,
        checkpoints: [good, second],
        logKey: honest.vkey,
      });
      expect(verifySplitViewEvidence(text)).toMatchObject({ ok: false, code: 'LOG_SIGNATURE_INVALID' });
    }
  });

  it('the wrong key: another key of the same origin, a file naming another key, or no key at all', async () => {
    const { honest, fork } = honestAndFork(10, 6, 10);
    const v = detectSplitView(await honest.checkpoint(), await fork.checkpoint(), honest.vkey);
    if (v.kind !== 'equivocation') return expect.fail(v.kind);
    const other = createMemoryLog(ORIGIN, 8).vkey;
    expect(other).not.toBe(honest.vkey);
    const plain = formatSplitViewEvidence(v.evidence);
    expect(verifySplitViewEvidence(plain, other)).toMatchObject({ ok: false, code: 'LOG_SIGNATURE_INVALID' });
    expect(verifySplitViewEvidence(plain)).toMatchObject({ ok: false, code: 'LOG_MALFORMED' });
    const lying = formatSplitViewEvidence({ ...v.evidence, logKey: other });
    expect(verifySplitViewEvidence(lying)).toMatchObject({ ok: false, code: 'LOG_SIGNATURE_INVALID' });
    const named = formatSplitViewEvidence({ ...v.evidence, logKey: honest.vkey });
    expect(verifySplitViewEvidence(named, parseNoteVerifier(other))).toMatchObject({
      ok: false,
      code: 'LOG_SIGNATURE_INVALID',
    });
  });
});
