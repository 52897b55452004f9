/**
 * C2SP tlog-proof (c2sp.org/tlog-proof@v1): a self-contained receipt.
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]
 *   index <decimal, no leading zeros>
 *   <base64 inclusion proof hash, leaf's sibling first>…
 *   <empty line>
 *   <the cosigned checkpoint note, verbatim>
 */
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { cosignatureTimestamp } from './cosignature.js';
import { decodeUtf8, encodeBase64, parseDecimal, tryDecodeBase64 } from './encoding.js';
import { LogError, type LogErrorCode } from './errors.js';
import { HASH_SIZE, leafHash } from './hashing.js';
import { type NoteVerifier, openNote } from './note.js';
import { verifyInclusion } from './verify.js';

const HEADER = 'c2sp.org/tlog-proof@v1';
const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  readonly extra?: Uint8Array;
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  readonly checkpointNote: string;
}

export function formatProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0)
    throw new LogError('LOG_RANGE', 'index is not a valid index');
  let out = `${HEADER}\n`;
  if (p.extra !== undefined) out += `extra ${encodeBase64(p.extra)}\n`;
  out += `index ${p.index}\n`;
  for (const h of p.proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'proof hash is not 32 bytes');
    out += `${encodeBase64(h)}\n`;
  }
  return `${out}\n${p.checkpointNote}`;
}

export function parseProof(input: string | Uint8Array): TlogProof {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (text.length > 1 << 20) throw new LogError('LOG_MALFORMED', 'proof too large');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new LogError('LOG_MALFORMED', 'proof has no checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const checkpointNote = text.slice(blank + 2);
  if (lines.shift() !== HEADER) throw new LogError('LOG_MALFORMED', `proof must start with ${HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    extra = tryDecodeBase64(lines.shift()!.slice(6));
    if (extra === undefined) throw new LogError('LOG_MALFORMED', 'extra is not base64');
  }
  const indexLine = lines.shift();
  const index = indexLine?.startsWith('index ') ? parseDecimal(indexLine.slice(6)) : undefined;
  if (index === undefined) throw new LogError('LOG_MALFORMED', 'missing or malformed index line');
  if (lines.length > MAX_PROOF_HASHES) throw new LogError('LOG_MALFORMED', 'inclusion proof too long');
  const proof = lines.map((l) => {
    const h = tryDecodeBase64(l);
    if (h === undefined || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'proof line is not base64 of 32 bytes');
    return h;
  });
  if (checkpointNote.length === 0) throw new LogError('LOG_MALFORMED', 'proof has no checkpoint');
  return extra === undefined ? { index, proof, checkpointNote } : { extra, index, proof, checkpointNote };
}

export interface ProofVerification {
  readonly ok: boolean;
  /** Why it failed (first failing check), absent when ok. */
  readonly code?: LogErrorCode;
  readonly message?: string;
  readonly index?: number;
  readonly checkpoint?: Checkpoint;
  readonly logSignatureVerified: boolean;
  readonly inclusionVerified: boolean;
  readonly witnesses: readonly { name: string; keyId: number; verified: boolean; timestamp?: number }[];
  readonly witnessesVerified: number;
  readonly quorum: number;
}

/**
 * Verifies a receipt: the log key signed the checkpoint, the leaf is included at `index`, and at
 * least `quorum` of the given witnesses cosigned it. A signature from a known key (log or
 * witness) that fails makes the receipt invalid, as signed-note requires. Never throws.
 */
export function verifyProof(
  proofText: string | Uint8Array,
  leafBytes: Uint8Array,
  logVerifier: NoteVerifier,
  options: { witnesses?: readonly NoteVerifier[]; quorum?: number; origin?: string } = {},
): ProofVerification {
  const witnesses = options.witnesses ?? [];
  const quorum = options.quorum ?? 0;
  const base = {
    logSignatureVerified: false,
    inclusionVerified: false,
    witnesses: [],
    witnessesVerified: 0,
    quorum,
  };
  const fail = (
    code: LogErrorCode,
    message: string,
    extra: Partial<ProofVerification> = {},
  ): ProofVerification => ({
    ...base,
    ...extra,
    ok: false,
    code,
    message,
  });
  let parsed: TlogProof;
  try {
    parsed = parseProof(proofText);
  } catch (e) {
    return fail('LOG_MALFORMED', e instanceof LogError ? e.message : 'malformed proof');
  }
  let opened: ReturnType<typeof openNote>;
  let checkpoint: Checkpoint;
  try {
    opened = openNote(parsed.checkpointNote, [logVerifier, ...witnesses]);
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    const code = e instanceof LogError ? e.code : 'LOG_MALFORMED';
    return fail(code, e instanceof LogError ? e.message : 'bad checkpoint', { index: parsed.index });
  }
  const logSignatureVerified = opened.sigs.some(
    (s) => s.verified && s.name === logVerifier.name && s.keyId === logVerifier.keyId,
  );
  const witnessResults = witnesses.map((w) => {
    const i = opened.sigs.findIndex((s) => s.name === w.name && s.keyId === w.keyId);
    const sig = i >= 0 ? opened.parsed.signatures[i] : undefined;
    const timestamp = sig === undefined ? undefined : cosignatureTimestamp(sig.signature);
    const verified = i >= 0 && opened.sigs[i]!.verified;
    return timestamp === undefined
      ? { name: w.name, keyId: w.keyId, verified }
      : { name: w.name, keyId: w.keyId, verified, timestamp };
  });
  const witnessesVerified = witnessResults.filter((w) => w.verified).length;
  const common = {
    index: parsed.index,
    checkpoint,
    logSignatureVerified,
    witnesses: witnessResults,
    witnessesVerified,
  };
  if (!logSignatureVerified)
    return fail('LOG_SIGNATURE_INVALID', 'checkpoint is not signed by the log key', common);
  const origin = options.origin ?? logVerifier.name;
  if (checkpoint.origin !== origin)
    return fail('LOG_UNKNOWN_ORIGIN', `checkpoint origin is not ${origin}`, common);
  const inclusionVerified =
    leafBytes instanceof Uint8Array &&
    verifyInclusion(leafHash(leafBytes), parsed.index, checkpoint.size, parsed.proof, checkpoint.rootHash);
  if (!inclusionVerified) return fail('LOG_PROOF_INVALID', 'inclusion proof does not verify', common);
  if (witnessesVerified < quorum) {
    return fail('LOG_SIGNATURE_INVALID', `${witnessesVerified} of ${quorum} required witness cosignatures`, {
      ...common,
      inclusionVerified,
    });
  }
  return { ...common, ok: true, inclusionVerified, quorum };
}
