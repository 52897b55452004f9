import { DomainError } from '../domain/errors.js';
import { problemOf } from '../domain/particulars.js';
import type { Page, PageRequest } from '../store/paging.js';

/** A sortable field of a list held in memory: its value per row (null sorts last either way). */
export type SortValue<T> = (row: T) => string | number | null;

/** The value a list sorts on; a field it does not have is refused as the routes' enums would. */
export function sortValueOf<T>(
  list: string,
  sorts: Readonly<Record<string, SortValue<T>>>,
  field: string,
): SortValue<T> {
  const value = Object.hasOwn(sorts, field) ? sorts[field] : undefined;
  if (value === undefined) {
    throw new DomainError('VALIDATION_FAILED', `cannot sort ${list} by ${field}`, [
      {
        field: 'querystring.sort',
        ...problemOf('FIELD_INVALID.oneOf', { allowed: Object.keys(sorts) }),
        message: `one of ${Object.keys(sorts).join(', ')}`,
      },
    ]);
  }
  return value;
}

/** Two sort values in `dir` order (1 ascending, -1 descending), null last either way. */
export function compareValues(a: string | number | null, b: string | number | null, dir: 1 | -1): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a < b ? -1 : 1) * dir;
}

/**
 * One page of a list computed in memory (the evaluation's alarms and transfers), with the
 * convention of the SQL-paged lists (docs/decisions/0007-server-paged-registry-lists.md): `q`
 * a case-insensitive substring over the row's text fields, `sort` one of the list's fields with
 * nulls last, ties (and no sort at all) in the given order — Array.prototype.sort is stable — so
 * pages never overlap. The caller passes only rows it may see, so `total` counts nothing else.
 */
export function pageInMemory<T>(
  list: string,
  rows: readonly T[],
  req: PageRequest,
  sorts: Readonly<Record<string, SortValue<T>>>,
  text: (row: T) => readonly (string | null | undefined)[],
): Page<T> {
  let out: T[] = [...rows];
  const q = req.q?.toLowerCase();
  if (q) out = out.filter((r) => text(r).some((t) => t?.toLowerCase().includes(q)));
  if (req.sort !== undefined) {
    const value = sortValueOf(list, sorts, req.sort);
    const dir = req.desc ? -1 : 1;
    const keyed = out.map((row) => ({ row, v: value(row) }));
    keyed.sort((a, b) => compareValues(a.v, b.v, dir));
    out = keyed.map((k) => k.row);
  }
  return {
    items: out.slice(req.offset, req.offset + req.limit),
    total: out.length,
    limit: req.limit,
    offset: req.offset,
  };
}

/**
 * The first `n` rows in `compare` order of a stream too long to hold: a max-heap of the `n` best
 * seen so far, so a page of a list computed row by row (the transfers' text filter and their
 * orders by shown date or SRD/σ) holds `n` rows, never the list.
 */
export class FirstRows<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly n: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(row: T): void {
    const h = this.heap;
    if (this.n === 0) return;
    if (h.length < this.n) {
      h.push(row);
      this.up(h.length - 1);
    } else if (this.compare(row, h[0]!) < 0) {
      h[0] = row;
      this.down(0);
    }
  }

  /** The kept rows, best first. */
  sorted(): T[] {
    return [...this.heap].sort(this.compare);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(h[i]!, h[parent]!) <= 0) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.compare(h[l]!, h[worst]!) > 0) worst = l;
      if (r < h.length && this.compare(h[r]!, h[worst]!) > 0) worst = r;
      if (worst === i) return;
      [h[i], h[worst]] = [h[worst]!, h[i]!];
      i = worst;
    }
  }
}
