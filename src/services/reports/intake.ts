import { createHash } from 'node:crypto';
import type { Steps } from '../../domain/reports/index.js';

/** Bytes hashed between two yields to the event loop: a few milliseconds of SHA-256. */
const SLICE = 4 * 1024 * 1024;

/** Let timers and I/O run (a resolved promise would continue before them, in the microtask queue). */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * SHA-256 hex of a body in bounded slices (issue 15 item 9): a 60 MB report hashed in one call
 * holds the event loop for the whole hash; in 4 MiB slices other requests are served in between.
 */
export async function sha256HexInSlices(bytes: Uint8Array): Promise<string> {
  const h = createHash('sha256');
  for (let at = 0; at < bytes.length; at += SLICE) {
    h.update(bytes.subarray(at, Math.min(bytes.length, at + SLICE)));
    if (at + SLICE < bytes.length) await yieldToLoop();
  }
  return h.digest('hex');
}

/** Time the parser or validator may hold the event loop before letting it go. */
const SLICE_MS = 8;

/**
 * Run the domain's stepped parser or validator (domain/reports/steps.ts) in slices of about
 * SLICE_MS, yielding to the event loop between slices (issue 15 item 9, decision 0034): other
 * requests wait at most one slice, not the whole report. The answer is the generator's own, the
 * same as the synchronous function's.
 */
export async function runInSlices<T>(steps: Steps<T>): Promise<T> {
  let until = performance.now() + SLICE_MS;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() >= until) {
      await yieldToLoop();
      until = performance.now() + SLICE_MS;
    }
  }
}
