/**
 * A declaration file the editor reads (JSON; CSV goes through csv.ts). What is wrong with one is a
 * reason the page words from `decl.upload.<reason>` in the user's language, never the JSON
 * parser's English (decision 0064).
 */
export type UploadFailure = 'unreadable' | 'notJson' | 'notDeclaration';

export interface UploadedDeclaration {
  readonly article?: string;
  readonly period?: { readonly from?: string | undefined; readonly to?: string | undefined };
  /** Each item's values as text, as the form edits them. */
  readonly items: Record<string, string>[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A declaration object, or a bare list of items; else why it is not one. */
export function declarationOfJson(text: string): UploadedDeclaration | UploadFailure {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'notJson';
  }
  const obj = Array.isArray(v) ? { items: v } : v;
  if (!isObject(obj)) return 'notDeclaration';
  const items = obj.items ?? [];
  if (!Array.isArray(items) || !items.every(isObject)) return 'notDeclaration';
  const period = isObject(obj.period) ? obj.period : undefined;
  const textOf = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    ...(typeof obj.article === 'string' ? { article: obj.article } : {}),
    ...(period ? { period: { from: textOf(period.from), to: textOf(period.to) } } : {}),
    items: items.map((i) => Object.fromEntries(Object.entries(i).map(([k, x]) => [k, String(x)]))),
  };
}
