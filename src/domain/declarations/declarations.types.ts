import type { DeclarationArticle } from './articles.js';

/** One item of a declaration: its article's fields (articles.ts), text or quantity. */
export type DeclarationItem = Readonly<Record<string, string | number>>;

/** A declaration as a State signs it (INFCIRC/540 Art. 2), validated. */
export interface Declaration {
  readonly state: string;
  readonly article: DeclarationArticle;
  readonly period: { readonly from: string; readonly to: string };
  readonly items: readonly DeclarationItem[];
  /** The declaration this one amends (a supplement); absent for an original. */
  readonly supplements?: string;
}
