/**
 * One reader for both wire formats: the JSON parser hands over the parsed JSON value, the CSV
 * parser hands over the same tree with string leaves (empty cells left out). Every problem is
 * gathered with its line and its field path; nothing here throws on any input.
 *
 * Field paths are the JSON paths of the value (`reportDate`, `period.from`, `lines[3].weight`,
 * `lines[3].counterpart.state`, `notice.batches[1]`), with 0-based array indices, in both formats.
 * `line` is the report line number the value belongs to: the line's declared `line` when it is a
 * valid integer, otherwise its 1-based position.
 */
import { problemOf } from '../particulars.js';
import type { HeaderField, LooseLine, ParseResult, PartialReport, ReadOptions } from './parse.types.js';
import { DEFAULT_MAX_DETAILS } from './problems.js';
import { INT_TEXT_RE, isObj, type Obj, ReportReader, typeName, wrongType } from './reader.js';
import type {
  Counterpart,
  ElementCode,
  IcrLine,
  InventoryLine,
  MbrLine,
  NoticeBody,
  Report,
  ReportType,
} from './report.types.js';
import {
  ICR_LINE_KEYS,
  INVENTORY_LINE_KEYS,
  MBR_LINE_KEYS,
  NOTICE_KEYS,
  REPORT_KEYS,
  REPORT_TYPES,
} from './report-keys.js';
import { runSteps, STEP_LINES, type Steps } from './steps.js';

const ICR_LINE_SET = new Set(ICR_LINE_KEYS);
const INVENTORY_LINE_SET = new Set(INVENTORY_LINE_KEYS);
const MBR_LINE_SET = new Set(MBR_LINE_KEYS);
const NOTICE_SET = new Set(NOTICE_KEYS);
const PERIOD_SET = new Set(['from', 'to']);
const COUNTERPART_SET = new Set(['state', 'mba']);

type ReadReportOptions = ReadOptions & { decimalComma?: boolean };

/** Build the report model from a JSON value (or the CSV parser's tree of strings). */
export function readReport(
  root: unknown,
  mode: 'json' | 'csv',
  options: ReadReportOptions = {},
): ParseResult {
  return runSteps(readReportSteps(root, mode, options));
}

/**
 * readReport in steps (steps.ts). `streamed`, when given, are the raw lines read one at a time
 * (the CSV parser builds each line's tree only when it is asked for: issue 15 item 9); `root.lines`
 * must then be present (any array) so that the report's keys are checked as they would be.
 */
// long: the header, lines and notices of one report read in order as one generator, so each step can pause
export function* readReportSteps(
  root: unknown,
  mode: 'json' | 'csv',
  options: ReadReportOptions = {},
  streamed?: Iterable<unknown>,
): Steps<ParseResult> {
  const r = new ReportReader(mode, options.maxDetails ?? DEFAULT_MAX_DETAILS, options.decimalComma);
  if (!isObj(root)) {
    r.add(
      problemOf('MALFORMED.notObject', { found: typeName(root) }),
      undefined,
      `a report must be an object, not ${typeName(root)}`,
    );
    return r.finish(unreachable);
  }
  const typeValue = r.str(root, 'type', '', undefined, 'code');
  let type: ReportType | undefined;
  if (typeValue !== undefined) {
    if ((REPORT_TYPES as readonly string[]).includes(typeValue)) type = typeValue as ReportType;
    else
      r.add(
        problemOf('FIELD_FORMAT.notReportType', { value: typeValue, allowed: REPORT_TYPES }),
        'type',
        `"${typeValue}" is not a report type (${REPORT_TYPES.join(', ')})`,
      );
  }
  if (type !== undefined) r.checkKeys(root, REPORT_KEYS[type], '');
  const mba = r.str(root, 'mba', '', undefined, 'code');
  const reportNumber = r.int(root, 'reportNumber', '', undefined, 1);
  const reportDate = r.date(root, 'reportDate', '', undefined);
  const reportingPerson = r.str(root, 'reportingPerson', '', undefined, 'text');
  const lineCount = r.int(root, 'lineCount', '', undefined, 0);
  const note = r.str(root, 'note', '', undefined, 'note', false);
  if (type === undefined) return r.finish(unreachable);

  const header = () => {
    const h = {
      mba: mba as string,
      reportNumber: reportNumber ?? 0,
      reportDate: reportDate ?? '',
      reportingPerson: reportingPerson ?? '',
      lineCount: lineCount ?? 0,
    };
    return note === undefined ? h : { ...h, note };
  };

  if (type === 'EXPORT_NOTICE' || type === 'IMPORT_NOTICE') {
    const notice = readNotice(r, root);
    const lines = Object.hasOwn(root, 'lines') ? root.lines : [];
    if (!Array.isArray(lines))
      r.add(wrongType('array', lines), 'lines', `"lines" must be an array, not ${typeName(lines)}`);
    else if (lines.length > 0)
      r.add(problemOf('FIELD_FORMAT.noticeHasLines', {}), 'lines', 'a notice has no lines');
    return r.finish(() => ({ type, ...header(), notice: notice as NoticeBody, lines: [] }));
  }

  let period: { from: string; to: string } | undefined;
  let pit: string | undefined;
  if (type === 'ICR') {
    const p = r.object(root, 'period', '', undefined, true);
    if (p !== undefined) {
      r.checkKeys(p, PERIOD_SET, 'period');
      const from = r.date(p, 'from', 'period', undefined);
      const to = r.date(p, 'to', 'period', undefined);
      if (from !== undefined && to !== undefined) period = { from, to };
    }
  } else {
    pit = r.date(root, 'pit', '', undefined);
  }

  const rawLines: Iterable<unknown> | undefined = streamed ?? r.lines(root);
  if (rawLines === undefined) return r.finish(unreachable);
  const loose: LooseLine[] = [];
  // Placeholders stand for unreadable fields only in a partial report, never in a built one.
  const partial =
    (lines: readonly (IcrLine | InventoryLine | MbrLine | undefined)[]) => (): PartialReport | undefined => {
      if (mba === undefined) return undefined;
      const unreadable = new Set<HeaderField>();
      if (reportNumber === undefined) unreadable.add('reportNumber');
      if (reportDate === undefined) unreadable.add('reportDate');
      if (lineCount === undefined) unreadable.add('lineCount');
      if (type === 'ICR' && period === undefined) unreadable.add('period');
      if (type !== 'ICR' && pit === undefined) unreadable.add('pit');
      const read: (IcrLine | InventoryLine | MbrLine)[] = [];
      const positions: number[] = [];
      lines.forEach((l, i) => {
        if (l === undefined) return;
        read.push(l);
        positions.push(i);
      });
      const report = (type === 'ICR'
        ? { type, ...header(), period: period ?? { from: '', to: '' }, lines: read }
        : { type, ...header(), pit: pit ?? '', lines: read }) as unknown as Report;
      return {
        report,
        unreadable,
        rawLineCount: lines.length,
        droppedLines: lines.length - read.length,
        positions,
        loose,
      };
    };
  if (type === 'ICR') {
    const lines: (IcrLine | undefined)[] = [];
    for (const raw of rawLines) {
      lines.push(readIcrLine(r, raw, lines.length, loose));
      if (lines.length % STEP_LINES === 0) yield;
    }
    return r.finish(
      () => ({
        type,
        ...header(),
        period: period as { from: string; to: string },
        lines: lines as IcrLine[],
      }),
      partial(lines),
    );
  }
  if (type === 'MBR') {
    const lines: (MbrLine | undefined)[] = [];
    for (const raw of rawLines) {
      lines.push(readMbrLine(r, raw, lines.length));
      if (lines.length % STEP_LINES === 0) yield;
    }
    return r.finish(
      () => ({ type, ...header(), pit: pit as string, lines: lines as MbrLine[] }),
      partial(lines),
    );
  }
  const lines: (InventoryLine | undefined)[] = [];
  for (const raw of rawLines) {
    lines.push(readInventoryLine(r, raw, lines.length, loose));
    if (lines.length % STEP_LINES === 0) yield;
  }
  return r.finish(
    () => ({ type, ...header(), pit: pit as string, lines: lines as InventoryLine[] }),
    partial(lines),
  );
}

function unreachable(): never {
  throw new Error('a report with problems is never built');
}

function lineStart(r: ReportReader, raw: unknown, i: number, allowed: ReadonlySet<string>) {
  const path = `lines[${i}]`;
  if (!isObj(raw)) {
    r.add(wrongType('object', raw), path, `a line must be an object, not ${typeName(raw)}`, i + 1);
    return undefined;
  }
  const declared = raw.line;
  const lineNo =
    typeof declared === 'number' && Number.isSafeInteger(declared) && declared >= 1
      ? declared
      : typeof declared === 'string' && INT_TEXT_RE.test(declared) && Number(declared) >= 1
        ? Number(declared)
        : i + 1;
  r.checkKeys(raw, allowed, path, lineNo);
  const line = r.int(raw, 'line', path, lineNo, 1);
  return { raw, path, lineNo, line };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/*
 * Lines are made by constructors, not object literals (issue 15 item 9, decision 0051): V8 then
 * keeps a line's optional fields inside the object (in-object slack tracking) instead of in a
 * second, separate property array, 24 bytes less per line (about 22 MB for 900 000 lines). The
 * prototype is Object.prototype, so a line stays a plain object in every respect: the same keys
 * in the same order, the same JSON, equal to the literal it was before.
 */
const IcrLineObject = function (
  this: Mutable<IcrLine>,
  line: number,
  date: string,
  code: string,
  batch: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
) {
  this.line = line;
  this.date = date;
  this.code = code;
  this.batch = batch;
  this.kmp = kmp;
  this.element = element;
  this.weightMg = weightMg;
} as unknown as new (
  line: number,
  date: string,
  code: string,
  batch: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
) => Mutable<IcrLine>;
IcrLineObject.prototype = Object.prototype;

const InventoryLineObject = function (
  this: Mutable<InventoryLine>,
  line: number,
  batch: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
) {
  this.line = line;
  this.batch = batch;
  this.kmp = kmp;
  this.element = element;
  this.weightMg = weightMg;
} as unknown as new (
  line: number,
  batch: string,
  kmp: string,
  element: ElementCode,
  weightMg: number,
) => Mutable<InventoryLine>;
InventoryLineObject.prototype = Object.prototype;

function readIcrLine(r: ReportReader, raw: unknown, i: number, loose: LooseLine[]): IcrLine | undefined {
  const before = r.problemCount;
  const s = lineStart(r, raw, i, ICR_LINE_SET);
  if (s === undefined) return undefined;
  const { path, lineNo } = s;
  const o = s.raw;
  const date = r.date(o, 'date', path, lineNo);
  const code = r.str(o, 'code', path, lineNo, 'code');
  const batch = r.str(o, 'batch', path, lineNo, 'id');
  const kmp = r.str(o, 'kmp', path, lineNo, 'code');
  const element = r.element(o, 'element', path, lineNo);
  const weightMg = r.weight(o, 'weight', path, lineNo);
  const fissileMg = r.weight(o, 'fissileWeight', path, lineNo, false);
  const isotope = r.str(o, 'isotope', path, lineNo, 'code', false);
  const basis = r.str(o, 'basis', path, lineNo, 'code', false);
  const form = r.str(o, 'form', path, lineNo, 'code', false);
  let counterpart: Counterpart | undefined;
  const cp = r.object(o, 'counterpart', path, lineNo, false);
  if (cp !== undefined) {
    const cpPath = `${path}.counterpart`;
    r.checkKeys(cp, COUNTERPART_SET, cpPath, lineNo);
    const state = r.str(cp, 'state', cpPath, lineNo, 'code');
    const mba = r.str(cp, 'mba', cpPath, lineNo, 'code', false);
    if (state !== undefined) counterpart = r.counterpart(state, mba);
  }
  const notice = r.str(o, 'notice', path, lineNo, 'id', false);
  const corrects = r.lineRef(o, 'corrects', path, lineNo);
  const deletes = r.lineRef(o, 'deletes', path, lineNo);
  if (corrects !== undefined && deletes !== undefined) {
    r.add(
      problemOf('FIELD_CONFLICT.correctsAndDeletes', {}),
      `${path}.deletes`,
      'a line either corrects or deletes, not both',
      lineNo,
    );
  }
  // A line with problems of its own is left out; the lines around it still count for a partial
  // report, and what did read of it is kept so its other problems are found too.
  if (r.problemCount > before) {
    loose.push(
      looseLine(
        i,
        lineNo,
        { date, code, kmp, element, weightMg, fissileMg, isotope, basis },
        isCorrection(o),
      ),
    );
    return undefined;
  }
  const line = new IcrLineObject(
    s.line as number,
    date as string,
    code as string,
    batch as string,
    kmp as string,
    element as ElementCode,
    weightMg as number,
  );
  if (fissileMg !== undefined) line.fissileMg = fissileMg;
  if (isotope !== undefined) line.isotope = isotope;
  if (basis !== undefined) line.basis = basis;
  if (form !== undefined) line.form = form;
  if (counterpart !== undefined) line.counterpart = counterpart;
  if (notice !== undefined) line.notice = notice;
  if (corrects !== undefined) line.corrects = corrects;
  if (deletes !== undefined) line.deletes = deletes;
  return line;
}

function readInventoryLine(
  r: ReportReader,
  raw: unknown,
  i: number,
  loose: LooseLine[],
): InventoryLine | undefined {
  const before = r.problemCount;
  const s = lineStart(r, raw, i, INVENTORY_LINE_SET);
  if (s === undefined) return undefined;
  const { path, lineNo } = s;
  const o = s.raw;
  const item = r.str(o, 'item', path, lineNo, 'id', false);
  const batch = r.str(o, 'batch', path, lineNo, 'id');
  const kmp = r.str(o, 'kmp', path, lineNo, 'code');
  const element = r.element(o, 'element', path, lineNo);
  const weightMg = r.weight(o, 'weight', path, lineNo);
  const fissileMg = r.weight(o, 'fissileWeight', path, lineNo, false);
  const isotope = r.str(o, 'isotope', path, lineNo, 'code', false);
  const basis = r.str(o, 'basis', path, lineNo, 'code', false);
  const form = r.str(o, 'form', path, lineNo, 'code', false);
  if (r.problemCount > before) {
    loose.push(looseLine(i, lineNo, { kmp, element, weightMg, fissileMg, isotope, basis }, false));
    return undefined;
  }
  const line = new InventoryLineObject(
    s.line as number,
    batch as string,
    kmp as string,
    element as ElementCode,
    weightMg as number,
  );
  if (item !== undefined) line.item = item;
  if (fissileMg !== undefined) line.fissileMg = fissileMg;
  if (isotope !== undefined) line.isotope = isotope;
  if (basis !== undefined) line.basis = basis;
  if (form !== undefined) line.form = form;
  return line;
}

/** What did read of a dropped line, without the fields that did not. */
function looseLine(
  position: number,
  line: number,
  fields: Record<string, string | number | undefined>,
  correction: boolean,
): LooseLine {
  const out: Record<string, string | number | boolean> = { position, line };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  if (correction) out.correction = true;
  return out as unknown as LooseLine;
}

/** Names a line it corrects or deletes, readable or not (its date may then precede the period). */
function isCorrection(o: Obj): boolean {
  return Object.hasOwn(o, 'corrects') || Object.hasOwn(o, 'deletes');
}

function readMbrLine(r: ReportReader, raw: unknown, i: number): MbrLine | undefined {
  const before = r.problemCount;
  const s = lineStart(r, raw, i, MBR_LINE_SET);
  if (s === undefined) return undefined;
  const { path, lineNo } = s;
  const o = s.raw;
  const element = r.element(o, 'element', path, lineNo);
  const entry = r.str(o, 'entry', path, lineNo, 'code');
  const weightMg = r.weight(o, 'weight', path, lineNo);
  const fissileMg = r.weight(o, 'fissileWeight', path, lineNo, false);
  if (r.problemCount > before) return undefined;
  const line: MbrLine = {
    line: s.line as number,
    element: element as ElementCode,
    entry: entry as string,
    weightMg: weightMg as number,
  };
  return fissileMg === undefined ? line : { ...line, fissileMg };
}

function readNotice(r: ReportReader, root: Obj): NoticeBody | undefined {
  const o = r.object(root, 'notice', '', undefined, true);
  if (o === undefined) return undefined;
  const p = 'notice';
  r.checkKeys(o, NOTICE_SET, p);
  const reference = r.str(o, 'reference', p, undefined, 'id');
  const otherState = r.str(o, 'otherState', p, undefined, 'code');
  const otherMba = r.str(o, 'otherMba', p, undefined, 'code', false);
  const element = r.element(o, 'element', p, undefined);
  const weightMg = r.weight(o, 'weight', p, undefined);
  const fissileMg = r.weight(o, 'fissileWeight', p, undefined, false);
  const form = r.str(o, 'form', p, undefined, 'code', false);
  let batches: string[] | undefined;
  if (Object.hasOwn(o, 'batches')) {
    const b = o.batches;
    if (!Array.isArray(b)) {
      r.add(
        wrongType('array', b),
        'notice.batches',
        `"batches" must be an array of batch names, not ${typeName(b)}`,
      );
    } else {
      batches = [];
      for (let i = 0; i < b.length; i++) {
        const v: unknown = b[i];
        const f = `notice.batches[${i}]`;
        if (typeof v !== 'string')
          r.add(wrongType('string', v), f, `a batch name must be a string, not ${typeName(v)}`);
        else if (v === '') r.add(problemOf('FIELD_MISSING', {}), f, 'empty batch name');
        else {
          const ok = r.checkString(v, f, undefined, 'id');
          if (ok !== undefined) batches.push(ok);
        }
      }
    }
  }
  const preparationDate = r.date(o, 'preparationDate', p, undefined);
  const dispatchDate = r.date(o, 'dispatchDate', p, undefined);
  const arrivalDate = r.date(o, 'arrivalDate', p, undefined);
  if (r.problemCount > 0) return undefined;
  const n: { -readonly [K in keyof NoticeBody]: NoticeBody[K] } = {
    reference: reference as string,
    otherState: otherState as string,
    element: element as ElementCode,
    weightMg: weightMg as number,
    preparationDate: preparationDate as string,
    dispatchDate: dispatchDate as string,
    arrivalDate: arrivalDate as string,
  };
  if (otherMba !== undefined) n.otherMba = otherMba;
  if (fissileMg !== undefined) n.fissileMg = fissileMg;
  if (form !== undefined) n.form = form;
  if (batches !== undefined) n.batches = batches;
  return n;
}
