/**
 * What the inbox (inbox.ts) reads from a bundle before it is verified — defensively, since a
 * hostile peer may send anything — and the refusal it answers with.
 */
import { type ErrorCode, isDomainError } from '../../domain/errors.js';
import {
  canonicalizeRecord,
  decodeBase64,
  parseCheckpoint,
  parseLeaf,
  parseNote,
  parseProof,
} from '../../log/index.js';

export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retry = false,
  ) {
    super(message);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where the bundle claims to come from, read defensively (a hostile bundle may have neither). */
export function claimed(b: unknown): { source: string; index: number } | undefined {
  if (
    !isObject(b) ||
    typeof b.source !== 'string' ||
    !Number.isSafeInteger(b.index) ||
    (b.index as number) < 0
  )
    return undefined;
  return { source: b.source, index: b.index as number };
}

/** The bundle's checkpoint size, or undefined when the proof does not parse (verifyBundle says why). */
export function checkpointSize(b: unknown): number | undefined {
  try {
    if (!isObject(b) || typeof b.proof !== 'string') return undefined;
    return parseCheckpoint(parseNote(parseProof(b.proof).checkpointNote).text).size;
  } catch {
    return undefined;
  }
}

/** The consistency proof between the seen checkpoint and the bundle's, fetched from the source. */
export async function consistencyFor(peerUrl: string, seen: string | undefined, size: number | undefined) {
  if (seen === undefined || size === undefined) return undefined;
  const seenSize = parseCheckpoint(parseNote(seen).text).size;
  if (seenSize === size || seenSize === 0 || size === 0) return undefined;
  const [from, to] = seenSize < size ? [seenSize, size] : [size, seenSize];
  try {
    const res = await fetch(`${peerUrl}/log/proof/consistency?from=${from}&to=${to}`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { hashes?: unknown };
    if (!Array.isArray(body.hashes)) return undefined;
    const hashes = body.hashes.map((h) => decodeBase64(String(h)));
    return { from, to, hashes };
  } catch {
    return undefined;
  }
}

/** Kind, content and logged time as the bundle claims them (verified afterwards), if readable. */
export function peek(b: unknown): { kind: string; content: unknown; time: string } | undefined {
  try {
    if (
      !isObject(b) ||
      !isObject(b.record) ||
      typeof b.record.kind !== 'string' ||
      typeof b.leaf !== 'string'
    )
      return undefined;
    return { kind: b.record.kind, content: b.record.content, time: parseLeaf(decodeBase64(b.leaf)).time };
  } catch {
    return undefined;
  }
}

export function contentOf(b: unknown): Record<string, unknown> {
  const record = isObject(b) && isObject(b.record) ? b.record : {};
  return isObject(record.content) ? record.content : {};
}

/** Storage failures that retrying cannot fix become refusals with a code (never a 500). */
export function asRefusal(err: unknown): Refusal {
  if (err instanceof Refusal) return err;
  if (isDomainError(err)) return new Refusal(err.code, err.message, err.code === 'UNAVAILABLE');
  const message = (err as Error).message ?? String(err);
  if (/unique|duplicate/i.test(message))
    return new Refusal('CONFLICT' satisfies ErrorCode, 'a record with this id already exists on this node');
  if (/foreign key/i.test(message))
    return new Refusal(
      'UNKNOWN_REFERENCE' satisfies ErrorCode,
      'the record refers to registry entries this node does not have',
    );
  // Anything else (the database briefly away) is worth another try.
  return new Refusal('UNAVAILABLE', message, true);
}

/**
 * The content of a kind kept nowhere else on this node (decision 0044): the origin's record as
 * committed, beside its inbox row, never merged into this node's own inspections or cases.
 */
export function keptContent(kind: string, content: unknown): string | null {
  return kind === 'inspection-statement' || kind === 'case-transition' || kind === 'case-message'
    ? new TextDecoder().decode(canonicalizeRecord(content))
    : null;
}
