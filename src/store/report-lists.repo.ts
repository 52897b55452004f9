import { sql } from 'kysely';
import type { ReportType } from '../domain/reports/index.js';
import type { DbOrTx } from './db.js';
import { pageOfParts } from './paging.js';

/**
 * The states whose rows a list reads: those shown to the caller ('all', or a list), narrowed to
 * the one asked for; an empty list reads nothing.
 */
function statesRead(shown: 'all' | readonly string[], asked: string | undefined): 'all' | readonly string[] {
  if (asked === undefined) return shown;
  return shown === 'all' || shown.includes(asked) ? [asked] : [];
}

/** A list's parts: every state at once (`of()`), or one per state read. */
function partsOf<Q>(states: 'all' | readonly string[], of: (state: string | undefined) => Q): Q[] {
  return states === 'all' ? [of(undefined)] : states.map(of);
}

const REPORT_COLUMNS = [
  'id',
  'state',
  'mba',
  'type',
  'report_number',
  'report_date',
  'period_from',
  'period_to',
  'pit',
  'line_count',
  'submitted_at',
  'log_index',
] as const;

/**
 * The lists of reports and refusals, newest first (then by a unique column, so pages are stable), of the
 * states shown (decision 0101). More than a million reports a year: a page must walk an index in
 * the list's order, never read and sort every header. Over every state, the walk is of the
 * `(submitted_at desc, id)` index (migration 0055); over a few states, each state's range of its
 * `(state, submitted_at)` index gives its first offset + limit rows, and only those are merged.
 */
export function reportLists(k: DbOrTx) {
  return {
    async listReports(f: {
      states: 'all' | readonly string[];
      state?: string | undefined;
      mba?: string | undefined;
      type?: ReportType | undefined;
      limit: number;
      offset: number;
    }) {
      const of = (state: string | undefined) =>
        k
          .selectFrom('reports')
          .select(REPORT_COLUMNS)
          .$if(state !== undefined, (q) => q.where('state', '=', state as string))
          .$if(f.mba !== undefined, (q) => q.where('mba', '=', f.mba as string))
          .$if(f.type !== undefined, (q) => q.where('type', '=', f.type as ReportType))
          .orderBy('submitted_at', 'desc')
          .orderBy('id');
      return pageOfParts(k, partsOf(statesRead(f.states, f.state), of), sql`submitted_at desc, id`, f);
    },
    /** Refusals, newest first (the log's order within an instant), of the states shown; as listReports. */
    async listRejections(f: {
      states: 'all' | readonly string[];
      state?: string | undefined;
      limit: number;
      offset: number;
    }) {
      const of = (state: string | undefined) =>
        k
          .selectFrom('report_rejections')
          .selectAll()
          .$if(state !== undefined, (q) => q.where('state', '=', state as string))
          .orderBy('submitted_at', 'desc')
          .orderBy('log_index', 'desc');
      // Ties by the log's order: refusals in the same instant, the last refused first.
      return pageOfParts(
        k,
        partsOf(statesRead(f.states, f.state), of),
        sql`submitted_at desc, log_index desc`,
        f,
      );
    },
  };
}
