import type Database from 'better-sqlite3';
import {
  type AdvanceNotice,
  compareNoticeOrder,
  isNoticeFlow,
  NoticeFlowCheck,
  noticeRecheckSpan,
  type SettledNoticeLine,
  type TransferLine,
} from '../../domain/transfers/index.js';
import type { DbOrTx } from '../../store/db.js';
import { type NoticePageEnd, readNoticeFlowPage, readNoticeRefs } from '../../store/notice-lines.repo.js';
import { applyCountDeltas } from '../../store/transfer-counts.repo.js';
import { readNoticesByReference, updateRows } from '../../store/transfers.repo.js';
import { CountDeltas, countsOf, factsReader, type Rec, recsOf } from './transfer-lines.js';

/**
 * The notice findings of flows checked again after their lines changed (decision 0086): each flow
 * is walked by date through eval_notice_lines, a page at a time, through the domain's
 * NoticeFlowCheck, which holds only the lines of the last three months. A change on a date can
 * change the findings of lines within three months of it, so only a span around the changed dates
 * is read and only the lines it can reach are written (noticeRecheckSpan).
 */

/** Rows of a flow read at a time when its notice findings are checked again. */
const FLOW_PAGE = 2_000;

/**
 * Notice flows whose lines changed, and the dates they changed on (null: check the whole flow).
 * The distinct dates are kept (a month of lines has at most 31), and the recheck joins only those
 * whose writes overlap: a correction of a line of ten years ago beside this month's lines rechecks
 * the months around each, not the decade between them.
 */
export class FlowChanges {
  readonly spans = new Map<string, Set<string> | null>();

  /** A line of `flow` dated `date` came, went or moved (a flow that is not a notice flow is left). */
  add(flow: string | null, date: string): void {
    if (flow === null || !isNoticeFlow(flow)) return;
    const s = this.spans.get(flow);
    if (s === null) return;
    if (s === undefined) this.spans.set(flow, new Set([date]));
    else s.add(date);
  }

  /** Every line of `flow` is to be checked again. */
  whole(flow: string | null): void {
    if (flow !== null && isNoticeFlow(flow)) this.spans.set(flow, null);
  }

  /**
   * The spans of `flow` to check, in date order: its dates, those whose writes (noticeRecheckSpan)
   * overlap joined into one (joining on the reads would write the lines between them too); [null]
   * for the whole flow.
   */
  spansOf(flow: string): ({ from: string; to: string } | null)[] {
    const s = this.spans.get(flow);
    if (s === null || s === undefined) return [null];
    const out: { from: string; to: string; writeTo: string }[] = [];
    for (const day of [...s].sort()) {
      const write = noticeRecheckSpan(day, day).write;
      const last = out[out.length - 1];
      if (last !== undefined && write.from <= last.writeTo) {
        last.to = day;
        last.writeTo = write.to;
      } else out.push({ from: day, to: day, writeTo: write.to });
    }
    return out.map(({ from, to }) => ({ from, to }));
  }
}

/** A state's advance notices by reference, read as its lines name them and let go past a bound. */
class NoticeCache {
  readonly #byReference = new Map<string, AdvanceNotice | null>();
  constructor(
    private readonly q: DbOrTx,
    private readonly state: string,
  ) {}

  async load(lines: readonly TransferLine[]): Promise<void> {
    const missing = new Set<string>();
    for (const l of lines)
      if (l.notice !== undefined && !this.#byReference.has(l.notice)) missing.add(l.notice);
    if (missing.size === 0) return;
    if (this.#byReference.size + missing.size > 20_000) this.#byReference.clear();
    const found = await readNoticesByReference(this.q, this.state, [...missing]);
    for (const ref of missing) this.#byReference.set(ref, found.get(ref) ?? null);
  }

  get(reference: string | undefined): AdvanceNotice | undefined {
    return reference === undefined ? undefined : (this.#byReference.get(reference) ?? undefined);
  }
}

/** Checks the notice findings of one flow again and writes those that changed. */
async function recheckFlow(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  flow: string,
  changed: { from: string; to: string } | null,
  page: number,
): Promise<void> {
  const state = flow.split('\u0001')[1] as string;
  const span = changed === null ? undefined : noticeRecheckSpan(changed.from, changed.to);
  const fx = factsReader(q);
  const notices = new NoticeCache(q, state);
  const check = new NoticeFlowCheck();
  /** The rows of the lines fed and not yet settled. */
  const held = new Map<TransferLine, Rec>();
  const deltas = new CountDeltas();
  let updates: Rec[] = [];
  const write = async (settled: readonly SettledNoticeLine[]): Promise<void> => {
    for (const s of settled) {
      const r = held.get(s.line);
      if (r === undefined) continue;
      held.delete(s.line);
      if (span !== undefined && (r.t.date < span.write.from || r.t.date > span.write.to)) continue;
      const code = s.finding === undefined ? null : s.finding.code === 'NOTICE_MISSING' ? 1 : 2;
      if (code === r.notice) continue;
      countsOf(r, -1, deltas);
      r.notice = code;
      countsOf(r, 1, deltas);
      updates.push(r);
    }
    if (updates.length >= 500) {
      await updateRows(q, sqlite, updates);
      updates = [];
    }
  };
  const feed = async (recs: readonly Rec[]): Promise<void> => {
    await notices.load(recs.map((r) => r.t));
    for (const r of recs) {
      held.set(r.t, r);
      await write(check.push(r.t, notices.get(r.t.notice)));
    }
  };
  // A page's last day may go on in the next page: its lines wait, so each day goes in whole, in
  // (day, id) order (the rule's order; the table's is (day, origin)).
  let pending: Rec[] = [];
  let after: NoticePageEnd | undefined;
  for (;;) {
    const { rows, end, more } = await readNoticeFlowPage(q, flow, span?.read, after, page);
    const recs = [...pending, ...(await recsOf(q, rows, fx))];
    recs.sort((a, b) => compareNoticeOrder(a.t, b.t));
    const cut = end === undefined || !more ? recs.length : recs.findIndex((r) => r.t.date >= end.day);
    await feed(cut < 0 ? recs : recs.slice(0, cut));
    pending = cut < 0 ? [] : recs.slice(cut);
    if (end === undefined || !more) break;
    after = end;
  }
  await write(check.end());
  await updateRows(q, sqlite, updates);
  await applyCountDeltas(q, deltas.values(), sqlite);
}

/** Checks the notice findings of the flows that changed again (see FlowChanges). */
export async function recheckFlows(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  changes: FlowChanges,
  page: number = FLOW_PAGE,
): Promise<void> {
  for (const flow of changes.spans.keys())
    for (const span of changes.spansOf(flow)) await recheckFlow(q, sqlite, flow, span, page);
}

/**
 * A new notice of a state: the lines of its flows that name it are checked again, with the months
 * around them (decision 0091). A line's finding depends on its own notice and on its flow's window
 * sums, which no notice changes, so the lines naming the notice are the only ones it can change;
 * eval_notice_refs finds them by reference.
 */
export async function recheckNotice(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  state: string,
  reference: string,
): Promise<void> {
  const changes = new FlowChanges();
  for (const r of await readNoticeRefs(q, reference))
    if (r.flow.split('\u0001')[1] === state) changes.add(r.flow, r.day);
  await recheckFlows(q, sqlite, changes);
}
