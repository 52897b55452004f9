/** The JSON wire format of reports (issue "JSON model"; field names as documented in docs/csv-format.md). */
import { problemOf } from '../particulars.js';
import { readReportSteps } from './build-report.js';
import type { ParseResult, ReadOptions } from './parse.types.js';
import { detailOf } from './problems.js';
import type { IcrLine, InventoryLine, MbrLine, NoticeBody, Report } from './report.types.js';
import { runSteps, type Steps } from './steps.js';
import { formatWeight } from './weight.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → report model, or every problem found. Hostile input is expected: invalid UTF-8, bad
 * JSON, deep nesting, wrong types and unknown fields all come back as details, never as a throw.
 * A UTF-8 byte order mark is ignored (RFC 8259 §8.1 allows it).
 */
/** The one problem of a file with nothing in it (no bytes, or only a BOM and blank space). */
export const EMPTY_REPORT = 'the report is empty: the file has no content';

export function parseReportJson(bytes: Uint8Array, options: ReadOptions = {}): ParseResult {
  return runSteps(parseReportJsonSteps(bytes, options));
}

/**
 * parseReportJson in steps (steps.ts): the lines are read into the model in steps; JSON.parse
 * itself still builds the whole value in one call (decision 0034).
 */
export function* parseReportJsonSteps(bytes: Uint8Array, options: ReadOptions = {}): Steps<ParseResult> {
  try {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return malformed('MALFORMED.notUtf8', 'the report is not valid UTF-8');
    }
    // One clear problem for an empty file, not a parser's "unexpected end" (issue 16 item 6).
    if (text.trim() === '') return malformed('MALFORMED.empty', EMPTY_REPORT);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return malformed(
        'MALFORMED.notJson',
        `the report is not valid JSON: ${e instanceof Error ? e.message.slice(0, 200) : ''}`,
      );
    }
    return yield* readReportSteps(value, 'json', options);
  } catch {
    // Defence in depth: a parser bug must still answer with a 4xx detail, not a crash.
    return malformed('MALFORMED.unreadable', 'the report could not be read');
  }
}

function malformed(
  kind: 'MALFORMED.notUtf8' | 'MALFORMED.empty' | 'MALFORMED.notJson' | 'MALFORMED.unreadable',
  message: string,
): ParseResult {
  return { ok: false, details: [detailOf(problemOf(kind, {}), undefined, message)] };
}

/** The JSON value of a report (weights as numbers of grams), in the documented key order. */
export function toReportJsonValue(report: Report): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: report.type,
    mba: report.mba,
    reportNumber: report.reportNumber,
    reportDate: report.reportDate,
  };
  if (report.type === 'ICR') out.period = { from: report.period.from, to: report.period.to };
  if (report.type === 'PIL' || report.type === 'INITIAL' || report.type === 'MBR') out.pit = report.pit;
  out.reportingPerson = report.reportingPerson;
  out.lineCount = report.lineCount;
  if (report.note !== undefined) out.note = report.note;
  switch (report.type) {
    case 'ICR':
      out.lines = report.lines.map(icrLineJson);
      break;
    case 'MBR':
      out.lines = report.lines.map(mbrLineJson);
      break;
    case 'PIL':
    case 'INITIAL':
      out.lines = report.lines.map(inventoryLineJson);
      break;
    default:
      out.notice = noticeJson(report.notice);
      out.lines = [];
  }
  return out;
}

/** Report model → JSON text (compact unless `indent` is given). */
export function formatReportJson(report: Report, options: { indent?: number } = {}): string {
  return JSON.stringify(toReportJsonValue(report), null, options.indent);
}

function icrLineJson(l: IcrLine): Record<string, unknown> {
  const o: Record<string, unknown> = {
    line: l.line,
    date: l.date,
    code: l.code,
    batch: l.batch,
    kmp: l.kmp,
    element: l.element,
    weight: formatWeight(l.weightMg),
  };
  if (l.fissileMg !== undefined) o.fissileWeight = formatWeight(l.fissileMg);
  if (l.isotope !== undefined) o.isotope = l.isotope;
  if (l.basis !== undefined) o.basis = l.basis;
  if (l.form !== undefined) o.form = l.form;
  if (l.counterpart !== undefined) {
    o.counterpart =
      l.counterpart.mba === undefined
        ? { state: l.counterpart.state }
        : { state: l.counterpart.state, mba: l.counterpart.mba };
  }
  if (l.notice !== undefined) o.notice = l.notice;
  if (l.corrects !== undefined) o.corrects = { reportNumber: l.corrects.reportNumber, line: l.corrects.line };
  if (l.deletes !== undefined) o.deletes = { reportNumber: l.deletes.reportNumber, line: l.deletes.line };
  return o;
}

function inventoryLineJson(l: InventoryLine): Record<string, unknown> {
  const o: Record<string, unknown> = { line: l.line };
  if (l.item !== undefined) o.item = l.item;
  o.batch = l.batch;
  o.kmp = l.kmp;
  o.element = l.element;
  o.weight = formatWeight(l.weightMg);
  if (l.fissileMg !== undefined) o.fissileWeight = formatWeight(l.fissileMg);
  if (l.isotope !== undefined) o.isotope = l.isotope;
  if (l.basis !== undefined) o.basis = l.basis;
  if (l.form !== undefined) o.form = l.form;
  return o;
}

function mbrLineJson(l: MbrLine): Record<string, unknown> {
  const o: Record<string, unknown> = {
    line: l.line,
    element: l.element,
    entry: l.entry,
    weight: formatWeight(l.weightMg),
  };
  if (l.fissileMg !== undefined) o.fissileWeight = formatWeight(l.fissileMg);
  return o;
}

function noticeJson(n: NoticeBody): Record<string, unknown> {
  const o: Record<string, unknown> = { reference: n.reference, otherState: n.otherState };
  if (n.otherMba !== undefined) o.otherMba = n.otherMba;
  o.element = n.element;
  o.weight = formatWeight(n.weightMg);
  if (n.fissileMg !== undefined) o.fissileWeight = formatWeight(n.fissileMg);
  if (n.form !== undefined) o.form = n.form;
  if (n.batches !== undefined) o.batches = [...n.batches];
  o.preparationDate = n.preparationDate;
  o.dispatchDate = n.dispatchDate;
  o.arrivalDate = n.arrivalDate;
  return o;
}
