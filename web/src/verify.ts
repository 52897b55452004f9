/**
 * Log verification in the browser with the very code the CLI uses (src/log; vite.config.ts points
 * its crypto port at @noble). Every function fetches what it needs from the documented log API and
 * returns what was checked, step by step, so a screen can show each step.
 */

import { verifyStatementSignature } from '../../src/domain/inspections/index.js';
import { computeKeyId, isKeyValidAt } from '../../src/domain/registry/index.js';
import {
  type Checkpoint,
  canonicalizeRecord,
  computeCommitment,
  decodeBase64,
  encodeBase64,
  formatKeyId,
  isLogError,
  type Leaf,
  leafHash,
  type NoteVerifier,
  openCheckpoint,
  openNote,
  type ProofVerification,
  parseLeaf,
  parseNote,
  parseNoteVerifier,
  parseProof,
  parseVerifier,
  tryDecodeBase64,
  verifyConsistency,
  verifyInclusion,
  verifyProof,
} from '../../src/log/index.js';
import type { SignedStatement } from './api/inspections.js';
import type { Reply } from './api/wire.js';
import { apiJson, apiText, isApiError, type RegisteredKey } from './api.js';
import { hasMessage, type MessageKey } from './i18n/I18nProvider.js';

/**
 * A sentence of a verification, said in the user's language: a catalogue key and its values. The
 * checks themselves are the CLI's; only what they are called is translated (issue 16 item 11).
 */
export interface Said {
  readonly key: MessageKey;
  readonly values?: Readonly<Record<string, string | number>>;
}

export interface Step {
  readonly label: Said;
  readonly ok: boolean;
  /** Why a step failed, as a sentence of the catalogue (a log error by its code, decision 0064). */
  readonly detail?: Said;
}

const said = (key: MessageKey, values?: Record<string, string | number>): Said =>
  values === undefined ? { key } : { key, values };

export interface SignatureLine {
  readonly name: string;
  readonly keyId: string;
  /**
   * 'log': the log key's signature (verified); 'witness': a configured witness's cosignature,
   * `verified` says whether it checked; 'other': a signature by a key this node does not list.
   */
  readonly role: 'log' | 'witness' | 'other';
  readonly verified?: boolean;
}

/** The witnesses this node lists (GET /log/witnesses) with their parsed verifier keys. */
export interface WitnessList {
  readonly quorum: number;
  readonly witnesses: readonly { url: string; vkey: string; verifier: NoteVerifier | undefined }[];
}

/** How the cosignatures of a checkpoint fared against the node's witness list. */
export interface WitnessSummary {
  readonly quorum: number;
  readonly configured: number;
  readonly verified: readonly string[];
  readonly ok: boolean;
  /** One plain sentence for the screen. */
  readonly text: Said;
}

export interface VerifiedCheckpoint {
  readonly note: string;
  readonly checkpoint: Checkpoint;
  readonly root: string;
  readonly signatures: SignatureLine[];
  readonly witnesses: WitnessSummary;
}

const NO_WITNESSES: WitnessList = { quorum: 0, witnesses: [] };

export async function fetchWitnesses(): Promise<WitnessList> {
  const r = await apiJson<Reply<'/log/witnesses', 'get'>>('/log/witnesses');
  return {
    quorum: r.quorum,
    witnesses: r.witnesses.map((w) => {
      let verifier: NoteVerifier | undefined;
      try {
        verifier = parseVerifier(w.vkey);
      } catch {
        verifier = undefined;
      }
      return { ...w, verifier };
    }),
  };
}

function witnessVerifiers(list: WitnessList): NoteVerifier[] {
  return list.witnesses.flatMap((w) => (w.verifier ? [w.verifier] : []));
}

export function summariseWitnesses(list: WitnessList, verified: readonly string[]): WitnessSummary {
  const configured = list.witnesses.length;
  const ok = verified.length >= list.quorum;
  const counts = { verified: verified.length, configured, quorum: list.quorum };
  const text =
    configured === 0
      ? said('verify.witnessesNone')
      : verified.length > 0
        ? said('verify.witnessesNamed', { ...counts, names: verified.join(', ') })
        : said('verify.witnessesCount', counts);
  return { quorum: list.quorum, configured, verified, ok, text };
}

/** Whether `w` cosigned `note`: a cosignature that is present but does not verify counts as not. */
function cosigned(note: string, w: NoteVerifier): boolean {
  try {
    return openNote(note, [w]).sigs.some((s) => s.verified && s.name === w.name && s.keyId === w.keyId);
  } catch {
    return false;
  }
}

/** One row of the checkpoint history (GET /api/log/checkpoints). */
export type LogCheckpointRow = Reply<'/api/log/checkpoints', 'get'>[number];
type LogEntry = Reply<'/log/entries/{index}', 'get'>;

/**
 * Why a check threw, as a sentence of the catalogue: a log error (or an API refusal) by its code,
 * anything else by one sentence — never the exception's English text (decision 0064).
 */
function failureOf(e: unknown): Said {
  return failureOfCode(isLogError(e) || isApiError(e) ? e.code : undefined);
}

/** A log or API code as its catalogue sentence (a receipt's failing check names one). */
function failureOfCode(code: string | undefined): Said {
  const key = `error.${code}`;
  return code !== undefined && hasMessage(key) ? said(key) : said('failure.unexpected');
}

export async function fetchLogKey(): Promise<string> {
  return (await apiText('/log/key')).trim();
}

export function verifierOf(vkey: string): NoteVerifier {
  return parseNoteVerifier(vkey.trim());
}

/**
 * Opens a checkpoint note with the log key (throws LogError when that signature is not valid) and
 * checks each listed witness's cosignature on it.
 */
export function openLogCheckpoint(
  note: string,
  verifier: NoteVerifier,
  witnesses: WitnessList = NO_WITNESSES,
): VerifiedCheckpoint {
  const opened = openCheckpoint(note, verifier);
  const parsed = parseNote(note);
  const listed = witnessVerifiers(witnesses);
  const verifiedNames: string[] = [];
  const signatures = parsed.signatures.map((s): SignatureLine => {
    const line = { name: s.name, keyId: formatKeyId(s.keyId) };
    if (s.name === verifier.name && s.keyId === verifier.keyId) return { ...line, role: 'log' };
    const w = listed.find((v) => v.name === s.name && v.keyId === s.keyId);
    if (!w) return { ...line, role: 'other' };
    const ok = cosigned(note, w);
    if (ok) verifiedNames.push(s.name);
    return { ...line, role: 'witness', verified: ok };
  });
  return {
    note,
    checkpoint: opened.checkpoint,
    root: encodeBase64(opened.checkpoint.rootHash),
    signatures,
    witnesses: summariseWitnesses(witnesses, verifiedNames),
  };
}

export async function fetchCurrentCheckpoint(
  verifier: NoteVerifier,
  witnesses?: WitnessList,
): Promise<VerifiedCheckpoint> {
  const [note, list] = await Promise.all([apiText('/log/checkpoint'), witnesses ?? fetchWitnesses()]);
  return openLogCheckpoint(note, verifier, list);
}

export async function fetchCheckpointHistory(limit = 200): Promise<LogCheckpointRow[]> {
  return apiJson<LogCheckpointRow[]>(`/api/log/checkpoints?limit=${limit}`);
}

export interface EntryCheck {
  readonly index: number;
  readonly size: number;
  readonly leaf: Leaf | undefined;
  readonly leafError?: Said;
  readonly steps: Step[];
  readonly ok: boolean;
}

/** Fetches entry `index`, its inclusion proof in `cp`, and verifies it against the signed root. */
export async function checkEntry(index: number, cp: VerifiedCheckpoint): Promise<EntryCheck> {
  const size = cp.checkpoint.size;
  const steps: Step[] = [{ label: said('verify.cpSigned', { size: String(size) }), ok: true }];
  const { entry } = await apiJson<LogEntry>(`/log/entries/${index}`);
  const bytes = decodeBase64(entry, 'entry');
  let leaf: Leaf | undefined;
  let leafError: Said | undefined;
  try {
    leaf = parseLeaf(bytes);
  } catch (e) {
    leafError = failureOf(e);
  }
  steps.push({
    label: said('verify.leafWellFormed'),
    ok: leaf !== undefined,
    detail: leafError,
  });
  const proof = await apiJson<Reply<'/log/proof/inclusion', 'get'>>(
    `/log/proof/inclusion?index=${index}&size=${size}`,
  );
  const hashes = proof.hashes.map((h) => decodeBase64(h, 'proof hash'));
  const included = verifyInclusion(leafHash(bytes), index, size, hashes, cp.checkpoint.rootHash);
  steps.push({
    label: said('verify.inclusionProof', { count: hashes.length }),
    ok: included,
  });
  return {
    index,
    size,
    leaf,
    ...(leafError === undefined ? {} : { leafError }),
    steps,
    ok: steps.every((s) => s.ok),
  };
}

export interface ConsistencyCheck {
  readonly from: VerifiedCheckpoint | undefined;
  readonly to: VerifiedCheckpoint | undefined;
  readonly steps: Step[];
  readonly ok: boolean;
}

async function fetchCheckpointOfSize(size: number): Promise<string> {
  return apiText(`/api/log/checkpoints/${size}`);
}

/** Are two published checkpoints views of one append-only log? Both signatures, then the proof. */
export async function checkConsistency(
  fromSize: number,
  toSize: number,
  verifier: NoteVerifier,
): Promise<ConsistencyCheck> {
  const steps: Step[] = [];
  const open = async (size: number): Promise<VerifiedCheckpoint | undefined> => {
    try {
      const cp = openLogCheckpoint(await fetchCheckpointOfSize(size), verifier);
      const sameSize = cp.checkpoint.size === size;
      steps.push({ label: said('verify.cpSigned', { size: String(size) }), ok: sameSize });
      return sameSize ? cp : undefined;
    } catch (e) {
      steps.push({
        label: said('verify.cpSigned', { size: String(size) }),
        ok: false,
        detail: failureOf(e),
      });
      return undefined;
    }
  };
  const from = await open(fromSize);
  const to = await open(toSize);
  if (from && to) {
    const proof = await apiJson<Reply<'/log/proof/consistency', 'get'>>(
      `/log/proof/consistency?from=${fromSize}&to=${toSize}`,
    );
    const hashes = proof.hashes.map((h) => decodeBase64(h, 'proof hash'));
    const ok = verifyConsistency(fromSize, toSize, hashes, from.checkpoint.rootHash, to.checkpoint.rootHash);
    steps.push({
      label: said('verify.consistencyProof', {
        count: hashes.length,
        to: String(toSize),
        from: String(fromSize),
      }),
      ok,
    });
  }
  return { from, to, steps, ok: steps.length === 3 && steps.every((s) => s.ok) };
}

export interface ReceiptCheck {
  readonly index: number | undefined;
  readonly leaf: Leaf | undefined;
  readonly result: ProofVerification | undefined;
  readonly steps: Step[];
  readonly ok: boolean;
  /** Cosignatures against the node's witness list (undefined when the receipt did not parse). */
  readonly witnesses?: WitnessSummary;
}

/**
 * Verifies a C2SP tlog-proof receipt: the leaf it names is fetched from the log, then the shared
 * verifyProof checks the log signature, the inclusion proof and any known witnesses' cosignatures.
 */
export async function checkReceipt(
  receipt: string,
  verifier: NoteVerifier,
  witnessList?: WitnessList,
): Promise<ReceiptCheck> {
  const list = witnessList ?? (await fetchWitnesses());
  const witnesses = witnessVerifiers(list);
  let index: number;
  try {
    index = parseProof(receipt).index;
  } catch (e) {
    return {
      index: undefined,
      leaf: undefined,
      result: undefined,
      steps: [{ label: said('verify.receiptFormat'), ok: false, detail: failureOf(e) }],
      ok: false,
    };
  }
  const { entry } = await apiJson<LogEntry>(`/log/entries/${index}`);
  const bytes = decodeBase64(entry, 'entry');
  let leaf: Leaf | undefined;
  try {
    leaf = parseLeaf(bytes);
  } catch {
    leaf = undefined;
  }
  const result = verifyProof(receipt, bytes, verifier, { witnesses, quorum: list.quorum });
  const steps: Step[] = [
    { label: said('verify.receiptFormat'), ok: true },
    {
      label: said('verify.cpSignature'),
      ok: result.logSignatureVerified,
      detail: result.logSignatureVerified ? undefined : failureOfCode(result.code),
    },
    {
      label: result.checkpoint
        ? said('verify.inclusionOfSize', { index: String(index), size: String(result.checkpoint.size) })
        : said('verify.inclusionOf', { index: String(index) }),
      ok: result.inclusionVerified,
      detail: result.inclusionVerified ? undefined : failureOfCode(result.code),
    },
    ...result.witnesses.map((w) => ({
      label: said('verify.witnessCosignature', { name: w.name }),
      ok: w.verified,
      detail: w.verified ? undefined : said('verify.witnessCosignatureBad'),
    })),
  ];
  const summary = summariseWitnesses(
    list,
    result.witnesses.filter((w) => w.verified).map((w) => w.name),
  );
  if (list.quorum > 0) {
    steps.push({
      label: said('verify.quorum', { verified: summary.verified.length, quorum: list.quorum }),
      ok: summary.ok,
    });
  }
  return { index, leaf, result, steps, ok: result.ok, witnesses: summary };
}

/** One entry of GET /api/inspections/:id/statements (the generated wire type). */
export type { SignedStatement } from './api/inspections.js';

export interface StatementCheck {
  readonly steps: Step[];
  /** The signature checks and, when the log record could be read, the log checks all passed. */
  readonly ok: boolean;
  /** Why the log part was not checked (no log record, or not readable by this user). */
  readonly logNote?: Said;
  readonly logIndex?: number;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Re-verifies a signed inspection statement here, with the code `custos inspection
 * verify-statement` runs (verifyStatementSignature over the RFC 8785 bytes), against the
 * organisation's key as registered (GET /api/organisations/:id/keys), not the key the statement
 * list names. Then, when the statement is a log record: the record holds exactly this statement
 * and signature, the log entry commits to it (salted SHA-256), and its receipt verifies
 * (checkpoint signature, inclusion, witness cosignatures) as a report's receipt does.
 */
export async function checkStatement(
  s: SignedStatement,
  keys: readonly RegisteredKey[],
  verifier: NoteVerifier,
  witnessList?: WitnessList,
): Promise<StatementCheck> {
  const steps: Step[] = [];
  const key = keys.find((k) => k.id === s.keyId);
  const raw = key === undefined ? undefined : tryDecodeBase64(key.publicKey);
  const registered =
    key !== undefined &&
    key.organisation === s.organisation &&
    raw?.length === 32 &&
    computeKeyId(raw) === s.keyId;
  steps.push({
    label: said('verify.keyRegistered', { keyId: s.keyId, organisation: s.organisation }),
    ok: registered,
    detail: registered ? undefined : said('verify.keyNotRegistered'),
  });
  if (!key || !registered) return { steps, ok: false };
  const valid = isKeyValidAt(key, s.receivedAt);
  steps.push({
    label: said('verify.keyValid', { at: s.receivedAt.replace('T', ' ').slice(0, 19) }),
    ok: valid,
    detail: valid
      ? undefined
      : key.revokedAt
        ? said('verify.keyRevoked', { at: key.revokedAt })
        : said('verify.keyOutsideValidity'),
  });
  const signed = verifyStatementSignature(s.statement, s.signature, key.publicKey);
  steps.push({
    label: said('verify.statementSignature'),
    ok: signed,
    detail: signed ? undefined : said('verify.statementSignatureBad'),
  });
  const signatureOk = valid && signed;
  if (s.logIndex === null) return { steps, ok: signatureOk, logNote: said('verify.noLogRecord') };

  const id = `inspection-statement:${s.inspection}:${s.organisation}`;
  let record: { salt: string; content: unknown; receiptUrl: string; logIndex: number; leafId?: string };
  try {
    record = await apiJson(`/api/records/${encodeURIComponent(id)}`);
  } catch (e) {
    if (isApiError(e) && (e.status === 403 || e.status === 404)) {
      return { steps, ok: signatureOk, logNote: said('verify.logRecordHidden') };
    }
    throw e;
  }
  const content = record.content as { statement?: unknown; signature?: unknown; keyId?: unknown };
  const same =
    content.statement !== undefined &&
    bytesEqual(canonicalizeRecord(content.statement), canonicalizeRecord(s.statement)) &&
    content.signature === s.signature &&
    content.keyId === s.keyId;
  steps.push({
    label: said('verify.recordHolds', { id }),
    ok: same,
    detail: same ? undefined : said('verify.recordDiffers'),
  });
  const { entry } = await apiJson<LogEntry>(`/log/entries/${record.logIndex}`);
  let committed = false;
  let detail: Said | undefined;
  try {
    const leaf = parseLeaf(decodeBase64(entry, 'entry'));
    const commitment = computeCommitment(
      decodeBase64(record.salt, 'salt'),
      canonicalizeRecord(record.content),
    );
    // A leaf of form v1 names the record; one of form v2 carries the opaque id stored with it
    // (decision 0021).
    const named = leaf.v === 1 ? leaf.id === id : leaf.id === record.leafId;
    committed = named && bytesEqual(leaf.commitment, commitment);
    if (!committed)
      detail = named ? said('verify.commitmentDiffers') : said('verify.entryIs', { id: leaf.id });
  } catch (e) {
    detail = failureOf(e);
  }
  steps.push({
    label: said('verify.entryCommits', { index: String(record.logIndex) }),
    ok: committed,
    detail,
  });
  const receipt = await checkReceipt(await apiText(record.receiptUrl), verifier, witnessList);
  steps.push(...receipt.steps);
  return {
    steps,
    ok: signatureOk && same && committed && receipt.ok && receipt.index === record.logIndex,
    logIndex: record.logIndex,
  };
}
