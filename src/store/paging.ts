import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { DbOrTx } from './db.js';
import type { Schema } from './schema.types.js';

/**
 * One page of a list, as every paged list of the API answers it (the cases list's envelope):
 * the rows of the page, how many rows match the filters in all, and the window asked for.
 */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/** The window, order and free-text filter of a paged list; `sort` names one sortable field. */
export interface PageRequest<S extends string = string> {
  readonly limit: number;
  readonly offset: number;
  readonly sort?: S | undefined;
  readonly desc?: boolean | undefined;
  /** Case-insensitive substring over the list's text columns. */
  readonly q?: string | undefined;
}

/**
 * `lower(col) like '%text%'` over any of the columns, with the text's own `%`, `_` and `\`
 * matched literally. Both dialects take `escape '\'`; the pattern is lower-cased here and the
 * column by the database (SQLite's lower() folds ASCII only, PostgreSQL's folds all letters).
 */
export function textMatches(columns: readonly string[], text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const parts = columns.map((c) => sql`lower(${sql.ref(c)}) like ${pattern} escape '\\'`);
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/** A count(*) answer as a number (pg returns bigint counts as strings). */
export function countOf(row: { n: string | number | bigint } | undefined): number {
  return Number(row?.n ?? 0);
}

/** How a list's sortable API fields map to columns; `nullable` fields sort their nulls last. */
export interface SortColumns {
  readonly columns: Readonly<Record<string, string>>;
  readonly nullable?: readonly string[];
  /** The order without `sort`, and the tie-breaker after it: unique together, so pages are stable. */
  readonly natural: readonly string[];
}

/**
 * The `order by` terms of a page: the requested field (nulls last on both dialects: SQLite puts
 * them first, PostgreSQL last), then the list's natural order so equal values never swap pages.
 */
export function orderTerms(
  spec: SortColumns,
  req: Pick<PageRequest, 'sort' | 'desc'>,
): [RawBuilder<unknown>, 'asc' | 'desc'][] {
  const terms: [RawBuilder<unknown>, 'asc' | 'desc'][] = [];
  const column = req.sort === undefined ? undefined : spec.columns[req.sort];
  if (req.sort !== undefined && column !== undefined) {
    if (spec.nullable?.includes(req.sort)) terms.push([sql`(${sql.ref(column)} is null)`, 'asc']);
    terms.push([sql`${sql.ref(column)}`, req.desc ? 'desc' : 'asc']);
  }
  for (const c of spec.natural) terms.push([sql`${sql.ref(c)}`, 'asc']);
  return terms;
}

/**
 * One page, in `order`, of the union of disjoint parts, each a query already in that order (on
 * columns every part selects): each part gives its first offset + limit rows, by a walk of its own
 * index, and only those are merged and sorted; a single part is paged directly. What a list whose
 * view is several index ranges (several states, a viewer's own and shared cases) reads instead of
 * every row of the view (decisions 0101, 0106).
 */
export async function pageOfParts<TB extends keyof Schema, O>(
  k: DbOrTx,
  parts: readonly SelectQueryBuilder<Schema, TB, O>[],
  order: RawBuilder<unknown>,
  page: { readonly limit: number; readonly offset: number },
): Promise<O[]> {
  const [only, ...others] = parts;
  if (only === undefined) return [];
  if (others.length === 0) return only.limit(page.limit).offset(page.offset).execute();
  const [first, ...rest] = parts.map((p, i) =>
    k.selectFrom(p.limit(page.offset + page.limit).as(`p${i}`)).selectAll(),
  );
  return (await k
    .selectFrom(rest.reduce((u, arm) => u.unionAll(arm), first as NonNullable<typeof first>).as('u'))
    .selectAll()
    .orderBy(order)
    .limit(page.limit)
    .offset(page.offset)
    .execute()) as O[];
}
