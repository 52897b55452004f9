/**
 * A report's problems as the submitter sees them: a list of details with line and field, cut at a
 * maximum, ending with one TOO_MANY_ERRORS detail that says how many more there were. The reader,
 * the validator and the service's merge of the two all keep their lists here.
 */
import type { ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';

export const DEFAULT_MAX_DETAILS = 1000;

/** The last detail of a list cut at its maximum: how many problems were left out. */
export function tooManyErrors(omitted: number): ErrorDetail {
  return {
    ...problemOf('TOO_MANY_ERRORS', { count: omitted }),
    message: `${omitted} further problems not listed`,
  };
}

/** How many problems a TOO_MANY_ERRORS detail (tooManyErrors) says were left out; 0 for any other. */
export function omittedBy(d: ErrorDetail): number {
  return d.code === 'TOO_MANY_ERRORS' ? Number(/^(\d+) /.exec(d.message)?.[1] ?? 0) : 0;
}

/** A problem as the API lists it: line, field, code, rule, the English message and the values. */
export function detailOf(
  p: Particulars,
  field: string | undefined,
  message: string,
  line?: number,
): ErrorDetail {
  const { code, rule, values } = p;
  return {
    ...(line === undefined ? {} : { line }),
    ...(field === undefined ? {} : { field }),
    code,
    ...(rule === undefined ? {} : { rule }),
    message,
    values,
  };
}

/** Details in the order they were found, at most `max` of them; the rest are only counted. */
export class ProblemList {
  private readonly list: ErrorDetail[] = [];
  private omitted = 0;
  constructor(private readonly max: number) {}

  add(p: Particulars, field: string | undefined, message: string, line?: number): void {
    if (this.list.length >= this.max) {
      this.omitted++;
      return;
    }
    this.list.push(detailOf(p, field, message, line));
  }

  /** How many problems were found, listed or not. */
  get count(): number {
    return this.list.length + this.omitted;
  }

  /** The listed details, then one TOO_MANY_ERRORS detail if any were left out. */
  done(): ErrorDetail[] {
    const out = [...this.list];
    if (this.omitted > 0) out.push(tooManyErrors(this.omitted));
    return out;
  }
}

/**
 * The format problems and the validation problems of one report as one list for the submitter:
 * report-level problems first, then by line (stable within a line), with at most `max` details
 * and one TOO_MANY_ERRORS detail saying how many more there were.
 */
export function mergeDetails(
  a: readonly ErrorDetail[],
  b: readonly ErrorDetail[],
  max = DEFAULT_MAX_DETAILS,
): ErrorDetail[] {
  let omitted = 0;
  const listed: ErrorDetail[] = [];
  for (const d of [...a, ...b]) {
    if (d.code === 'TOO_MANY_ERRORS') omitted += omittedBy(d);
    else listed.push(d);
  }
  const sorted = listed
    .map((d, i) => ({ d, i }))
    .sort((x, y) => (x.d.line ?? 0) - (y.d.line ?? 0) || x.i - y.i)
    .map((x) => x.d);
  omitted += Math.max(0, sorted.length - max);
  const out = sorted.slice(0, max);
  if (omitted > 0) out.push(tooManyErrors(omitted));
  return out;
}
