import { addDays, toDayNumber } from '../deadlines/index.js';
import type { ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';
import { wrongType } from '../reports/reader.js';
import {
  ANNEX_I_REFS,
  ANNEX_II_REF,
  articleSpec,
  DECLARATION_ARTICLES,
  type DeclarationArticle,
  type FieldSpec,
  isDeclarationArticle,
} from './articles.js';
import type { Declaration, DeclarationItem } from './declarations.types.js';

/** Items in one declaration; a State with more splits them into several declarations of the article. */
export const MAX_ITEMS = 10_000;
/** Problems listed at most; past them one TOO_MANY_ERRORS says the list was cut. */
export const MAX_PROBLEMS = 1_000;
const MAX_TEXT = 2_000;
/** A quantity's upper bound: 10^12 kg or items is beyond any real declaration, and exact in milli-units. */
const MAX_QUANTITY = 1e12;
const STATE_CODE = /^[A-Z]{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YEAR = /^\d{4}$/;
const ATTACHMENT = /^sha256:[0-9a-f]{64}$/;
export const DECLARATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
// Control characters other than tab and newline have no place in a declared text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

const TOP_FIELDS = new Set(['state', 'article', 'period', 'items', 'supplements']);

export type Validated =
  | { readonly ok: true; readonly declaration: Declaration }
  | { readonly ok: false; readonly details: ErrorDetail[] };

class Problems {
  readonly list: ErrorDetail[] = [];
  add(p: Particulars, field: string, message: string, item?: number): void {
    if (this.list.length === MAX_PROBLEMS) {
      this.list.push({
        ...problemOf('TOO_MANY_ERRORS.limit', { max: MAX_PROBLEMS }),
        message: `more than ${MAX_PROBLEMS} problems; the rest are not listed`,
      });
      return;
    }
    if (this.list.length > MAX_PROBLEMS) return;
    this.list.push(item === undefined ? { field, ...p, message } : { item, field, ...p, message });
  }
}

function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  try {
    toDayNumber(value);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A quantity in thousandths, exact: how quantities are compared across States (cross-checks). */
export function toMilli(quantity: number): number {
  return Math.round(quantity * 1000);
}

function hasAtMostThreeDecimals(q: number): boolean {
  return Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6;
}

/** The calendar quarter `from`–`to` is exactly one, or undefined. */
export function quarterOf(from: string, to: string): { year: number; quarter: 1 | 2 | 3 | 4 } | undefined {
  const m = /^(\d{4})-(01|04|07|10)-01$/.exec(from);
  if (!m) return undefined;
  const year = Number(m[1]);
  const quarter = ((Number(m[2]) - 1) / 3 + 1) as 1 | 2 | 3 | 4;
  return quarterEnd(year, quarter) === to ? { year, quarter } : undefined;
}

/** The last day of a calendar quarter (31 March, 30 June, 30 September, 31 December). */
export function quarterEnd(year: number, quarter: 1 | 2 | 3 | 4): string {
  const next = quarter === 4 ? `${year + 1}-01-01` : `${year}-${String(quarter * 3 + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

type FieldProblem = readonly [Particulars, string] | undefined;

/** The one problem of a field's value, if any (a field has at most one: the first that applies). */
function fieldProblem(
  spec: FieldSpec,
  value: unknown,
  at: { state: string | undefined; from?: string; to?: string },
): FieldProblem {
  const { name } = spec;
  if (value === undefined || value === null || value === '')
    return spec.required ? [problemOf('FIELD_MISSING', {}), `${name} is required`] : undefined;
  if (spec.kind === 'quantity') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return [problemOf('FIELD_TYPE.number', {}), `${name} must be a number`];
    if (value < 0 || value > MAX_QUANTITY)
      return [
        problemOf('OUT_OF_RANGE.between', { min: 0, max: MAX_QUANTITY }),
        `${name} must be between 0 and ${MAX_QUANTITY}`,
      ];
    return hasAtMostThreeDecimals(value)
      ? undefined
      : [problemOf('FIELD_FORMAT.threeDecimals', {}), `${name} has more than three decimals`];
  }
  if (typeof value !== 'string') return [wrongType('string', value), `${name} must be a string`];
  return textProblem(spec, value, at);
}

function textProblem(
  spec: FieldSpec,
  value: string,
  at: { state: string | undefined; from?: string; to?: string },
): FieldProblem {
  const { name } = spec;
  switch (spec.kind) {
    case 'date':
      if (!isDate(value))
        return [problemOf('FIELD_FORMAT.notDate', { value }), `${name} is not a date YYYY-MM-DD`];
      if (at.from !== undefined && at.to !== undefined && (value < at.from || value > at.to))
        return [
          problemOf('DATE_OUTSIDE_PERIOD.outsidePeriod', { date: value, from: at.from, to: at.to }),
          `${name} ${value} is outside the period ${at.from}..${at.to}`,
        ];
      return undefined;
    case 'state':
      if (!STATE_CODE.test(value))
        return [problemOf('FIELD_FORMAT.stateCode', {}), `${name} is not a State code (two capitals)`];
      return value === at.state
        ? [problemOf('COUNTERPART_INVALID.declaringState', {}), `${name} is the declaring State itself`]
        : undefined;
    case 'annex-i':
      return (ANNEX_I_REFS as readonly string[]).includes(value)
        ? undefined
        : [
            problemOf('ANNEX_REF_UNKNOWN.annexI', { value }),
            `${name} ${value} is not an activity of Annex I (i … xv)`,
          ];
    case 'annex-ii':
      return ANNEX_II_REF.test(value)
        ? undefined
        : [
            problemOf('ANNEX_REF_UNKNOWN.annexII', { value }),
            `${name} ${value} is not an item of Annex II (e.g. 5.1, 5.1.1)`,
          ];
    case 'attachment':
      return ATTACHMENT.test(value)
        ? undefined
        : [
            problemOf('FIELD_FORMAT.attachment', {}),
            `${name} must be sha256:<64 hex digits> of the attached file`,
          ];
    case 'year':
      return YEAR.test(value) && Number(value) >= 1900
        ? undefined
        : [problemOf('FIELD_FORMAT.year', { value }), `${name} is not a year YYYY`];
    case 'enum':
      return (spec.values ?? []).includes(value)
        ? undefined
        : [
            problemOf('FIELD_FORMAT.notOneOf', { value, allowed: spec.values ?? [] }),
            `${name} must be one of ${(spec.values ?? []).join(', ')}`,
          ];
    default:
      if (value.length > MAX_TEXT)
        return [problemOf('TOO_LONG', { max: MAX_TEXT }), `${name} is longer than ${MAX_TEXT} characters`];
      return CONTROL.test(value)
        ? [problemOf('UNSAFE_CHARACTER', {}), `${name} contains a control character`]
        : undefined;
  }
}

/** Checks across the fields of one item, and across items, that one field alone cannot see. */
function checkItemRules(
  article: DeclarationArticle,
  items: readonly Record<string, unknown>[],
  problems: Problems,
): void {
  if (article === '2.a.x') {
    for (const [i, it] of items.entries()) {
      const from = Number(it.fromYear);
      const to = Number(it.toYear);
      if (Number.isInteger(from) && Number.isInteger(to) && (to < from || to - from > 10))
        problems.add(
          problemOf('DATE_ORDER.planSpan', { years: 10 }),
          'toYear',
          'a plan spans at most the succeeding ten years (fromYear ≤ toYear ≤ fromYear + 10)',
          i,
        );
    }
  }
  if (article === '2.a.iii') {
    // Art. 2.a.(iii): one map per site; every building of a site cites the same one.
    const mapOf = new Map<string, string>();
    for (const [i, it] of items.entries()) {
      if (typeof it.site !== 'string' || typeof it.siteMap !== 'string') continue;
      const first = mapOf.get(it.site);
      if (first === undefined) mapOf.set(it.site, it.siteMap);
      else if (first !== it.siteMap)
        problems.add(
          problemOf('FIELD_CONFLICT.siteMap', { site: it.site, map: first }),
          'siteMap',
          `site ${it.site} already cites the map ${first}`,
          i,
        );
    }
  }
}

function checkPeriod(
  article: unknown,
  period: unknown,
  problems: Problems,
): { from: string; to: string } | undefined {
  if (!isRecord(period)) {
    problems.add(
      period === undefined ? problemOf('FIELD_MISSING', {}) : wrongType('object', period),
      'period',
      'period must be {from, to}',
    );
    return undefined;
  }
  for (const k of Object.keys(period))
    if (k !== 'from' && k !== 'to')
      problems.add(problemOf('FIELD_UNKNOWN', {}), `period.${k}`, `unknown field period.${k}`);
  let ok = true;
  for (const k of ['from', 'to'] as const) {
    if (!isDate(period[k])) {
      problems.add(
        period[k] === undefined
          ? problemOf('FIELD_MISSING', {})
          : problemOf('FIELD_FORMAT.notDate', { value: String(period[k]) }),
        `period.${k}`,
        `period.${k} must be a date YYYY-MM-DD`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  const from = period.from as string;
  const to = period.to as string;
  if (from > to) {
    problems.add(
      problemOf('DATE_ORDER.period', { from, to }),
      'period',
      `the period ends (${to}) before it starts (${from})`,
    );
    return undefined;
  }
  // Art. 3.d: Annex II exports are declared quarter by quarter.
  if (article === '2.a.ix' && !quarterOf(from, to))
    problems.add(
      problemOf('PERIOD_INVALID.quarter', {}),
      'period',
      'an Annex II export declaration covers one calendar quarter',
    );
  return { from, to };
}

/**
 * Check a declaration as received (already JSON-parsed, so hostile): the envelope, the period and
 * every item against its article's schema, all problems at once, each with the item's index and
 * field. Items may be empty: "nothing to declare" or "no change" (Art. 3.b) is a declaration too.
 */
export function validateDeclaration(value: unknown): Validated {
  const problems = new Problems();
  if (!isRecord(value)) {
    problems.add(wrongType('object', value), '', 'a declaration is a JSON object');
    return { ok: false, details: problems.list };
  }
  for (const k of Object.keys(value))
    if (!TOP_FIELDS.has(k)) problems.add(problemOf('FIELD_UNKNOWN', {}), k, `unknown field ${k}`);
  const state = typeof value.state === 'string' && STATE_CODE.test(value.state) ? value.state : undefined;
  if (state === undefined)
    problems.add(
      value.state === undefined ? problemOf('FIELD_MISSING', {}) : problemOf('FIELD_FORMAT.stateCode', {}),
      'state',
      'state must be a State code',
    );
  const article = value.article;
  if (!isDeclarationArticle(article))
    problems.add(
      article === undefined
        ? problemOf('FIELD_MISSING', {})
        : problemOf('UNKNOWN.oneOf', { allowed: DECLARATION_ARTICLES }),
      'article',
      `article must be one of ${DECLARATION_ARTICLES.join(', ')}`,
    );
  const period = checkPeriod(article, value.period, problems);
  const supplements = value.supplements;
  if (supplements !== undefined && (typeof supplements !== 'string' || !DECLARATION_ID.test(supplements)))
    problems.add(
      problemOf('FIELD_FORMAT.declarationId', {}),
      'supplements',
      'supplements must be the id of the declaration it amends',
    );
  const items = value.items;
  if (!Array.isArray(items)) {
    problems.add(
      items === undefined ? problemOf('FIELD_MISSING', {}) : wrongType('array', items),
      'items',
      'items must be an array',
    );
  } else if (items.length > MAX_ITEMS) {
    problems.add(
      problemOf('TOO_MANY.items', { max: MAX_ITEMS }),
      'items',
      `at most ${MAX_ITEMS} items per declaration`,
    );
  } else if (isDeclarationArticle(article)) {
    const spec = articleSpec(article);
    const known = new Set(spec.fields.map((x) => x.name));
    const objects: Record<string, unknown>[] = [];
    for (const [i, it] of items.entries()) {
      if (!isRecord(it)) {
        problems.add(wrongType('object', it), '', 'an item is a JSON object', i);
        continue;
      }
      objects[i] = it;
      for (const k of Object.keys(it))
        if (!known.has(k))
          problems.add(problemOf('FIELD_UNKNOWN', {}), k, `unknown field ${k} for article ${article}`, i);
      for (const fs of spec.fields) {
        const p = fieldProblem(fs, it[fs.name], { state, ...period });
        if (p) problems.add(p[0], fs.name, p[1], i);
      }
    }
    checkItemRules(article, objects, problems);
  }
  if (problems.list.length > 0 || state === undefined || !isDeclarationArticle(article) || !period)
    return { ok: false, details: problems.list };
  return {
    ok: true,
    declaration: {
      state,
      article,
      period,
      items: (items as Record<string, unknown>[]).map((it) => normaliseItem(article, it)),
      ...(typeof supplements === 'string' ? { supplements } : {}),
    },
  };
}

/** The item with its article's fields in schema order, absent optional fields left out. */
function normaliseItem(article: DeclarationArticle, it: Record<string, unknown>): DeclarationItem {
  const out: Record<string, string | number> = {};
  for (const fs of articleSpec(article).fields) {
    const v = it[fs.name];
    if (typeof v === 'string' || typeof v === 'number') if (v !== '') out[fs.name] = v;
  }
  return out;
}

/** Parse and validate the signed bytes of a declaration (JSON, UTF-8). */
export function parseDeclarationJson(bytes: Uint8Array): Validated {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    return {
      ok: false,
      details: [{ ...problemOf('MALFORMED.body', {}), message: `not UTF-8 JSON: ${(err as Error).message}` }],
    };
  }
  return validateDeclaration(value);
}
