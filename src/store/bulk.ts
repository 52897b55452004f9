import type Database from 'better-sqlite3';
import { statementCache } from './sqlite-dialect.js';

/**
 * SQLite's bound-parameter limit is 32 766 in the bundled build; 100-row statements stay far
 * below it for every table here and already amortise the per-statement cost.
 */
const ROWS_PER_STATEMENT = 100;
const chunkStatements = new WeakMap<Database.Database, Map<string, Database.Statement[]>>();

/**
 * Bulk insert on SQLite (architecture.md habit 7), on the connection the caller's transaction
 * runs on: `values` holds rows of `columns.length` values each, row after row. Rows go in through
 * multi-row prepared statements (one per table and chunk size, prepared once per connection and
 * reused), not one statement per row.
 *
 * `wholeTransaction`: the caller's transaction is rolled back whole if a statement fails (a
 * report's storing transaction). The rows then go in with `insert or fail`, which needs no
 * statement journal: with the default ABORT, SQLite copies every page a multi-row statement
 * changes into a sub-journal so it can undo that one statement, and past 64 KiB that journal is
 * a temporary file — 600 MB of writes for a 100 000-line ICR (decision 0049). A failed statement
 * still throws with the same error (a unique violation is still one); only the rows before it in
 * the same statement would stay, and the rollback removes them with everything else.
 */
export function insertRowsSqlite(
  sqlite: Database.Database,
  table: string,
  columns: readonly string[],
  values: readonly unknown[],
  wholeTransaction = false,
): void {
  const width = columns.length;
  const rows = values.length / width;
  if (!Number.isInteger(rows))
    throw new Error(`insert into ${table}: ${values.length} values for ${width} columns`);
  let byTable = chunkStatements.get(sqlite);
  if (!byTable) {
    byTable = new Map();
    chunkStatements.set(sqlite, byTable);
  }
  const key = `${table}(${columns.join(',')})`;
  const verb = wholeTransaction ? 'insert or fail' : 'insert';
  let bySize = byTable.get(`${verb} ${key}`);
  if (!bySize) {
    bySize = [];
    byTable.set(`${verb} ${key}`, bySize);
  }
  for (let at = 0; at < rows; at += ROWS_PER_STATEMENT) {
    const n = Math.min(ROWS_PER_STATEMENT, rows - at);
    let stmt = bySize[n];
    if (!stmt) {
      const tuple = `(${new Array(width).fill('?').join(', ')})`;
      stmt = sqlite.prepare(`${verb} into ${key} values ${new Array(n).fill(tuple).join(', ')}`);
      bySize[n] = stmt;
    }
    stmt.run(at === 0 && n === rows ? values : values.slice(at * width, (at + n) * width));
  }
}

/**
 * One row object into `table` with insertRowsSqlite (its statement prepared once per connection
 * and column list): the columns are the row's keys with a value, as Kysely's `values(row)` has
 * them. For a report's row in a peer's batch (decision 0075).
 */
export function insertRowSqlite(sqlite: Database.Database, table: string, row: object): void {
  const entries = Object.entries(row).filter(([, v]) => v !== undefined);
  insertRowsSqlite(
    sqlite,
    table,
    entries.map(([c]) => c),
    entries.map(([, v]) => v),
    true,
  );
}

/**
 * A statement of fixed text prepared once per connection and reused: the per-report statements
 * of a report's storing transaction on SQLite (its row, its cells, its transfer rows and counts),
 * where building and compiling the query with Kysely cost more than running it for a report of a
 * few lines, and a peer catching up stores hundreds a second (decisions 0057 and 0075). `make`
 * adjusts the statement once when prepared (`raw`, ...). A cache of its own (the dialect's holds
 * Kysely's statements, unadjusted), bounded like it.
 */
export const preparedOnce = statementCache(512);

/**
 * Lets a long write give the event loop back every few milliseconds (issue 15 item 9, decision
 * 0035): a 900 000-line report's inserts and derived state take seconds inside one transaction.
 * Pausing inside it is safe on SQLite because the transaction holds the writer lock of
 * sqlite-dialect.ts (other writers wait for it without blocking the loop; plain reads go to the
 * reader connection and see the last commit), and on PostgreSQL the connection is the
 * transaction's own. Call `due()` often (it only reads the clock) and `pause()` when it says so.
 */
export class Pacer {
  #until: number;
  constructor(private readonly sliceMs = 8) {
    this.#until = performance.now() + sliceMs;
  }
  due(): boolean {
    return performance.now() >= this.#until;
  }
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#until = performance.now() + this.sliceMs;
  }
}

/** Element moves between two looks at the clock in sortInSlices. */
const MOVES_PER_CHECK = 4096;

/**
 * A stable sort that gives the event loop back every ~8 ms (issue 15 item 9): `Array.sort` of
 * a 900 000-line report's rows is one call of a second or more on a loaded machine. Bottom-up
 * merge sort, stable as `Array.prototype.sort` is, so the order is the same as before; an input
 * already in order (an ICR's lines usually are) is answered after one pass. Sorts `xs` in place.
 */
export async function sortInSlices<T>(
  xs: T[],
  cmp: (a: T, b: T) => number,
  pacer = new Pacer(),
): Promise<T[]> {
  const n = xs.length;
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) {
    if (cmp(xs[i - 1] as T, xs[i] as T) > 0) ordered = false;
    if ((i & (MOVES_PER_CHECK - 1)) === 0 && pacer.due()) await pacer.pause();
  }
  if (ordered) return xs;
  let src = xs;
  let dst: T[] = new Array<T>(n);
  let moves = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi)
        dst[k++] = cmp(src[j] as T, src[i] as T) < 0 ? (src[j++] as T) : (src[i++] as T);
      while (i < mid) dst[k++] = src[i++] as T;
      while (j < hi) dst[k++] = src[j++] as T;
      moves += hi - lo;
      if (moves >= MOVES_PER_CHECK) {
        moves = 0;
        if (pacer.due()) await pacer.pause();
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== xs) for (let i = 0; i < n; i++) xs[i] = src[i] as T;
  return xs;
}

/** Keys sorted natively at a time by sortNumbersInSlices: a millisecond or two of sorting. */
const NUMBERS_RUN = 16_384;

/**
 * Sorts numbers in ascending order, in place, giving the event loop back every ~8 ms (issue 15
 * item 9, decision 0067): `Float64Array.prototype.sort` of a 900 000-line ICR's match keys is
 * one call of 100 ms idle and several times that on a loaded machine, and derivation did three.
 * Runs of NUMBERS_RUN are sorted natively, then merged bottom-up; equal values are
 * indistinguishable, so the result is the native sort's. Answers `xs`.
 */
export async function sortNumbersInSlices(xs: Float64Array, pacer = new Pacer()): Promise<Float64Array> {
  const n = xs.length;
  for (let lo = 0; lo < n; lo += NUMBERS_RUN) {
    xs.subarray(lo, Math.min(n, lo + NUMBERS_RUN)).sort();
    if (pacer.due()) await pacer.pause();
  }
  if (n <= NUMBERS_RUN) return xs;
  let src: Float64Array<ArrayBufferLike> = xs;
  let dst: Float64Array<ArrayBufferLike> = new Float64Array(n);
  let moves = 0;
  for (let width = NUMBERS_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        dst[k++] = (src[j] as number) < (src[i] as number) ? (src[j++] as number) : (src[i++] as number);
        if ((++moves & (MOVES_PER_CHECK - 1)) === 0 && pacer.due()) await pacer.pause();
      }
      while (i < mid) dst[k++] = src[i++] as number;
      while (j < hi) dst[k++] = src[j++] as number;
    }
    [src, dst] = [dst, src];
  }
  if (src !== xs) xs.set(src);
  return xs;
}
