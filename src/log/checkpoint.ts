/** C2SP tlog-checkpoint: origin, size, base64 root, optional extension lines, as a signed note. */
import { encodeBase64, parseDecimal, tryDecodeBase64 } from './encoding.js';
import { LogError } from './errors.js';
import { HASH_SIZE } from './hashing.js';
import { type NoteSigner, type NoteVerifier, type OpenedNote, openNote, signNote } from './note.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

function checkLine(line: string, what: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: lines may not contain control characters
  if (line.length === 0 || /[\u0000-\u001f]/.test(line))
    throw new LogError('LOG_MALFORMED', `${what} is empty or has control characters`);
}

/** The checkpoint body (note text), every line ending in \n. */
export function formatCheckpoint(cp: Checkpoint): string {
  checkLine(cp.origin, 'origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    throw new LogError('LOG_RANGE', 'checkpoint size is not a valid size');
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) {
    throw new LogError('LOG_MALFORMED', 'checkpoint root must be 32 bytes');
  }
  const ext = cp.extensions ?? [];
  for (const e of ext) checkLine(e, 'extension line');
  return `${cp.origin}\n${cp.size}\n${encodeBase64(cp.rootHash)}\n${ext.map((e) => `${e}\n`).join('')}`;
}

/** Parses a checkpoint body strictly. A size beyond 2^53 - 1 is LOG_RANGE. */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n'))
    throw new LogError('LOG_MALFORMED', 'checkpoint must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new LogError('LOG_MALFORMED', 'checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'origin');
  for (const e of extensions) checkLine(e, 'extension line');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw new LogError('LOG_MALFORMED', 'checkpoint size is not a canonical decimal');
  const size = parseDecimal(sizeText);
  if (size === undefined) throw new LogError('LOG_RANGE', 'checkpoint size exceeds 2^53 - 1');
  const rootHash = tryDecodeBase64(rootText);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE)
    throw new LogError('LOG_MALFORMED', 'checkpoint root is not base64 of 32 bytes');
  return { origin, size, rootHash, extensions };
}

/** Formats and signs a checkpoint; returns the signed note. */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Opens a checkpoint note: the log key must have signed it (other signatures, e.g. witness
 * cosignatures, are ignored here), and the origin must be the expected one. Custos decides the
 * origin is the log key's name unless `origin` is given.
 */
export function openCheckpoint(
  note: Uint8Array | string,
  logVerifier: NoteVerifier,
  options: { origin?: string } = {},
): OpenedCheckpoint {
  const opened = openNote(note, [logVerifier]);
  const checkpoint = parseCheckpoint(opened.text);
  const origin = options.origin ?? logVerifier.name;
  if (checkpoint.origin !== origin) {
    throw new LogError('LOG_UNKNOWN_ORIGIN', `checkpoint origin ${checkpoint.origin} is not ${origin}`);
  }
  return { checkpoint, note: opened };
}
