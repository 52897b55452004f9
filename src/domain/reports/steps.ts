/**
 * Work over a whole report in steps (issue 15 item 9, decision 0034): the parser and the
 * validator are generators that pause every STEP_LINES lines. Run to the end here they are the
 * plain synchronous functions; the service runs the same generators in slices of a few
 * milliseconds and lets the event loop serve other requests in between. One code path, so the
 * sliced run cannot answer differently from the synchronous one.
 */
export type Steps<T> = Generator<void, T, void>;

/** Lines read or checked between two pauses: small enough that a pause comes every millisecond or so. */
export const STEP_LINES = 256;

/** Run steps to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
