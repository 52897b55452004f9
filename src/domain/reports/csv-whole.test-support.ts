/**
 * The CSV reader as it was before decision 0034, kept verbatim as the oracle of the streamed one
 * (csv.ts): every record tokenized first, then the whole tree, then the model. Tests only.
 */
import type { ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';
import { readReport } from './build-report.js';
import { unneutraliseCell } from './csv.js';
import { tokenizeCsv } from './csv-tokenize.js';
import { EMPTY_REPORT } from './json.js';
import type { ParseResult, PartialReport, ReadOptions } from './parse.types.js';
import { detailOf } from './problems.js';
import { ICR_LINE_KEYS, INVENTORY_LINE_KEYS, MBR_LINE_KEYS, NOTICE_KEYS } from './report-keys.js';

const CSV_HEADER_KEYS: readonly string[] = [
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

const ICR_CSV_COLUMNS: readonly string[] = ICR_LINE_KEYS.flatMap((k) =>
  k === 'counterpart'
    ? ['counterpart.state', 'counterpart.mba']
    : k === 'corrects' || k === 'deletes'
      ? [`${k}.reportNumber`, `${k}.line`]
      : [k],
);
const INVENTORY_CSV_COLUMNS: readonly string[] = INVENTORY_LINE_KEYS;
const MBR_CSV_COLUMNS: readonly string[] = MBR_LINE_KEYS;
const ALL_LINE_COLUMNS = new Set([...ICR_CSV_COLUMNS, ...INVENTORY_CSV_COLUMNS, ...MBR_CSV_COLUMNS]);

function columnsFor(type: unknown): ReadonlySet<string> {
  if (type === 'ICR') return new Set(ICR_CSV_COLUMNS);
  if (type === 'PIL' || type === 'INITIAL') return new Set(INVENTORY_CSV_COLUMNS);
  if (type === 'MBR') return new Set(MBR_CSV_COLUMNS);
  if (type === 'EXPORT_NOTICE' || type === 'IMPORT_NOTICE') return new Set();
  return ALL_LINE_COLUMNS;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

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
export function parseReportCsvWhole(bytes: Uint8Array, options: ReadOptions = {}): ParseResult {
  try {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return {
        ok: false,
        details: [detailOf(problemOf('MALFORMED.notUtf8', {}), undefined, 'the report is not valid UTF-8')],
      };
    }
    // One clear problem for an empty file, not six missing header fields (issue 16 item 6).
    if (text.replace(/[\s,;]/g, '') === '')
      return { ok: false, details: [detailOf(problemOf('MALFORMED.empty', {}), undefined, EMPTY_REPORT)] };
    const delimiter = detectDelimiter(text);
    const tokens = tokenizeCsv(text, delimiter);
    if (!tokens.ok) {
      return {
        ok: false,
        details: [
          detailOf(
            problemOf('MALFORMED.notCsv', { record: tokens.row, reason: tokens.reason }),
            undefined,
            `the report is not valid CSV (record ${tokens.row}): ${tokens.message}`,
          ),
        ],
      };
    }
    const records = tokens.records;
    const problems: Problem[] = [];
    const tree = readRecords(records, problems, delimiter);
    const result = readReport(tree, 'csv', { ...options, decimalComma: delimiter === ';' });
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
  } catch {
    return {
      ok: false,
      details: [detailOf(problemOf('MALFORMED.unreadable', {}), undefined, 'the report could not be read')],
    };
  }
}

/**
 * The records become the report's tree. Each line's record is let go once its row is built
 * (`records` belongs to parseReportCsv), so the tokens of a big file and its tree are never all in
 * memory at once (issue 15 item 9: memory within 8× the body).
 */
function readRecords(records: (string[] | undefined)[], problems: Problem[], delimiter: ',' | ';'): Tree {
  const tree: Tree = {};
  const seen = new Set<string>();
  let i = 0;
  for (; i < records.length; i++) {
    const rec = records[i] as string[];
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
      .map((c) => (UNTRIMMED.has(key) ? unneutraliseCell(c) : unneutraliseCell(c).trim()));
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
  if (i >= records.length) return tree;

  const allowed = columnsFor(tree.type);
  const header = records[i] as string[];
  const columns: (readonly string[] | undefined)[] = [];
  const names = new Set<string>();
  for (const raw of header) {
    const name = unneutraliseCell(raw).trim();
    if (name === '') {
      columns.push(undefined);
    } else if (!allowed.has(name)) {
      problems.push(detailOf(problemOf('FIELD_UNKNOWN', {}), name.slice(0, 64), 'unknown column'));
      columns.push(REPORTED);
    } else if (names.has(name)) {
      problems.push(detailOf(problemOf('FIELD_DUPLICATE', {}), name, 'column given twice'));
      columns.push(REPORTED);
    } else {
      names.add(name);
      columns.push(name.split('.'));
    }
  }
  const lines: Tree[] = [];
  for (let r = i + 1; r < records.length; r++) {
    const rec = records[r] as string[];
    records[r] = undefined;
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
          `lines[${lines.length}]`,
          `the row has ${rec.length} cells but the header has ${header.length}` +
            (delimiter === ','
              ? ': with commas as the separator a decimal comma splits a number in two; write decimals with a point (300000.5), or separate the file with semicolons'
              : ''),
          lines.length + 1,
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
            `lines[${lines.length}]`,
            `a value in column ${c + 1}, which has no known name`,
            lines.length + 1,
          ),
        );
        continue;
      }
      setPath(row, path, value);
    }
    lines.push(row);
  }
  tree.lines = lines;
  return tree;
}
