/**
 * The CSV wire format of reports (docs/csv-format.md): a block of `key,value` rows carrying the
 * header, then one column-header row starting with `line`, then one row per report line. Column
 * and key names are the JSON paths of the values (`period.from`, `counterpart.state`), so a CSV
 * report and a JSON report are the same tree and go through the same reader.
 */
import { stringify } from 'csv-stringify/sync';
import type { ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';
import { readReportSteps } from './build-report.js';
import { csvRecords, type TokenizeError } from './csv-tokenize.js';
import { EMPTY_REPORT } from './json.js';
import type { ParseResult, PartialReport, ReadOptions } from './parse.types.js';
import { detailOf } from './problems.js';
import type { IcrLine, InventoryLine, MbrLine, Report } from './report.types.js';
import { ICR_LINE_KEYS, INVENTORY_LINE_KEYS, MBR_LINE_KEYS, NOTICE_KEYS } from './report-keys.js';
import { runSteps, STEP_LINES, type Steps } from './steps.js';
import { NOT_UTF8, PIECE_BYTES, Utf8Pieces } from './utf8-pieces.js';
import { formatWeightText } from './weight.js';

export const CSV_HEADER_KEYS: readonly string[] = [
  'type',
  'mba',
  'reportNumber',
  'reportDate',
  'period.from',
  'period.to',
  'pit',
  'reportingPerson',
  'lineCount',
  'note',
  ...NOTICE_KEYS.map((k) => `notice.${k}`),
];
const HEADER_KEY_SET = new Set(CSV_HEADER_KEYS);
/** Free text keeps its spaces; every other cell is trimmed (spreadsheets pad cells). */
const UNTRIMMED = new Set(['reportingPerson', 'note']);

export const ICR_CSV_COLUMNS: readonly string[] = ICR_LINE_KEYS.flatMap((k) =>
  k === 'counterpart'
    ? ['counterpart.state', 'counterpart.mba']
    : k === 'corrects' || k === 'deletes'
      ? [`${k}.reportNumber`, `${k}.line`]
      : [k],
);
export const INVENTORY_CSV_COLUMNS: readonly string[] = INVENTORY_LINE_KEYS;
export const MBR_CSV_COLUMNS: readonly string[] = MBR_LINE_KEYS;
const ALL_LINE_COLUMNS = new Set([...ICR_CSV_COLUMNS, ...INVENTORY_CSV_COLUMNS, ...MBR_CSV_COLUMNS]);

function columnsFor(type: unknown): ReadonlySet<string> {
  if (type === 'ICR') return new Set(ICR_CSV_COLUMNS);
  if (type === 'PIL' || type === 'INITIAL') return new Set(INVENTORY_CSV_COLUMNS);
  if (type === 'MBR') return new Set(MBR_CSV_COLUMNS);
  if (type === 'EXPORT_NOTICE' || type === 'IMPORT_NOTICE') return new Set();
  return ALL_LINE_COLUMNS;
}

// OWASP "CSV injection": a cell starting with = + - @ (or tab, carriage return) may run as a
// formula in a spreadsheet. Writing prefixes one apostrophe; to stay reversible, a value that
// already starts with apostrophes followed by such a character gets one more.
const FORMULA_RE = /^'*[=+\-@\t\r]/;
const ESCAPED_RE = /^'+[=+\-@\t\r]/;

/** Cell text safe to open in a spreadsheet (reversed by `unneutraliseCell`). */
export function neutraliseCell(value: string): string {
  return FORMULA_RE.test(value) ? `'${value}` : value;
}

/** Undo `neutraliseCell`; an apostrophe typed before a formula character in a spreadsheet is dropped too. */
export function unneutraliseCell(cell: string): string {
  return cell.charCodeAt(0) === 39 && ESCAPED_RE.test(cell) ? cell.slice(1) : cell;
}

const NOT_UTF8_DETAIL = () =>
  detailOf(problemOf('MALFORMED.notUtf8', {}), undefined, 'the report is not valid UTF-8');

/**
 * The value as a string of its own. A cell is a slice of the decoded body, and V8 keeps a slice
 * of 13 characters or more as a reference into that whole text: one such value in the report (a
 * reporting person's name, a long batch name) kept the 60 MB text of a big report alive as long
 * as the report (issue 15 item 9, decision 0051). Concatenating and slicing again copies the
 * characters; the value is the same.
 */
function ownCopy(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

function detectDelimiter(text: string): ',' | ';' {
  const end = text.indexOf('\n');
  const first = end < 0 ? text : text.slice(0, end);
  const comma = first.indexOf(',');
  const semicolon = first.indexOf(';');
  if (semicolon >= 0 && (comma < 0 || semicolon < comma)) return ';';
  return ',';
}

type Tree = Record<string, unknown>;

/** Column already reported as unknown or duplicate: its cells are not reported again. */
const REPORTED: readonly string[] = [];

function setPath(tree: Tree, segments: readonly string[], value: unknown): void {
  if (segments.length === 1) {
    tree[segments[0] as string] = value;
    return;
  }
  const head = segments[0] as string;
  let child = tree[head];
  if (typeof child !== 'object' || child === null) {
    child = {};
    tree[head] = child;
  }
  (child as Tree)[segments[1] as string] = value;
}

type Problem = ErrorDetail;

/**
 * Bytes → report model, or every problem found. UTF-8 with or without BOM; comma or semicolon
 * separated (decided by the first separator on the first row; with semicolons a decimal comma is
 * accepted in weights). Never throws.
 */
export function parseReportCsv(bytes: Uint8Array, options: ReadOptions = {}): ParseResult {
  return runSteps(parseReportCsvSteps(bytes, options));
}

/** Report types whose CSV rows are report lines, read one at a time (the others keep them all). */
const STREAMED_TYPES: ReadonlySet<unknown> = new Set(['ICR', 'PIL', 'INITIAL', 'MBR']);

/**
 * parseReportCsv in steps (steps.ts). Records are tokenized, turned into a line's tree and read
 * into the model one at a time, so the tokens and the tree of a big file are never all in memory
 * (issue 15 item 9: memory within 8× the body); the answer is the same as reading them all first.
 */
export function* parseReportCsvSteps(
  bytes: Uint8Array,
  options: ReadOptions = {},
  /** Bytes decoded at a time: tests cut small bodies into many pieces with it. */
  pieceBytes = PIECE_BYTES,
): Steps<ParseResult> {
  try {
    const pieces = new Utf8Pieces(bytes, pieceBytes);
    // The text in hand before the records are read: up to its first character that is not
    // blank, and its whole first row (the delimiter is decided there).
    let head = '';
    let blank = true;
    let newline = false;
    while (blank || !newline) {
      const piece = pieces.next();
      if (piece === undefined) break;
      head += piece;
      // Each piece looked at once: a body of blanks is not searched again for every piece.
      if (blank && /[^\s,;]/.test(piece)) blank = false;
      if (!newline && piece.indexOf('\n') >= 0) newline = true;
    }
    // One clear problem for an empty file, not six missing header fields (issue 16 item 6).
    if (blank)
      return { ok: false, details: [detailOf(problemOf('MALFORMED.empty', {}), undefined, EMPTY_REPORT)] };
    const delimiter = detectDelimiter(head);
    const problems: Problem[] = [];
    const rows = new CsvRows(csvRecords(head, delimiter, pieces.next), problems, delimiter);
    const tree = rows.readHeader();
    const readOptions = { ...options, decimalComma: delimiter === ';' };
    let result: ParseResult;
    if (rows.failed === undefined && rows.hasLines && STREAMED_TYPES.has(tree.type)) {
      // Present, as in the whole tree, so the report's keys are checked alike.
      tree.lines = [];
      result = yield* readReportSteps(tree, 'csv', readOptions, rows.lines());
    } else {
      if (rows.hasLines) tree.lines = yield* rows.collect();
      result = yield* readReportSteps(tree, 'csv', readOptions);
    }
    // Rows the reader did not ask for still count: their layout problems, and whether the rest is CSV.
    yield* rows.drain();
    // Text the records stopped short of (the CSV broke off) is decoded all the same: bytes that
    // are not UTF-8 anywhere are that problem alone, as when the body was decoded first.
    while (pieces.next() !== undefined) yield;
    if (rows.failed !== undefined) {
      return {
        ok: false,
        details: [
          detailOf(
            problemOf('MALFORMED.notCsv', { record: rows.failed.row, reason: rows.failed.reason }),
            undefined,
            `the report is not valid CSV (record ${rows.failed.row}): ${rows.failed.message}`,
          ),
        ],
      };
    }
    if (problems.length === 0) return result;
    const details = [...problems, ...(result.ok ? [] : result.details)].slice(
      0,
      (options.maxDetails ?? 1000) + 1,
    );
    // Problems of the CSV layout alone (an unknown column, a repeated key) leave the report readable.
    const partial: PartialReport | undefined = result.ok
      ? {
          report: result.report,
          unreadable: new Set(),
          rawLineCount: result.report.lines.length,
          droppedLines: 0,
          positions: result.report.lines.map((_, i) => i),
        }
      : result.partial;
    return partial === undefined ? { ok: false, details } : { ok: false, details, partial };
  } catch (err) {
    // Bytes that are not UTF-8 anywhere in the body: that one problem, as when the whole body was
    // decoded before anything was read.
    if (err === NOT_UTF8) return { ok: false, details: [NOT_UTF8_DETAIL()] };
    return {
      ok: false,
      details: [detailOf(problemOf('MALFORMED.unreadable', {}), undefined, 'the report could not be read')],
    };
  }
}

/**
 * The records become the report's tree: the header block at once, then each line's row only when
 * it is asked for (`lines`), so that a line's record and tree are let go once the line is read.
 */
class CsvRows {
  /** Where the text stopped being CSV, once the records have run out. */
  failed: TokenizeError | undefined;
  /** A column-header row (`line,…`) was found: rows after it are report lines. */
  hasLines = false;
  private done = false;
  private header: string[] = [];
  private readonly columns: (readonly string[] | undefined)[] = [];
  private count = 0;

  constructor(
    private readonly records: Generator<string[], TokenizeError | undefined, void>,
    private readonly problems: Problem[],
    private readonly delimiter: ',' | ';',
  ) {}

  private next(): string[] | undefined {
    if (this.done) return undefined;
    const next = this.records.next();
    if (!next.done) return next.value;
    this.done = true;
    this.failed = next.value;
    return undefined;
  }

  /** The key-value rows up to the column-header row, and that row. */
  readHeader(): Tree {
    const { problems } = this;
    const tree: Tree = {};
    const seen = new Set<string>();
    let rec: string[] | undefined;
    for (rec = this.next(); rec !== undefined; rec = this.next()) {
      const key = unneutraliseCell(rec[0] ?? '').trim();
      if (key === 'line') break;
      if (!HEADER_KEY_SET.has(key)) {
        problems.push(detailOf(problemOf('FIELD_UNKNOWN', {}), key.slice(0, 64), 'unknown header key'));
        continue;
      }
      if (seen.has(key)) {
        problems.push(detailOf(problemOf('FIELD_DUPLICATE', {}), key, `"${key}" is given twice`));
        continue;
      }
      seen.add(key);
      const cells = rec
        .slice(1)
        .map((c) => ownCopy(UNTRIMMED.has(key) ? unneutraliseCell(c) : unneutraliseCell(c).trim()));
      if (key === 'notice.batches') {
        setPath(
          tree,
          ['notice', 'batches'],
          cells.filter((c) => c !== ''),
        );
        continue;
      }
      const value = cells[0] ?? '';
      if (cells.slice(1).some((c) => c !== '')) {
        problems.push(detailOf(problemOf('FIELD_FORMAT.oneValue', {}), key, `"${key}" takes one value`));
      }
      if (value !== '') setPath(tree, key.split('.'), value);
    }
    if (rec === undefined) return tree;

    this.hasLines = true;
    const allowed = columnsFor(tree.type);
    this.header = rec;
    const names = new Set<string>();
    for (const raw of rec) {
      const name = unneutraliseCell(raw).trim();
      if (name === '') {
        this.columns.push(undefined);
      } else if (!allowed.has(name)) {
        problems.push(detailOf(problemOf('FIELD_UNKNOWN', {}), name.slice(0, 64), 'unknown column'));
        this.columns.push(REPORTED);
      } else if (names.has(name)) {
        problems.push(detailOf(problemOf('FIELD_DUPLICATE', {}), name, 'column given twice'));
        this.columns.push(REPORTED);
      } else {
        names.add(name);
        this.columns.push(name.split('.'));
      }
    }
    return tree;
  }

  /** The next lines' trees, one at a time. */
  *lines(): Generator<Tree, void, void> {
    if (!this.hasLines) return;
    for (let rec = this.next(); rec !== undefined; rec = this.next()) yield this.row(rec);
  }

  /** Every remaining line's tree at once (a notice, or a report of no known type). */
  *collect(): Steps<Tree[]> {
    const out: Tree[] = [];
    for (const row of this.lines()) {
      out.push(row);
      if (out.length % STEP_LINES === 0) yield;
    }
    return out;
  }

  /** Reads what is left, for its problems only. */
  *drain(): Steps<void> {
    let n = 0;
    for (const _ of this.lines()) if (++n % STEP_LINES === 0) yield;
    while (this.next() !== undefined) if (++n % STEP_LINES === 0) yield;
  }

  private row(rec: string[]): Tree {
    const { header, columns, problems, delimiter } = this;
    const index = this.count++;
    const row: Tree = {};
    // More cells than the header, even empty ones (a spreadsheet's trailing cell): the row is
    // refused, since an unquoted decimal comma shifts every value after it (issue 16, decision 0024).
    if (rec.length > header.length && !rec.every((cell) => cell.trim() === '')) {
      problems.push(
        detailOf(
          problemOf('ROW_TOO_LONG', {
            cells: rec.length,
            columns: header.length,
            separator: delimiter === ',' ? 'comma' : 'semicolon',
          }),
          `lines[${index}]`,
          `the row has ${rec.length} cells but the header has ${header.length}` +
            (delimiter === ','
              ? ': with commas as the separator a decimal comma splits a number in two; write decimals with a point (300000.5), or separate the file with semicolons'
              : ''),
          index + 1,
        ),
      );
    }
    for (let c = 0; c < rec.length; c++) {
      const cell = rec[c] as string;
      if (cell === '') continue;
      const path = columns[c];
      const value = unneutraliseCell(cell).trim();
      if (value === '') continue;
      if (path === REPORTED) continue;
      if (path === undefined) {
        if (c >= header.length) continue; // reported once above as ROW_TOO_LONG
        problems.push(
          detailOf(
            problemOf('FIELD_UNKNOWN.unnamedColumn', { column: c + 1 }),
            `lines[${index}]`,
            `a value in column ${c + 1}, which has no known name`,
            index + 1,
          ),
        );
        continue;
      }
      setPath(row, path, ownCopy(value));
    }
    return row;
  }
}

export interface FormatCsvOptions {
  readonly delimiter?: ',' | ';';
  /** Start with a UTF-8 byte order mark so spreadsheets detect the encoding. Default true. */
  readonly bom?: boolean;
}

const opt = (v: string | number | undefined): string => (v === undefined ? '' : String(v));
const w = (mg: number | undefined): string => (mg === undefined ? '' : formatWeightText(mg));

/** Report model → CSV text (CRLF rows, every cell neutralised against formula injection). */
export function formatReportCsv(report: Report, options: FormatCsvOptions = {}): string {
  const rows: string[][] = [
    ['type', report.type],
    ['mba', report.mba],
    ['reportNumber', String(report.reportNumber)],
    ['reportDate', report.reportDate],
  ];
  if (report.type === 'ICR') rows.push(['period.from', report.period.from], ['period.to', report.period.to]);
  if (report.type === 'PIL' || report.type === 'INITIAL' || report.type === 'MBR')
    rows.push(['pit', report.pit]);
  rows.push(['reportingPerson', report.reportingPerson], ['lineCount', String(report.lineCount)]);
  if (report.note !== undefined) rows.push(['note', report.note]);
  switch (report.type) {
    case 'ICR':
      rows.push([], [...ICR_CSV_COLUMNS]);
      for (const l of report.lines) rows.push(icrRow(l));
      break;
    case 'MBR':
      rows.push([], [...MBR_CSV_COLUMNS]);
      for (const l of report.lines) rows.push(mbrRow(l));
      break;
    case 'PIL':
    case 'INITIAL':
      rows.push([], [...INVENTORY_CSV_COLUMNS]);
      for (const l of report.lines) rows.push(inventoryRow(l));
      break;
    default: {
      const n = report.notice;
      rows.push(['notice.reference', n.reference], ['notice.otherState', n.otherState]);
      if (n.otherMba !== undefined) rows.push(['notice.otherMba', n.otherMba]);
      rows.push(['notice.element', n.element], ['notice.weight', formatWeightText(n.weightMg)]);
      if (n.fissileMg !== undefined) rows.push(['notice.fissileWeight', formatWeightText(n.fissileMg)]);
      if (n.form !== undefined) rows.push(['notice.form', n.form]);
      if (n.batches !== undefined) rows.push(['notice.batches', ...n.batches]);
      rows.push(
        ['notice.preparationDate', n.preparationDate],
        ['notice.dispatchDate', n.dispatchDate],
        ['notice.arrivalDate', n.arrivalDate],
      );
    }
  }
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) row[c] = neutraliseCell(row[c] as string);
  }
  // csv-stringify quotes only the record delimiter itself; a lone LF or CR must be quoted too.
  const body = stringify(rows, {
    delimiter: options.delimiter ?? ',',
    record_delimiter: '\r\n',
    quoted_match: /[\r\n]/,
  });
  return options.bom === false ? body : `\uFEFF${body}`;
}

function icrRow(l: IcrLine): string[] {
  return [
    String(l.line),
    l.date,
    l.code,
    l.batch,
    l.kmp,
    l.element,
    formatWeightText(l.weightMg),
    w(l.fissileMg),
    opt(l.isotope),
    opt(l.basis),
    opt(l.form),
    opt(l.counterpart?.state),
    opt(l.counterpart?.mba),
    opt(l.notice),
    opt(l.corrects?.reportNumber),
    opt(l.corrects?.line),
    opt(l.deletes?.reportNumber),
    opt(l.deletes?.line),
  ];
}

function inventoryRow(l: InventoryLine): string[] {
  return [
    String(l.line),
    opt(l.item),
    l.batch,
    l.kmp,
    l.element,
    formatWeightText(l.weightMg),
    w(l.fissileMg),
    opt(l.isotope),
    opt(l.basis),
    opt(l.form),
  ];
}

function mbrRow(l: MbrLine): string[] {
  return [String(l.line), l.element, l.entry, formatWeightText(l.weightMg), w(l.fissileMg)];
}
