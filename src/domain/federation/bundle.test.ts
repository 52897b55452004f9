import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  encodeBase64,
  formatLegacyLeaf,
  formatProof,
  leafHash,
  parseProof,
  verifySplitViewEvidence,
} from '../../log/index.js';
import { createMemoryLog } from '../../log/testdata/memory-log.js';
import { createSourceLog, STATE_KEY_ID, stateKeys } from './bundle.test-support.js';
// Through the door, as fed-core's receiver and the CLI use it.
import {
  BUNDLE_REFUSAL_CODES,
  BUNDLE_REFUSAL_ERROR,
  type Bundle,
  type BundleOriginal,
  type BundleRecord,
  type BundleRefusalCode,
  type BundleVerification,
  formatBundle,
  type ReceivedContent,
  type StateKeyLookup,
  type VerifyBundleOptions,
  verifyBundle,
} from './index.js';

const BODY = '{"report":"ICR","lines":[1,2,3]}';

async function setup() {
  const src = createSourceLog();
  const key = src.append('key-registration', `key:${STATE_KEY_ID}`, {
    id: STATE_KEY_ID,
    organisation: 'xa-authority',
    publicKey: 'x',
    validFrom: '2026-01-01T00:00:00Z',
    validTo: null,
    revokedAt: null,
  });
  const report = src.appendReport('XA-M1:ICR:1', BODY);
  src.append('report', 'XA-M1:ICR:2', { id: 'other' });
  const options: VerifyBundleOptions = { sourceLogKey: src.log.vkey, stateKeyAt: stateKeys() };
  return { src, key, report, options, bundle: await src.bundle(report) };
}

const mutate = (b: Bundle, change: (o: Record<string, unknown>) => void): unknown => {
  const copy = JSON.parse(formatBundle(b)) as Record<string, unknown>;
  change(copy);
  return copy;
};

describe('verifyBundle', () => {
  it('maps every refusal code to one closed error code', () => {
    for (const code of BUNDLE_REFUSAL_CODES) expect(BUNDLE_REFUSAL_ERROR[code]).toMatch(/^[A-Z_]+$/);
  });

  it('accepts a bundle built from the source log and names what the receiver records', async () => {
    const { bundle, options, report } = await setup();
    const v: BundleVerification = verifyBundle(JSON.parse(formatBundle(bundle)), options);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const hash = encodeBase64(leafHash(report.leaf));
    expect(v.received).toEqual({ source: 'regional.test/log', index: report.index, leafHash: hash });
    expect(v.leafHash).toBe(hash);
    expect(v.checkpoint.size).toBe(3);
    expect(v.original?.keyId).toBe(STATE_KEY_ID);
    expect(new TextDecoder().decode(v.original?.bytes)).toBe(BODY);
  });

  it('passes the lookup the state, key id, leaf time and record', async () => {
    const { bundle, options } = await setup();
    const asked: [string, string, string, BundleRecord][] = [];
    const lookup = (state: string, keyId: string, time: string, record: BundleRecord): StateKeyLookup => {
      asked.push([state, keyId, time, record]);
      return options.stateKeyAt(state, keyId, time, record);
    };
    const v = verifyBundle(bundle, { ...options, stateKeyAt: lookup });
    expect(asked).toEqual([['XA', STATE_KEY_ID, '2026-12-01T10:00:00Z', bundle.record]]);
    const received: ReceivedContent | undefined = v.ok ? v.received : undefined;
    expect(received?.index).toBe(bundle.index);
    const original: BundleOriginal | undefined = bundle.original;
    expect(original?.signature.startsWith(`${STATE_KEY_ID}:`)).toBe(true);
    const code: BundleRefusalCode | undefined = v.ok ? undefined : v.code;
    expect(code).toBeUndefined();
  });

  it('accepts an unsigned kind without an original, and refuses an original there', async () => {
    const { src, key, options } = await setup();
    const b = await src.bundle(key);
    expect(verifyBundle(b, options).ok).toBe(true);
    const withOriginal = { ...b, original: { bytes: 'AA==', signature: `${STATE_KEY_ID}:AA==` } };
    expect(verifyBundle(withOriginal, options)).toMatchObject({ ok: false, code: 'BUNDLE_MALFORMED' });
  });

  it('checks the state signature first: missing, unknown key, key not valid, forged', async () => {
    const { bundle, options, src } = await setup();
    const { original: _o, ...bare } = bundle;
    expect(verifyBundle(bare, options)).toMatchObject({
      code: 'STATE_SIGNATURE_MISSING',
      errorCode: 'SIGNATURE_MISSING',
    });
    expect(verifyBundle(bundle, { ...options, stateKeyAt: () => undefined })).toMatchObject({
      code: 'STATE_KEY_UNKNOWN',
      errorCode: 'KEY_UNKNOWN',
    });
    expect(
      verifyBundle(bundle, { ...options, stateKeyAt: () => ({ refused: 'KEY_NOT_VALID' as const }) }),
    ).toMatchObject({ code: 'STATE_KEY_NOT_VALID', errorCode: 'KEY_NOT_VALID' });
    // Signed by another key that claims the registered key id.
    const forged = src.appendReport('XA-M1:ICR:9', BODY, new Uint8Array(32).fill(99));
    const fb = await src.bundle(forged);
    expect(verifyBundle(fb, options)).toMatchObject({
      code: 'STATE_SIGNATURE_INVALID',
      errorCode: 'SIGNATURE_INVALID',
    });
    // A bad signature wins over every later failure (the order of federation.md).
    const alsoBadInclusion = mutate(fb, (o) => {
      o.index = 0;
    });
    expect(verifyBundle(alsoBadInclusion, options)).toMatchObject({ code: 'STATE_SIGNATURE_INVALID' });
    const garbled = mutate(bundle, (o) => {
      (o.original as Record<string, unknown>).signature = 'not a signature';
    });
    expect(verifyBundle(garbled, options)).toMatchObject({ code: 'STATE_SIGNATURE_INVALID' });
  });

  it('refuses an original the record does not commit to, even when the state signed it', async () => {
    const { src, options } = await setup();
    const a = src.appendReport('XA-M1:ICR:3', BODY);
    const b = src.appendReport('XA-M1:ICR:4', `${BODY} `);
    // The state really signed b's bytes, but a's record commits to a's body.
    const swapped = { ...(await src.bundle(a)), original: b.original };
    expect(verifyBundle(swapped, options)).toMatchObject({ code: 'ORIGINAL_NOT_COMMITTED' });
  });

  it('refuses a record that does not hash to the leaf, and a wrong leaf', async () => {
    const { bundle, options, src, key } = await setup();
    const changed = mutate(bundle, (o) => {
      ((o.record as Record<string, unknown>).content as Record<string, unknown>).mba = 'XA-M2';
    });
    // The content's signature fields are intact, so the signature check passes first.
    expect(verifyBundle(changed, options)).toMatchObject({
      code: 'RECORD_NOT_COMMITTED',
      errorCode: 'LOG_PROOF_INVALID',
    });
    const otherSalt = mutate(bundle, (o) => {
      (o.record as Record<string, unknown>).salt = encodeBase64(new Uint8Array(32).fill(200));
    });
    expect(verifyBundle(otherSalt, options)).toMatchObject({ code: 'RECORD_NOT_COMMITTED' });
    // Another record's leaf, with its own valid inclusion proof.
    const keyBundle = await src.bundle(key);
    const wrongLeaf = { ...bundle, leaf: keyBundle.leaf, index: keyBundle.index, proof: keyBundle.proof };
    expect(verifyBundle(wrongLeaf, options)).toMatchObject({ code: 'RECORD_NOT_COMMITTED' });
  });

  it('refuses a bad inclusion proof', async () => {
    const { bundle, options } = await setup();
    const p = parseProof(bundle.proof);
    const flipped = formatProof({ ...p, proof: p.proof.map((h, i) => (i === 0 ? h.map((x) => x ^ 1) : h)) });
    expect(verifyBundle({ ...bundle, proof: flipped }, options)).toMatchObject({
      code: 'INCLUSION_INVALID',
      errorCode: 'LOG_PROOF_INVALID',
    });
    const otherIndex = formatProof({ ...p, index: 0 });
    expect(verifyBundle({ ...bundle, index: 0, proof: otherIndex }, options)).toMatchObject({
      code: 'INCLUSION_INVALID',
    });
    expect(verifyBundle({ ...bundle, index: 0 }, options)).toMatchObject({ code: 'INCLUSION_INVALID' });
  });

  it('refuses a checkpoint signed by another key, or of another origin', async () => {
    const { bundle, options } = await setup();
    const p = parseProof(bundle.proof);
    // The same tree signed by a stranger holding the origin's name.
    const impostor = createMemoryLog('regional.test/log', 77);
    const note = p.checkpointNote.split('\n\n')[0];
    const stranger = impostor.signer;
    const { signNote } = await import('../../log/note.js');
    const resigned = signNote(`${note}\n`, [stranger]);
    expect(
      verifyBundle({ ...bundle, proof: formatProof({ ...p, checkpointNote: resigned }) }, options),
    ).toMatchObject({ code: 'CHECKPOINT_SIGNATURE_INVALID', errorCode: 'LOG_SIGNATURE_INVALID' });
    expect(verifyBundle(bundle, { ...options, sourceLogKey: impostor.vkey })).toMatchObject({
      code: 'CHECKPOINT_SIGNATURE_INVALID',
    });
    expect(verifyBundle({ ...bundle, source: 'agency.test/log' }, options)).toMatchObject({
      code: 'CHECKPOINT_ORIGIN_MISMATCH',
      errorCode: 'LOG_UNKNOWN_ORIGIN',
    });
  });

  it('checks consistency with every checkpoint seen: consistent, unproven, split view with evidence', async () => {
    const { bundle, options, src } = await setup();
    const seenSmall = await src.log.checkpoint(1);
    const proof12 = await src.log.consistency(1, 3);
    const consistencyProof = (from: number, to: number) =>
      from === 1 && to === 3
        ? { proof: proof12, firstHash: decodeBase64(encodeBase64(new Uint8Array(32))) }
        : undefined;
    expect(
      verifyBundle(bundle, {
        ...options,
        seenCheckpoints: [seenSmall, await src.log.checkpoint(3)],
        consistencyProof,
      }).ok,
    ).toBe(true);
    expect(verifyBundle(bundle, { ...options, seenCheckpoints: [seenSmall] })).toMatchObject({
      code: 'CONSISTENCY_UNPROVEN',
    });
    // The source shows another party a rewritten history of the same size: a split view.
    const fork = createSourceLog('regional.test/log', 11);
    fork.append('report', 'forged', { rewritten: true });
    fork.append('report', 'forged-2', { rewritten: true });
    fork.append('report', 'forged-3', { rewritten: true });
    const seenFork = await fork.log.checkpoint(3);
    const v = verifyBundle(bundle, { ...options, seenCheckpoints: [seenFork] });
    expect(v).toMatchObject({ ok: false, code: 'SPLIT_VIEW', errorCode: 'LOG_INCONSISTENT' });
    if (!v.ok && v.evidence) expect(verifySplitViewEvidence(v.evidence, src.log.vkey).ok).toBe(true);
    else expect.fail('no evidence');
    // A larger rewritten checkpoint, with the proof its own (forked) tree gives.
    fork.append('report', 'forged-4', { rewritten: true });
    fork.append('report', 'forged-5', { rewritten: true });
    const forkProof = await fork.log.consistency(3, 5);
    const v2 = verifyBundle(bundle, {
      ...options,
      seenCheckpoints: [await fork.log.checkpoint(5)],
      consistencyProof: () => forkProof,
    });
    expect(v2).toMatchObject({ ok: false, code: 'SPLIT_VIEW' });
  });

  it('reads a leaf of form v1 by record id and kind', async () => {
    const log = createMemoryLog('old.test/log', 5);
    const salt = new Uint8Array(32).fill(3);
    const content = { id: 'agreement:1', title: 'CSA' };
    const { canonicalizeRecord, computeCommitment } = await import('../../log/index.js');
    const leaf = formatLegacyLeaf({
      kind: 'agreement',
      id: 'agreement:1',
      time: '2025-01-01T00:00:00Z',
      commitment: computeCommitment(salt, canonicalizeRecord(content)),
    });
    log.append(leaf);
    const b: Bundle = {
      source: 'old.test/log',
      index: 0,
      leaf: encodeBase64(leaf),
      record: {
        kind: 'agreement',
        id: 'agreement:1',
        leafId: 'agreement:1',
        content,
        salt: encodeBase64(salt),
      },
      proof: formatProof({ index: 0, proof: await log.inclusion(0), checkpointNote: await log.checkpoint() }),
    };
    const options = { sourceLogKey: log.vkey, stateKeyAt: stateKeys() };
    expect(verifyBundle(b, options).ok).toBe(true);
    expect(verifyBundle({ ...b, record: { ...b.record, kind: 'case-message' } }, options)).toMatchObject({
      code: 'RECORD_NOT_COMMITTED',
    });
  });

  it('never throws on hostile input: malformed bundles are BUNDLE_MALFORMED', async () => {
    const { bundle, options } = await setup();
    for (const bad of [
      null,
      1,
      'x',
      [],
      {},
      { ...bundle, extra: 1 },
      { ...bundle, index: -1 },
      { ...bundle, leaf: '!' },
    ]) {
      expect(verifyBundle(bad, options)).toMatchObject({
        ok: false,
        code: 'BUNDLE_MALFORMED',
        errorCode: 'LOG_MALFORMED',
      });
    }
    const json = JSON.parse(formatBundle(bundle)) as Record<string, unknown>;
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(json), 'record.content', 'record.salt', 'original.bytes'),
        fc.anything(),
        (path, value) => {
          const copy = JSON.parse(JSON.stringify(json)) as Record<string, Record<string, unknown>>;
          const [head, tail] = path.split('.') as [string, string | undefined];
          if (tail === undefined) (copy as Record<string, unknown>)[head] = value;
          else if (copy[head]) copy[head][tail] = value;
          const v = verifyBundle(copy, options);
          expect(typeof v.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});
