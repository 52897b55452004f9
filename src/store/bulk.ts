import type Database from 'better-sqlite3';

/**
 * SQLite's bound-parameter limit is 32 766 in the bundled build; 100-row statements stay far
 * below it for every table here and already amortise the per-statement cost.
 */
const ROWS_PER_STATEMENT = 100;
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement[]>>();

/**
 * Bulk insert on SQLite (architecture.md habit 7), on the connection the caller's transaction
 * runs on: `values` holds rows of `columns.length` values each, row after row. Rows go in through
 * multi-row prepared statements (one per table and chunk size, prepared once per connection and
 * reused), not one statement per row.
 */
export function insertRowsSqlite(
  sqlite: Database.Database,
  table: string,
  columns: readonly string[],
  values: readonly unknown[],
): void {
  const width = columns.length;
  const rows = values.length / width;
  if (!Number.isInteger(rows))
    throw new Error(`insert into ${table}: ${values.length} values for ${width} columns`);
  let byTable = statementCache.get(sqlite);
  if (!byTable) {
    byTable = new Map();
    statementCache.set(sqlite, byTable);
  }
  const key = `${table}(${columns.join(',')})`;
  let bySize = byTable.get(key);
  if (!bySize) {
    bySize = [];
    byTable.set(key, bySize);
  }
  for (let at = 0; at < rows; at += ROWS_PER_STATEMENT) {
    const n = Math.min(ROWS_PER_STATEMENT, rows - at);
    let stmt = bySize[n];
    if (!stmt) {
      const tuple = `(${new Array(width).fill('?').join(', ')})`;
      stmt = sqlite.prepare(`insert into ${key} values ${new Array(n).fill(tuple).join(', ')}`);
      bySize[n] = stmt;
    }
    stmt.run(at === 0 && n === rows ? values : values.slice(at * width, (at + n) * width));
  }
}

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
