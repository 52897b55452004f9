/**
 * A strict RFC 4180 tokenizer. csv-parse (used as the reference in the tests) builds an Error
 * object for every row whose length differs from the first row's, which our layout (two-cell
 * header rows, then wide line rows) triggers on every line: 100 000 lines took over 10 s. This
 * scanner reads the same records in one pass. Rules: fields separated by the delimiter, records
 * by CRLF, LF or CR; a quoted field may hold delimiters, line breaks and doubled quotes; a quote
 * inside an unquoted field, or anything but a delimiter or line break after a closing quote, is
 * an error. Records whose fields are all empty or blank are skipped (separator rows),
 * as csv-parse's skip_records_with_empty_values does.
 */

export type TokenizeResult =
  | { readonly ok: true; readonly records: string[][] }
  | ({ readonly ok: false } & TokenizeError);

/** Where and why the text stopped being CSV. */
export interface TokenizeError {
  readonly row: number;
  /** The problem's particulars (domain/particulars.ts, MALFORMED.notCsv). */
  readonly reason: 'unclosedQuote' | 'quoteNotAtEnd' | 'quoteInside';
  readonly message: string;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Every record at once (tests and small inputs; the report parser reads them one at a time). */
export function tokenizeCsv(text: string, delimiter: ',' | ';'): TokenizeResult {
  const records: string[][] = [];
  const source = csvRecords(text, delimiter);
  for (;;) {
    const next = source.next();
    if (next.done) return next.value === undefined ? { ok: true, records } : { ok: false, ...next.value };
    records.push(next.value);
  }
}

/**
 * The records one at a time, then undefined, or the first error (issue 15 item 9: a 60 MB body
 * read whole into string arrays took several times its size before any line was read).
 *
 * `more`, when given, supplies the text after `text` a piece at a time (undefined: no more), so
 * that a big body is never one string (decision 0067). A record is only read from one string: when
 * a record runs past the text in hand, what is left of the text from that record's start is joined
 * with the next pieces (at least as much again as is carried, so a record that spans many pieces
 * is read over a number of times that grows with the logarithm of its length, not its length) and
 * the record is read again from its start. The records and the error are the same as over the
 * whole text at once, however it is cut (csv-tokenize.test.ts).
 */
export function* csvRecords(
  text: string,
  delimiter: ',' | ';',
  more?: () => string | undefined,
): Generator<string[], TokenizeError | undefined, void> {
  const delim = delimiter.charCodeAt(0);
  let n = text.length;
  let ended = more === undefined;
  let record: string[] = [];
  let allEmpty = true;
  let row = 1;
  let i = 0;
  /** Where the record being read starts in `text`. */
  let recordStart = 0;
  /**
   * The text from the record's start joined with the next pieces, to read the record again:
   * false when there was no more text (the text in hand is then all there is).
   */
  const refill = (): boolean => {
    if (ended) return false;
    let carried = text.slice(recordStart);
    const want = Math.max(1, carried.length);
    let added = 0;
    while (added < want) {
      const piece = (more as () => string | undefined)();
      if (piece === undefined) {
        ended = true;
        break;
      }
      carried += piece;
      added += piece.length;
    }
    if (added === 0) return false;
    text = carried;
    n = text.length;
    i = 0;
    recordStart = 0;
    record = [];
    allEmpty = true;
    return true;
  };
  // Each iteration reads one field starting at i.
  while (i <= n) {
    let value: string;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      let parts = '';
      let start = i + 1;
      let again = false;
      for (;;) {
        const q = text.indexOf('"', start);
        // A quote at the very end may be the first of a doubled one: the next piece decides.
        if ((q < 0 || q + 1 === n) && refill()) {
          again = true;
          break;
        }
        if (q < 0) return { row, reason: 'unclosedQuote', message: 'a quoted field is not closed' };
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts += text.slice(start, q + 1);
          start = q + 2;
          continue;
        }
        parts += text.slice(start, q);
        i = q + 1;
        break;
      }
      if (again) continue;
      value = parts;
      if (i < n) {
        const c = text.charCodeAt(i);
        if (c !== delim && c !== CR && c !== LF) {
          return { row, reason: 'quoteNotAtEnd', message: 'a closing quote must end its field' };
        }
      }
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === delim || c === CR || c === LF) break;
        if (c === QUOTE) return { row, reason: 'quoteInside', message: 'a quote inside an unquoted field' };
        j++;
      }
      if (j === n && refill()) continue;
      value = text.slice(i, j);
      i = j;
    }
    // The field ends the text in hand: whether the record goes on is in the next piece.
    if (i === n && refill()) continue;
    record.push(value);
    if (allEmpty && value.trim() !== '') allEmpty = false;
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === delim) {
      i++;
      continue;
    }
    // A CR at the end of the text in hand: a CRLF may be cut between two pieces.
    if (c === CR && i + 1 === n && refill()) continue;
    // End of record: line break or end of text.
    if (!allEmpty) yield record;
    record = [];
    allEmpty = true;
    row++;
    if (c === CR) i += text.charCodeAt(i + 1) === LF ? 2 : 1;
    else if (c === LF) i++;
    else break;
    recordStart = i;
    if (i === n && !refill()) break;
  }
  return undefined;
}
