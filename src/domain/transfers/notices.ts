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

interface Flow {
  readonly line: TransferLine;
  readonly direction: 'EXPORT' | 'IMPORT';
  readonly ekg: number;
  readonly day: number;
}

/**
 * Advance notice checks on international transfers (domain.md §2, INFCIRC/153 para. 92–95):
 * - NOTICE_MISSING: an export (SF) or import (RF) that needs a notice, because it exceeds 1 ekg
 *   or because the shipments between the same two states in the same direction within 3 months
 *   together exceed 1 ekg, and references no notice of the right kind given by its state;
 * - NOTICE_LATE: an export notice received less than 14 days before the preparation date it
 *   states, or an import notice received after the receipt date.
 * Lateness is judged on every referenced notice, required or not.
 */
export function checkNotices(
  transfers: readonly TransferLine[],
  notices: readonly AdvanceNotice[],
  opts: NoticeOptions = {},
): NoticeFinding[] {
  const threshold = opts.thresholdEkg ?? 1;
  const months = opts.windowMonths ?? 3;
  const lead = opts.exportLeadDays ?? 14;
  const exportCodes = new Set(opts.exportCodes ?? ['SF']);
  const importCodes = new Set(opts.importCodes ?? ['RF']);
  const byReference = new Map<string, AdvanceNotice>();
  for (const n of notices) byReference.set(`${n.state}\u0001${n.reference}`, n);

  const groups = new Map<string, Flow[]>();
  for (const line of transfers) {
    const direction = exportCodes.has(line.code)
      ? 'EXPORT'
      : importCodes.has(line.code)
        ? 'IMPORT'
        : undefined;
    if (direction === undefined) continue;
    const flow: Flow = {
      line,
      direction,
      ekg: computeEkg(line.element, line.weightMg, line.fissileMg),
      day: toDayNumber(line.date),
    };
    const key = `${direction}\u0001${line.state}\u0001${line.counterpart.state}`;
    let list = groups.get(key);
    if (list === undefined) {
      list = [];
      groups.set(key, list);
    }
    list.push(flow);
  }

  const findings: NoticeFinding[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.day - b.day || (a.line.id < b.line.id ? -1 : a.line.id > b.line.id ? 1 : 0));
    const n = list.length;
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + list[i]!.ekg;
    // Total of the first over-threshold window holding each flow (0 if none); two pointers, O(n).
    const windowEkg = new Float64Array(n);
    const windowEnd = list.map((f) => toDayNumber(addMonths(f.line.date, months)));
    let start = 0;
    let marked = 0;
    for (let j = 0; j < n; j++) {
      while (list[j]!.day >= windowEnd[start]!) start++;
      const total = prefix[j + 1]! - prefix[start]!;
      // Prefix differences carry rounding; 1e-9 ekg is far below the milligram of the data.
      if (total <= threshold + 1e-9) continue;
      for (let k = Math.max(start, marked); k <= j; k++) windowEkg[k] = total;
      marked = j + 1;
    }
    for (let i = 0; i < n; i++) {
      const f = list[i]!;
      const ref = f.line.notice;
      const notice = ref === undefined ? undefined : byReference.get(`${f.line.state}\u0001${ref}`);
      const valid = notice !== undefined && notice.kind === f.direction;
      if (!valid) {
        if (windowEkg[i]! > 0) {
          const single = f.ekg > threshold;
          findings.push({
            code: 'NOTICE_MISSING',
            transfer: f.line,
            reason: single ? 'OVER_THRESHOLD' : 'AGGREGATE_OVER_THRESHOLD',
            ekg: single ? f.ekg : windowEkg[i]!,
          });
        }
        continue;
      }
      if (f.direction === 'EXPORT' && notice.submitted > addDays(notice.preparationDate, -lead)) {
        findings.push({
          code: 'NOTICE_LATE',
          transfer: f.line,
          reason: 'EXPORT_LEAD_TIME',
          ekg: f.ekg,
          notice,
        });
      } else if (f.direction === 'IMPORT' && notice.submitted > f.line.date) {
        findings.push({
          code: 'NOTICE_LATE',
          transfer: f.line,
          reason: 'IMPORT_AFTER_RECEIPT',
          ekg: f.ekg,
          notice,
        });
      }
    }
  }
  return findings;
}
