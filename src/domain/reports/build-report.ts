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
import type { ErrorDetail } from '../errors.js';
import { ELEMENT_CODES } from './codes.js';
import { isIsoDate } from './dates.js';
import type {
  Counterpart,
  ElementCode,
  IcrLine,
  InventoryLine,
  LineRef,
  MbrLine,
  NoticeBody,
  Report,
  ReportType,
} from './report.types.js';
import { parseWeight } from './weight.js';

export type ParseResult =
  | { readonly ok: true; readonly report: Report }
  | {
      readonly ok: false;
      readonly details: readonly ErrorDetail[];
      /** What could be read of a report with problems, so that validation can add its own. */
      readonly partial?: PartialReport;
    };

/** Header fields of a report that the reader may fail to read (their values are then placeholders). */
export type HeaderField = 'reportNumber' | 'reportDate' | 'lineCount' | 'period' | 'pit';

/**
 * The readable part of a report with problems (declarations issue: "every problem at once"): its
 * type and MBA were read, and every line that read cleanly is there. The registry and account
 * checks run on it too, skipping what depends on an unreadable field or on a dropped line, so that
 * a state sees its format mistakes and, say, its unknown KMPs in one answer.
 */
export interface PartialReport {
  readonly report: Report;
  /** Header fields that could not be read; `report` holds placeholders for them. */
  readonly unreadable: ReadonlySet<HeaderField>;
  /** How many lines the document holds, readable or not. */
  readonly rawLineCount: number;
  /** How many of them could not be read and are missing from `report.lines`. */
  readonly droppedLines: number;
  /** The position in the document of each line of `report.lines` (0-based, as in field paths). */
  readonly positions: readonly number[];
}

export interface ReadOptions {
  /** Stop recording after this many details; one TOO_MANY_ERRORS detail then says how many were left out. */
  readonly maxDetails?: number;
}

export const DEFAULT_MAX_DETAILS = 1000;

/** The last detail of a list cut at its maximum: how many problems were left out. */
export function tooManyErrors(omitted: number): ErrorDetail {
  return { code: 'TOO_MANY_ERRORS', message: `${omitted} further problems not listed` };
}

/** How many problems a TOO_MANY_ERRORS detail (tooManyErrors) says were left out; 0 for any other. */
export function omittedBy(d: ErrorDetail): number {
  return d.code === 'TOO_MANY_ERRORS' ? Number(/^(\d+) /.exec(d.message)?.[1] ?? 0) : 0;
}

export const REPORT_TYPES: readonly ReportType[] = [
  'ICR',
  'PIL',
  'MBR',
  'INITIAL',
  'EXPORT_NOTICE',
  'IMPORT_NOTICE',
];

const HEADER_KEYS = ['type', 'mba', 'reportNumber', 'reportDate', 'reportingPerson', 'lineCount', 'note'];
export const REPORT_KEYS: Readonly<Record<ReportType, ReadonlySet<string>>> = {
  ICR: new Set([...HEADER_KEYS, 'period', 'lines']),
  PIL: new Set([...HEADER_KEYS, 'pit', 'lines']),
  INITIAL: new Set([...HEADER_KEYS, 'pit', 'lines']),
  MBR: new Set([...HEADER_KEYS, 'pit', 'lines']),
  EXPORT_NOTICE: new Set([...HEADER_KEYS, 'notice', 'lines']),
  IMPORT_NOTICE: new Set([...HEADER_KEYS, 'notice', 'lines']),
};
export const ICR_LINE_KEYS: readonly string[] = [
  'line',
  'date',
  'code',
  'batch',
  'kmp',
  'element',
  'weight',
  'fissileWeight',
  'isotope',
  'basis',
  'form',
  'counterpart',
  'notice',
  'corrects',
  'deletes',
];
export const INVENTORY_LINE_KEYS: readonly string[] = [
  'line',
  'item',
  'batch',
  'kmp',
  'element',
  'weight',
  'fissileWeight',
  'isotope',
  'basis',
  'form',
];
export const MBR_LINE_KEYS: readonly string[] = ['line', 'element', 'entry', 'weight', 'fissileWeight'];
export const NOTICE_KEYS: readonly string[] = [
  'reference',
  'otherState',
  'otherMba',
  'element',
  'weight',
  'fissileWeight',
  'form',
  'batches',
  'preparationDate',
  'dispatchDate',
  'arrivalDate',
];
const ICR_LINE_SET = new Set(ICR_LINE_KEYS);
const INVENTORY_LINE_SET = new Set(INVENTORY_LINE_KEYS);
const MBR_LINE_SET = new Set(MBR_LINE_KEYS);
const NOTICE_SET = new Set(NOTICE_KEYS);
const PERIOD_SET = new Set(['from', 'to']);
const COUNTERPART_SET = new Set(['state', 'mba']);
const LINE_REF_SET = new Set(['reportNumber', 'line']);

type StringKind = 'code' | 'id' | 'text' | 'note';
// Codes (MBA, KMP, state, inventory change, isotope, basis, form): short, no spaces, and never
// starting with a spreadsheet formula character.
const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._/*-]{0,31}$/;
// Names (batch, item, notice reference, person): printable, no surrounding whitespace.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a note may hold line breaks and tabs only
const NOTE_CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a cheap first test for anything the two below refuse
const SUSPECT_RE = /[\u0000-\u001f\u007f\uD800-\uDFFF]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_LEN: Record<StringKind, number> = { code: 32, id: 100, text: 200, note: 10_000 };
const INT_TEXT_RE = /^\d{1,16}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export class ReportReader {
  readonly details: ErrorDetail[] = [];
  private omitted = 0;

  constructor(
    private readonly mode: 'json' | 'csv',
    private readonly maxDetails: number,
    private readonly decimalComma = false,
  ) {}

  add(code: string, field: string | undefined, message: string, line?: number): void {
    if (this.details.length >= this.maxDetails) {
      this.omitted++;
      return;
    }
    const d: ErrorDetail =
      line === undefined
        ? field === undefined
          ? { code, message }
          : { field, code, message }
        : field === undefined
          ? { line, code, message }
          : { line, field, code, message };
    this.details.push(d);
  }

  get problemCount(): number {
    return this.details.length + this.omitted;
  }

  finish(build: () => Report, partial?: () => PartialReport | undefined): ParseResult {
    if (this.problemCount === 0) return { ok: true, report: build() };
    const details = [...this.details];
    if (this.omitted > 0) {
      details.push(tooManyErrors(this.omitted));
    }
    const p = partial?.();
    return p === undefined ? { ok: false, details } : { ok: false, details, partial: p };
  }

  checkKeys(obj: Obj, allowed: ReadonlySet<string>, path: string, line?: number): void {
    for (const key in obj) {
      if (!allowed.has(key)) {
        this.add('FIELD_UNKNOWN', join(path, key), `unknown field "${key.slice(0, 64)}"`, line);
      }
    }
  }

  /** The value at obj[key], or undefined if absent; records FIELD_MISSING when required. */
  private present(obj: Obj, key: string, path: string, line: number | undefined, required: boolean) {
    // Keys asked for are fixed field names, none of which Object.prototype carries.
    const v = obj[key];
    // An empty string is "no value": a spreadsheet cannot tell an empty cell from a missing one.
    if (v === undefined || v === '') {
      if (required) this.add('FIELD_MISSING', join(path, key), `"${key}" is required`, line);
      return undefined;
    }
    if (v === null) {
      this.add('FIELD_TYPE', join(path, key), `"${key}" must not be null`, line);
      return undefined;
    }
    return v;
  }

  str(obj: Obj, key: string, path: string, line: number | undefined, kind: StringKind, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add('FIELD_TYPE', field, `"${key}" must be a string, not ${typeName(v)}`, line);
      return undefined;
    }
    return this.checkString(v, field, line, kind);
  }

  checkString(v: string, field: string, line: number | undefined, kind: StringKind): string | undefined {
    if (v.length > MAX_LEN[kind]) {
      this.add('FIELD_FORMAT', field, `longer than ${MAX_LEN[kind]} characters`, line);
      return undefined;
    }
    if (kind === 'code') {
      if (!CODE_RE.test(v)) {
        this.add('FIELD_FORMAT', field, `"${v}" is not a code (letters, digits, . _ / * -)`, line);
        return undefined;
      }
      return v;
    }
    const bad =
      (SUSPECT_RE.test(v) &&
        ((kind === 'note' ? NOTE_CONTROL_RE.test(v) : CONTROL_RE.test(v)) || LONE_SURROGATE_RE.test(v))) ||
      (kind === 'id' && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32) && v.trim() !== v);
    if (bad) {
      this.add('FIELD_FORMAT', field, 'control characters, unpaired surrogates or surrounding spaces', line);
      return undefined;
    }
    return v;
  }

  int(obj: Obj, key: string, path: string, line: number | undefined, min: number, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    let n: number;
    if (this.mode === 'csv' && typeof v === 'string') {
      if (!INT_TEXT_RE.test(v)) {
        this.add('FIELD_FORMAT', field, `"${v.slice(0, 32)}" is not a whole number`, line);
        return undefined;
      }
      n = Number(v);
    } else if (typeof v === 'number') {
      if (!Number.isInteger(v)) {
        this.add('FIELD_FORMAT', field, `${v} is not a whole number`, line);
        return undefined;
      }
      n = v;
    } else {
      this.add('FIELD_TYPE', field, `"${key}" must be a number, not ${typeName(v)}`, line);
      return undefined;
    }
    if (n < min || n > Number.MAX_SAFE_INTEGER) {
      this.add('OUT_OF_RANGE', field, `${n} is out of range (at least ${min})`, line);
      return undefined;
    }
    return n;
  }

  date(obj: Obj, key: string, path: string, line: number | undefined, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add('FIELD_TYPE', field, `"${key}" must be a date string, not ${typeName(v)}`, line);
      return undefined;
    }
    if (!isIsoDate(v)) {
      this.add('FIELD_FORMAT', field, `"${v.slice(0, 32)}" is not a calendar date YYYY-MM-DD`, line);
      return undefined;
    }
    return v;
  }

  /** Always signed: which entries may be negative is a validation rule (NEGATIVE_WEIGHT). */
  weight(obj: Obj, key: string, path: string, line: number | undefined, required = true) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'number' && typeof v !== 'string') {
      this.add('FIELD_TYPE', field, `"${key}" must be a number of grams, not ${typeName(v)}`, line);
      return undefined;
    }
    const r = parseWeight(v, { signed: true, decimalComma: this.decimalComma });
    if (!r.ok) {
      this.add(r.code, field, r.message, line);
      return undefined;
    }
    return r.mg;
  }

  element(obj: Obj, key: string, path: string, line: number | undefined): ElementCode | undefined {
    const v = this.present(obj, key, path, line, true);
    if (v === undefined) return undefined;
    const field = join(path, key);
    if (typeof v !== 'string') {
      this.add('FIELD_TYPE', field, `"${key}" must be a string, not ${typeName(v)}`, line);
      return undefined;
    }
    if (!(ELEMENT_CODES as readonly string[]).includes(v)) {
      this.add('UNKNOWN_ELEMENT', field, `"${v.slice(0, 32)}" is not an element code (P, E, N, D, T)`, line);
      return undefined;
    }
    return v as ElementCode;
  }

  object(obj: Obj, key: string, path: string, line: number | undefined, required: boolean) {
    const v = this.present(obj, key, path, line, required);
    if (v === undefined) return undefined;
    if (!isObj(v)) {
      this.add('FIELD_TYPE', join(path, key), `"${key}" must be an object, not ${typeName(v)}`, line);
      return undefined;
    }
    return v;
  }

  lines(root: Obj): readonly unknown[] | undefined {
    const v = Object.hasOwn(root, 'lines') ? root.lines : undefined;
    if (v === undefined) {
      this.add('FIELD_MISSING', 'lines', '"lines" is required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add('FIELD_TYPE', 'lines', `"lines" must be an array, not ${typeName(v)}`);
      return undefined;
    }
    return v;
  }

  lineRef(obj: Obj, key: string, path: string, line: number | undefined): LineRef | undefined {
    const o = this.object(obj, key, path, line, false);
    if (o === undefined) return undefined;
    const p = join(path, key);
    this.checkKeys(o, LINE_REF_SET, p, line);
    const reportNumber = this.int(o, 'reportNumber', p, line, 1);
    const ln = this.int(o, 'line', p, line, 1);
    return reportNumber === undefined || ln === undefined ? undefined : { reportNumber, line: ln };
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Build the report model from a JSON value (or the CSV parser's tree of strings). */
export function readReport(
  root: unknown,
  mode: 'json' | 'csv',
  options: ReadOptions & { decimalComma?: boolean } = {},
): ParseResult {
  const r = new ReportReader(mode, options.maxDetails ?? DEFAULT_MAX_DETAILS, options.decimalComma);
  if (!isObj(root)) {
    r.add('MALFORMED', undefined, `a report must be an object, not ${typeName(root)}`);
    return r.finish(unreachable);
  }
  const typeValue = r.str(root, 'type', '', undefined, 'code');
  let type: ReportType | undefined;
  if (typeValue !== undefined) {
    if ((REPORT_TYPES as readonly string[]).includes(typeValue)) type = typeValue as ReportType;
    else r.add('FIELD_FORMAT', 'type', `"${typeValue}" is not a report type (${REPORT_TYPES.join(', ')})`);
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
      r.add('FIELD_TYPE', 'lines', `"lines" must be an array, not ${typeName(lines)}`);
    else if (lines.length > 0) r.add('FIELD_FORMAT', 'lines', 'a notice has no lines');
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

  const rawLines = r.lines(root);
  if (rawLines === undefined) return r.finish(unreachable);
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
        rawLineCount: rawLines.length,
        droppedLines: rawLines.length - read.length,
        positions,
      };
    };
  if (type === 'ICR') {
    const lines: (IcrLine | undefined)[] = new Array(rawLines.length);
    for (let i = 0; i < rawLines.length; i++) lines[i] = readIcrLine(r, rawLines[i], i);
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
    const lines: (MbrLine | undefined)[] = new Array(rawLines.length);
    for (let i = 0; i < rawLines.length; i++) lines[i] = readMbrLine(r, rawLines[i], i);
    return r.finish(
      () => ({ type, ...header(), pit: pit as string, lines: lines as MbrLine[] }),
      partial(lines),
    );
  }
  const lines: (InventoryLine | undefined)[] = new Array(rawLines.length);
  for (let i = 0; i < rawLines.length; i++) lines[i] = readInventoryLine(r, rawLines[i], i);
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
    r.add('FIELD_TYPE', path, `a line must be an object, not ${typeName(raw)}`, i + 1);
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

function readIcrLine(r: ReportReader, raw: unknown, i: number): IcrLine | undefined {
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
    if (state !== undefined) counterpart = mba === undefined ? { state } : { state, mba };
  }
  const notice = r.str(o, 'notice', path, lineNo, 'id', false);
  const corrects = r.lineRef(o, 'corrects', path, lineNo);
  const deletes = r.lineRef(o, 'deletes', path, lineNo);
  if (corrects !== undefined && deletes !== undefined) {
    r.add('FIELD_CONFLICT', `${path}.deletes`, 'a line either corrects or deletes, not both', lineNo);
  }
  // A line with problems of its own is left out; the lines around it still count for a partial report.
  if (r.problemCount > before) return undefined;
  const line: {
    -readonly [K in keyof IcrLine]: IcrLine[K];
  } = {
    line: s.line as number,
    date: date as string,
    code: code as string,
    batch: batch as string,
    kmp: kmp as string,
    element: element as ElementCode,
    weightMg: weightMg as number,
  };
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

function readInventoryLine(r: ReportReader, raw: unknown, i: number): InventoryLine | undefined {
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
  if (r.problemCount > before) return undefined;
  const line: { -readonly [K in keyof InventoryLine]: InventoryLine[K] } = {
    line: s.line as number,
    batch: batch as string,
    kmp: kmp as string,
    element: element as ElementCode,
    weightMg: weightMg as number,
  };
  if (item !== undefined) line.item = item;
  if (fissileMg !== undefined) line.fissileMg = fissileMg;
  if (isotope !== undefined) line.isotope = isotope;
  if (basis !== undefined) line.basis = basis;
  if (form !== undefined) line.form = form;
  return line;
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
      r.add('FIELD_TYPE', 'notice.batches', `"batches" must be an array of batch names, not ${typeName(b)}`);
    } else {
      batches = [];
      for (let i = 0; i < b.length; i++) {
        const v: unknown = b[i];
        const f = `notice.batches[${i}]`;
        if (typeof v !== 'string')
          r.add('FIELD_TYPE', f, `a batch name must be a string, not ${typeName(v)}`);
        else if (v === '') r.add('FIELD_MISSING', f, 'empty batch name');
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
