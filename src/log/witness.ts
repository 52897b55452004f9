/**
 * C2SP tlog-witness add-checkpoint, pure: format/parse the request body and decide the answer.
 * Status codes are those of log.md (which differs from C2SP in one place: same size with a
 * different root is 422 there, 409 in C2SP). The caller persists newState atomically with the
 * check (compare-and-set on the last cosigned size) before it replies.
 */
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import type { Cosigner } from './cosignature.js';
import { bytesEqual, decodeUtf8, encodeBase64, parseDecimal, tryDecodeBase64 } from './encoding.js';
import { LogError, type LogErrorCode } from './errors.js';
import { emptyRoot, HASH_SIZE } from './hashing.js';
import { MAX_NOTE_BYTES, type NoteVerifier, openNote, parseNote } from './note.js';
import { verifyConsistency } from './verify.js';

/** C2SP: the client MUST NOT send more than 63 consistency proof lines. */
export const MAX_CONSISTENCY_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  readonly checkpointNote: string;
}

export function formatAddCheckpointRequest(req: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0)
    throw new LogError('LOG_RANGE', 'old size is not a valid size');
  if (req.proof.length > MAX_CONSISTENCY_PROOF_LINES)
    throw new LogError('LOG_RANGE', 'consistency proof too long');
  let out = `old ${req.oldSize}\n`;
  for (const h of req.proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'proof hash is not 32 bytes');
    out += `${encodeBase64(h)}\n`;
  }
  return `${out}\n${req.checkpointNote}`;
}

/** Strict parse; every malformation is LOG_MALFORMED (the witness answers 400). */
export function parseAddCheckpointRequest(body: Uint8Array | string): AddCheckpointRequest {
  if (typeof body !== 'string' && !(body instanceof Uint8Array))
    throw new LogError('LOG_MALFORMED', 'request body must be bytes or text');
  if (body.length > MAX_NOTE_BYTES + 64 * 64) throw new LogError('LOG_MALFORMED', 'request body too large');
  const text = typeof body === 'string' ? body : decodeUtf8(body);
  let at = text.indexOf('\n');
  if (at < 0) throw new LogError('LOG_MALFORMED', 'missing old size line');
  const first = text.slice(0, at);
  if (!first.startsWith('old ')) throw new LogError('LOG_MALFORMED', 'first line must be "old <size>"');
  const oldSize = parseDecimal(first.slice(4));
  if (oldSize === undefined) throw new LogError('LOG_MALFORMED', 'old size is not a canonical decimal');
  const proof: Uint8Array[] = [];
  for (;;) {
    const start = at + 1;
    const end = text.indexOf('\n', start);
    if (end < 0) throw new LogError('LOG_MALFORMED', 'missing empty line before the checkpoint');
    const line = text.slice(start, end);
    at = end;
    if (line === '') break;
    if (proof.length === MAX_CONSISTENCY_PROOF_LINES)
      throw new LogError('LOG_MALFORMED', 'more than 63 proof lines');
    const h = tryDecodeBase64(line);
    if (h === undefined || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'proof line is not base64 of 32 bytes');
    proof.push(h);
  }
  const checkpointNote = text.slice(at + 1);
  if (checkpointNote.length === 0) throw new LogError('LOG_MALFORMED', 'missing checkpoint');
  return { oldSize, proof, checkpointNote };
}

export interface WitnessState {
  readonly size: number;
  readonly root: Uint8Array;
}

export type AddCheckpointDecision =
  | {
      readonly status: 200;
      readonly checkpoint: Checkpoint;
      readonly newState: WitnessState;
      /** Cosignature lines when cosigners were given, else empty. */
      readonly body: string;
      readonly contentType: 'text/plain; charset=utf-8';
    }
  | {
      readonly status: 400 | 403 | 404 | 409 | 422;
      readonly code: LogErrorCode;
      readonly message: string;
      /** For 409: the last cosigned size and a newline. */
      readonly body: string;
      readonly contentType: 'text/plain; charset=utf-8' | 'text/x.tlog.size';
    };

export interface AddCheckpointInput {
  readonly request: AddCheckpointRequest | Uint8Array | string;
  readonly knownLogs: ReadonlyMap<string, NoteVerifier>;
  readonly lastCosigned: WitnessState | undefined;
  /** When given with `timestamp`, a 200 decision carries their cosignature lines. */
  readonly cosigners?: readonly Cosigner[];
  readonly timestamp?: number;
}

function refuse(status: 400 | 403 | 404 | 422, code: LogErrorCode, message: string): AddCheckpointDecision {
  return { status, code, message, body: `${message}\n`, contentType: 'text/plain; charset=utf-8' };
}

/** Decides an add-checkpoint request; never throws on hostile input. */
export function decideAddCheckpoint(input: AddCheckpointInput): AddCheckpointDecision {
  const cosigning = input.cosigners !== undefined && input.cosigners.length > 0;
  if (cosigning && !(Number.isSafeInteger(input.timestamp) && (input.timestamp ?? -1) >= 0)) {
    // A caller error, not a hostile request: cosigning needs the witness clock's reading.
    throw new LogError('LOG_RANGE', 'cosigning needs a non-negative integer timestamp');
  }
  let request: AddCheckpointRequest;
  let checkpoint: Checkpoint;
  try {
    request =
      typeof input.request === 'string' || input.request instanceof Uint8Array
        ? parseAddCheckpointRequest(input.request)
        : input.request;
    if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0)
      throw new LogError('LOG_MALFORMED', 'invalid old size');
    checkpoint = parseCheckpoint(parseNote(request.checkpointNote).text);
  } catch (e) {
    return refuse(400, 'LOG_MALFORMED', e instanceof LogError ? e.message : 'malformed request');
  }

  const verifier = input.knownLogs.get(checkpoint.origin);
  if (verifier === undefined)
    return refuse(404, 'LOG_UNKNOWN_ORIGIN', `unknown log origin ${checkpoint.origin}`);
  try {
    openNote(request.checkpointNote, [verifier]);
  } catch {
    return refuse(403, 'LOG_SIGNATURE_INVALID', 'no valid signature from the log key');
  }

  if (request.oldSize > checkpoint.size) return refuse(400, 'LOG_RANGE', 'old size exceeds checkpoint size');

  const last = input.lastCosigned;
  const lastSize = last?.size ?? 0;
  if (request.oldSize !== lastSize) {
    return {
      status: 409,
      code: 'LOG_OLD_SIZE_MISMATCH',
      message: `old size ${request.oldSize} is not the last cosigned size ${lastSize}`,
      body: `${lastSize}\n`,
      contentType: 'text/x.tlog.size',
    };
  }

  // The old root is the witness's own record, never anything the request claims.
  const oldRoot = last?.root ?? emptyRoot();
  if (request.oldSize === 0 && !bytesEqual(oldRoot, emptyRoot())) {
    return refuse(422, 'LOG_INCONSISTENT', 'recorded root of size 0 is not the empty tree root');
  }
  if (request.oldSize === checkpoint.size && !bytesEqual(oldRoot, checkpoint.rootHash)) {
    return refuse(422, 'LOG_INCONSISTENT', 'same size with a different root');
  }
  if (!verifyConsistency(request.oldSize, checkpoint.size, request.proof, oldRoot, checkpoint.rootHash)) {
    return refuse(422, 'LOG_PROOF_INVALID', 'consistency proof does not verify');
  }

  let body = '';
  if (cosigning) {
    const checkpointBody = parseNote(request.checkpointNote).text;
    for (const c of input.cosigners ?? []) body += c.cosignLine(checkpointBody, input.timestamp ?? 0);
  }
  return {
    status: 200,
    checkpoint,
    newState: { size: checkpoint.size, root: checkpoint.rootHash },
    body,
    contentType: 'text/plain; charset=utf-8',
  };
}
