import { z } from 'zod';
import type { PageRequest } from '../../store/paging.js';

/**
 * The paged-list convention of the API (docs/decisions/0007-server-paged-registry-lists.md):
 * `limit` and `offset` as on GET /api/reports, `sort=<field>` or `sort=-<field>` (descending)
 * over the list's own sortable fields, `q` a case-insensitive substring over its text columns,
 * and the answer `{items, total, limit, offset}` as on GET /api/cases. An unknown sort field,
 * a limit out of range or an over-long `q` is a 400 VALIDATION_FAILED naming the parameter.
 */
export function pageQuery<const F extends readonly [string, ...string[]]>(fields: F) {
  const sorts = [...fields, ...fields.map((f) => `-${f}`)] as [string, ...string[]];
  return {
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000)'),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('rows to skip'),
    sort: z
      .enum(sorts)
      .optional()
      .describe(`one of ${fields.join(', ')}; a leading "-" sorts descending`),
    q: z.string().max(100).optional().describe('case-insensitive text filter (substring)'),
  };
}

/** The service's view of the paging parameters: `-field` becomes `{sort: field, desc: true}`. */
export function pageRequest(query: {
  limit: number;
  offset: number;
  sort?: string;
  q?: string;
}): PageRequest {
  const desc = query.sort?.startsWith('-') ?? false;
  const sort = query.sort === undefined ? undefined : desc ? query.sort.slice(1) : query.sort;
  const q = query.q?.trim();
  return { limit: query.limit, offset: query.offset, sort, desc, q: q ? q : undefined };
}

/** The documented answer of a paged list: the page's rows, the total matching, the window. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('rows matching the filters, over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}
