import {
  bytesEqual,
  encodeBase64,
  openCheckpoint,
  parseNoteVerifier,
  verifyConsistency,
} from '../../log/index.js';

export type SplitViewVerdict =
  /** Both notes verify and one tree extends the other (or they are the same checkpoint). */
  | { readonly kind: 'consistent'; readonly sizes: readonly [number, number] }
  /** Both notes verify with the log key, yet they cannot be views of one append-only log. */
  | {
      readonly kind: 'equivocation';
      readonly sizes: readonly [number, number];
      readonly roots: readonly [string, string];
      readonly reason: string;
    }
  /** Different sizes and no consistency proof given: nothing can be concluded yet. */
  | { readonly kind: 'undecided'; readonly sizes: readonly [number, number]; readonly reason: string }
  /** One of the notes is not signed by this log key (not evidence against the log). */
  | { readonly kind: 'unsigned'; readonly reason: string };

/**
 * Two parties (two witnesses, two auditors) compare the checkpoints the log showed them
 * (log.md: "The log never signs two checkpoints that are not consistent"). Two notes that both
 * verify with the log key and have the same size but different roots are proof of a split view;
 * for different sizes, a consistency proof (from the smaller to the larger) that does not verify
 * is proof too. The signed notes themselves are the evidence: anyone with the key can re-check.
 */
export function detectSplitView(
  noteA: string,
  noteB: string,
  vkey: string,
  consistencyProof?: readonly Uint8Array[],
): SplitViewVerdict {
  const verifier = parseNoteVerifier(vkey);
  let a: ReturnType<typeof openCheckpoint>['checkpoint'];
  let b: ReturnType<typeof openCheckpoint>['checkpoint'];
  try {
    a = openCheckpoint(noteA, verifier).checkpoint;
    b = openCheckpoint(noteB, verifier).checkpoint;
  } catch (err) {
    return { kind: 'unsigned', reason: (err as Error).message };
  }
  const sizes = [a.size, b.size] as const;
  const roots = [encodeBase64(a.rootHash), encodeBase64(b.rootHash)] as const;
  if (a.size === b.size) {
    return bytesEqual(a.rootHash, b.rootHash)
      ? { kind: 'consistent', sizes }
      : { kind: 'equivocation', sizes, roots, reason: `two signed roots for tree size ${a.size}` };
  }
  if (!consistencyProof) {
    return { kind: 'undecided', sizes, reason: 'different sizes: a consistency proof is needed' };
  }
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  return verifyConsistency(small.size, large.size, consistencyProof, small.rootHash, large.rootHash)
    ? { kind: 'consistent', sizes }
    : {
        kind: 'equivocation',
        sizes,
        roots,
        reason: `the tree of size ${large.size} does not extend the tree of size ${small.size}`,
      };
}
