/** Additional Protocol declarations (INFCIRC/540 Art. 2 and 3): what other folders use, by name. */
export { articleSpec, DECLARATION_ARTICLES, isDeclarationArticle } from './articles.js';
export { annexIIUnmatchedBefore, sourceMaterialUnmatchedBefore } from './crosscheck.js';
export {
  type ApObligation,
  apDeadlineRulesFrom,
  computeApObligations,
  declarationCovers,
} from './deadlines.js';
export type { Declaration, DeclarationItem } from './declarations.types.js';
export { parseDeclarationJson, toMilli } from './validate.js';
