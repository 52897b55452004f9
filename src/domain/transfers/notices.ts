import { addDays, addMonths, computeEkg, toDayNumber } from '../accounting/index.js';
import type { AdvanceNotice, NoticeFinding, TransferLine } from './transfer.types.js';

export interface NoticeOptions {
  /** ekg above which a shipment (or a 3-month aggregate to one state) needs a notice; 1. */
  readonly thresholdEkg?: number;
  /** Length of the aggregation window, months; 3. */
  readonly windowMonths?: number;
  /** An export notice is due this many days before the preparation date; 14 ("2 weeks"). */
  readonly exportLeadDays?: number;
  readonly exportCodes?: readonly string[];
  readonly importCodes?: readonly string[];
}

/** A line of a flow in the check's window: its ekg, day, the end of its window and its notice. */
interface Held {
  readonly line: TransferLine;
  readonly direction: 'EXPORT' | 'IMPORT';
  readonly ekg: number;
  readonly day: number;
  /** The day its 3-month window ends (exclusive). */
  readonly windowEnd: number;
  /** The sum of the ekg of the flow's lines before it (a prefix sum). */
  readonly before: number;
  /** The notice it references, of its state, if there is one. */
  readonly notice: AdvanceNotice | undefined;
  /** The total of the first over-threshold window holding it; 0 if none (yet). */
  windowEkg: number;
}

/** A line whose notice findings no later line can change, with its finding if it has one. */
export interface SettledNoticeLine {
  readonly line: TransferLine;
  readonly finding: NoticeFinding | undefined;
}

/**
 * The notice rule over one flow (one direction between two states), its lines fed in (day, id)
 * order, holding only the lines no later line has settled: those of the last `windowMonths`.
 * A line needs a notice when it lies in a window of lines over the threshold; the first such
 * window that holds it is the first line j at or after it, within its own window, whose window
 * back to j's first line still in force adds up to more than the threshold. Once the lines fed
 * reach the end of a line's window, nothing later can hold it: it is settled and let go. A flow
 * of decades is thus checked holding three months of it (decision 0086); checkNotices feeds a
 * whole list through the same code.
 */
export class NoticeFlowCheck {
  private readonly threshold: number;
  private readonly months: number;
  private readonly lead: number;
  private readonly exportCodes: ReadonlySet<string>;
  private readonly importCodes: ReadonlySet<string>;
  /** The lines not settled, from `held[head]`; absolute index i is `held[head + i - base]`. */
  private held: Held[] = [];
  private head = 0;
  /** Absolute index of held[head]. */
  private base = 0;
  /** Lines fed (their absolute indices are 0 … fed − 1). */
  private fed = 0;
  /** The first line still in the window of the last line fed, and the first not yet marked. */
  private start = 0;
  private marked = 0;
  /** The sum of the ekg of every line fed. */
  private total = 0;

  constructor(opts: NoticeOptions = {}) {
    this.threshold = opts.thresholdEkg ?? 1;
    this.months = opts.windowMonths ?? 3;
    this.lead = opts.exportLeadDays ?? 14;
    this.exportCodes = new Set(opts.exportCodes ?? ['SF']);
    this.importCodes = new Set(opts.importCodes ?? ['RF']);
  }

  /** The rule's direction of a line's code; undefined for a code the rule does not cover. */
  directionOf(code: string): 'EXPORT' | 'IMPORT' | undefined {
    return this.exportCodes.has(code) ? 'EXPORT' : this.importCodes.has(code) ? 'IMPORT' : undefined;
  }

  private at(i: number): Held {
    return this.held[this.head + i - this.base] as Held;
  }

  /**
   * Feeds the next line of the flow (after every line fed, in (day, id) order) with the notice it
   * references (of its state), and answers the lines this settles. A line of a code the rule does
   * not cover is not part of a flow: it is answered at once, without a finding.
   */
  push(line: TransferLine, notice: AdvanceNotice | undefined): SettledNoticeLine[] {
    const direction = this.directionOf(line.code);
    if (direction === undefined) return [{ line, finding: undefined }];
    const ekg = computeEkg(line.element, line.weightMg, line.fissileMg);
    const h: Held = {
      line,
      direction,
      ekg,
      day: toDayNumber(line.date),
      windowEnd: toDayNumber(addMonths(line.date, this.months)),
      before: this.total,
      notice,
      windowEkg: 0,
    };
    this.held.push(h);
    const j = this.fed++;
    this.total += ekg;
    while (h.day >= this.at(this.start).windowEnd) this.start++;
    const sum = this.total - this.at(this.start).before;
    // Prefix differences carry rounding; 1e-9 ekg is far below the milligram of the data.
    if (sum > this.threshold + 1e-9) {
      for (let k = Math.max(this.start, this.marked); k <= j; k++) this.at(k).windowEkg = sum;
      this.marked = j + 1;
    }
    return this.settle(this.start);
  }

  /** How many lines are held, not yet settled. */
  get holding(): number {
    return this.fed - this.base;
  }

  /** The flow is complete: every line still held is settled. */
  end(): SettledNoticeLine[] {
    return this.settle(this.fed);
  }

  /** Settles the lines before absolute index `upTo` (no later line can be in their windows). */
  private settle(upTo: number): SettledNoticeLine[] {
    const out: SettledNoticeLine[] = [];
    while (this.base < upTo) {
      const h = this.held[this.head] as Held;
      out.push({ line: h.line, finding: this.findingOf(h) });
      this.head++;
      this.base++;
    }
    // Let go of the settled lines' slots now and then, not on every line.
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  private findingOf(f: Held): NoticeFinding | undefined {
    const notice = f.notice;
    if (notice === undefined || notice.kind !== f.direction) {
      if (f.windowEkg <= 0) return undefined;
      const single = f.ekg > this.threshold;
      return {
        code: 'NOTICE_MISSING',
        transfer: f.line,
        reason: single ? 'OVER_THRESHOLD' : 'AGGREGATE_OVER_THRESHOLD',
        ekg: single ? f.ekg : f.windowEkg,
      };
    }
    if (f.direction === 'EXPORT' && notice.submitted > addDays(notice.preparationDate, -this.lead)) {
      return { code: 'NOTICE_LATE', transfer: f.line, reason: 'EXPORT_LEAD_TIME', ekg: f.ekg, notice };
    }
    if (f.direction === 'IMPORT' && notice.submitted > f.line.date) {
      return { code: 'NOTICE_LATE', transfer: f.line, reason: 'IMPORT_AFTER_RECEIPT', ekg: f.ekg, notice };
    }
    return undefined;
  }
}

/**
 * What a recheck of a flow must cover after its lines changed on dates `from` … `to`: the lines
 * whose findings can change (`write`) and the lines their windows can hold (`read`: from
 * `read.from`, before `read.before`). A line's finding depends only on the lines dated within three
 * months of it either way (the windows that can hold it start at most three months before it and
 * end at most three months after), so a change on day d reaches the lines dated within three
 * months of d — three days more each way for months of different lengths — and those lines
 * depend on three months more each way. NoticeFlowCheck fed the `read` lines in order settles
 * each `write` line as it would settle it fed the whole flow.
 */
export function noticeRecheckSpan(
  from: string,
  to: string,
  months = 3,
): { write: { from: string; to: string }; read: { from: string; before: string } } {
  const write = { from: addDays(addMonths(from, -months), -3), to: addDays(addMonths(to, months), 3) };
  return {
    write,
    read: { from: addMonths(write.from, -months), before: addDays(addMonths(write.to, months), 1) },
  };
}

/** The order a flow's lines are checked in: by day, then by id. */
export function compareNoticeOrder(a: TransferLine, b: TransferLine): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Advance notice checks on international transfers (domain.md §2, INFCIRC/153 para. 92–95):
 * - NOTICE_MISSING: an export (SF) or import (RF) that needs a notice, because it exceeds 1 ekg
 *   or because the shipments between the same two states in the same direction within 3 months
 *   together exceed 1 ekg, and references no notice of the right kind given by its state;
 * - NOTICE_LATE: an export notice received less than 14 days before the preparation date it
 *   states, or an import notice received after the receipt date.
 * Lateness is judged on every referenced notice, required or not. Each flow (direction, state,
 * other state) goes through a NoticeFlowCheck in (day, id) order.
 */
export function checkNotices(
  transfers: readonly TransferLine[],
  notices: readonly AdvanceNotice[],
  opts: NoticeOptions = {},
): NoticeFinding[] {
  const byReference = new Map<string, AdvanceNotice>();
  for (const n of notices) byReference.set(`${n.state}\u0001${n.reference}`, n);
  const probe = new NoticeFlowCheck(opts);
  const groups = new Map<string, TransferLine[]>();
  for (const line of transfers) {
    const direction = probe.directionOf(line.code);
    if (direction === undefined) continue;
    const key = `${direction}\u0001${line.state}\u0001${line.counterpart.state}`;
    let list = groups.get(key);
    if (list === undefined) {
      list = [];
      groups.set(key, list);
    }
    list.push(line);
  }
  const findings: NoticeFinding[] = [];
  for (const list of groups.values()) {
    list.sort(compareNoticeOrder);
    const check = new NoticeFlowCheck(opts);
    const keep = (settled: readonly SettledNoticeLine[]) => {
      for (const s of settled) if (s.finding !== undefined) findings.push(s.finding);
    };
    for (const line of list) {
      const ref = line.notice;
      keep(check.push(line, ref === undefined ? undefined : byReference.get(`${line.state}\u0001${ref}`)));
    }
    keep(check.end());
  }
  return findings;
}
