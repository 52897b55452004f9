import { DomainError } from '../domain/errors.js';
import type { Page, PageRequest } from '../store/paging.js';

/** A sortable field of a list held in memory: its value per row (null sorts last either way). */
export type SortValue<T> = (row: T) => string | number | null;

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
    // The routes' enums already refuse an unknown field; this guards callers that skip them.
    const value = Object.hasOwn(sorts, req.sort) ? sorts[req.sort] : undefined;
    if (value === undefined) {
      throw new DomainError('VALIDATION_FAILED', `cannot sort ${list} by ${req.sort}`, [
        {
          field: 'querystring.sort',
          code: 'FIELD_INVALID',
          message: `one of ${Object.keys(sorts).join(', ')}`,
        },
      ]);
    }
    const dir = req.desc ? -1 : 1;
    const keyed = out.map((row) => ({ row, v: value(row) }));
    keyed.sort((a, b) => {
      if (a.v === b.v) return 0;
      if (a.v === null) return 1;
      if (b.v === null) return -1;
      return (a.v < b.v ? -1 : 1) * dir;
    });
    out = keyed.map((k) => k.row);
  }
  return {
    items: out.slice(req.offset, req.offset + req.limit),
    total: out.length,
    limit: req.limit,
    offset: req.offset,
  };
}
