/**
 * The web app's language checks (issue 16 item 11, decision 0025): every catalogue has every
 * key of the English one with the same ICU arguments, error and detail codes all have messages,
 * translations are not copies of English, and no visible string sits in JSX outside a message.
 */
import {
  isArgumentElement,
  isPluralElement,
  isSelectElement,
  isTagElement,
  type MessageFormatElement,
  parse,
} from '@formatjs/icu-messageformat-parser';
import ts from 'typescript';

export type Catalogue = Readonly<Record<string, string>>;

/** The argument and tag names a message uses, e.g. `count`, `<home>`; throws on bad ICU syntax. */
export function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (isTagElement(el)) {
        names.add(`<${el.value}>`);
        walk(el.children);
      } else if ('value' in el && typeof el.value === 'string' && el.type !== 0) {
        names.add(el.value);
      }
      if (isPluralElement(el) || isSelectElement(el))
        for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(parse(message));
  return [...names].sort();
}

/** Arguments a message shows as they come (`{n}`), not through a number, date, plural or select format. */
function plainArguments(message: string): string[] {
  const names = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (isArgumentElement(el)) names.add(el.value);
      if (isTagElement(el)) walk(el.children);
      if (isPluralElement(el) || isSelectElement(el))
        for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(parse(message));
  return [...names].sort();
}

/**
 * Problem kinds (src/domain/particulars.ts) against their messages (decision 0052): a kind with a
 * rule or values has `problem.<kind>`, which uses exactly the values the domain supplies and
 * formats counts and weights through Intl (`{x, number}` or a plural), not as raw digits.
 */
export function particularsProblems(
  declared: Readonly<Record<string, Readonly<Record<string, string>>>>,
  catalogue: Catalogue,
): string[] {
  const wrong: string[] = [];
  for (const [kind, types] of Object.entries(declared)) {
    const names = Object.keys(types).sort();
    if (!kind.includes('.') && names.length === 0) continue; // worded by detail.<CODE>
    const key = `problem.${kind}`;
    const message = catalogue[key];
    if (message === undefined) {
      wrong.push(`${key}: missing (values ${names.join(', ') || 'none'})`);
      continue;
    }
    const used = argumentsOf(message);
    const lacking = names.filter((n) => !used.includes(n));
    const unsupplied = used.filter((n) => !names.includes(n));
    const plain = plainArguments(message);
    const raw = names.filter((n) => (types[n] === 'count' || types[n] === 'grams') && plain.includes(n));
    if (raw.length > 0) wrong.push(`${key}: ${raw.join(', ')} not as {x, number} or a plural`);
    if (lacking.length > 0) wrong.push(`${key}: does not use ${lacking.join(', ')}`);
    if (unsupplied.length > 0)
      wrong.push(`${key}: uses ${unsupplied.join(', ')}, which the domain does not supply`);
  }
  return wrong;
}

/** Every difference of one catalogue from the reference: missing, extra, unparsable, other arguments. */
export function compareCatalogue(reference: Catalogue, other: Catalogue): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(reference)) {
    const msg = other[key];
    if (msg === undefined) {
      problems.push(`${key}: missing`);
      continue;
    }
    try {
      const want = argumentsOf(reference[key] ?? '').join(',');
      const got = argumentsOf(msg).join(',');
      if (want !== got) problems.push(`${key}: arguments ${got || '(none)'} ≠ English ${want || '(none)'}`);
    } catch (e) {
      problems.push(`${key}: not a valid ICU message (${(e as Error).message})`);
    }
  }
  for (const key of Object.keys(other)) if (!(key in reference)) problems.push(`${key}: not in English`);
  return problems;
}

/** Keys whose translation is word for word the English text, which a real translation rarely is. */
export function copiedFromEnglish(
  reference: Catalogue,
  other: Catalogue,
  allowed: ReadonlySet<string>,
): string[] {
  return Object.keys(reference).filter(
    (k) => other[k] === reference[k] && /\p{L}{2,}/u.test(reference[k] ?? '') && !allowed.has(k),
  );
}

/**
 * Attributes whose string values are for the machine, not the reader; every other string-valued
 * attribute (title, aria-label, placeholder, a component's `what`, `lead`…) must be a message.
 */
const TECHNICAL_ATTRIBUTES = new Set([
  'className',
  'id',
  'key',
  'type',
  'href',
  'to',
  'name',
  'role',
  'htmlFor',
  'autoComplete',
  'inputMode',
  'method',
  'rel',
  'target',
  'accept',
  'pattern',
  'lang',
  'dir',
  'd',
  'fill',
  'stroke',
  'viewBox',
  'xmlns',
  'scope',
  'step',
  'min',
  'max',
  'form',
  'encType',
  'spellCheck',
  'prefix',
  'field',
  'value',
  'defaultValue',
  'download',
  'loading',
  'kind',
  'variant',
  'tone',
  'width',
  'height',
  'preserveAspectRatio',
  'textAnchor',
  'dominantBaseline',
  'capability',
  'sort',
  'align',
  'loadedTestId',
]);

/** Strings the same in every language: the product's name and the standard abbreviations (issue 16). */
export const UNTRANSLATED = new Set([
  'Custos',
  'MUF',
  'σMUF',
  'SITMUF',
  'CUMUF',
  'SQ',
  'KMP',
  'ICR',
  'PIL',
  'MBR',
  'PB',
  'PE',
  'BE',
  'SRD',
  'JSON',
  'CSV',
  'UTC',
  'Ed25519',
  'SHA-256',
]);

function isVisibleText(text: string): boolean {
  const t = text.trim();
  return /\p{L}/u.test(t) && !UNTRANSLATED.has(t);
}

function isTechnicalAttribute(name: string): boolean {
  return (
    TECHNICAL_ATTRIBUTES.has(name) ||
    name.startsWith('data-') ||
    (name.startsWith('aria-') && !VISIBLE_ARIA.has(name))
  );
}

const VISIBLE_ARIA = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'aria-placeholder',
]);

/** String literals an expression may render: itself, either branch of `?:`, the right of `&&`/`||`/`??`. */
function renderedStrings(e: ts.Expression): ts.Node[] {
  if (ts.isParenthesizedExpression(e)) return renderedStrings(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return isVisibleText(e.text) ? [e] : [];
  if (ts.isTemplateExpression(e)) {
    const parts = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(' ');
    return isVisibleText(parts) ? [e] : [];
  }
  if (ts.isConditionalExpression(e)) return [...renderedStrings(e.whenTrue), ...renderedStrings(e.whenFalse)];
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken)
      return renderedStrings(e.right);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken)
      return [...renderedStrings(e.left), ...renderedStrings(e.right)];
  }
  return [];
}

export interface VisibleString {
  readonly line: number;
  readonly text: string;
}

/** Visible strings written straight into the JSX of one .tsx file. */
export function visibleStrings(path: string, text: string): VisibleString[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: VisibleString[] = [];
  const add = (n: ts.Node) =>
    found.push({
      line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
      text: n.getText(sf).trim().slice(0, 60),
    });
  const visit = (n: ts.Node) => {
    if (ts.isJsxText(n) && isVisibleText(n.text)) add(n);
    else if (ts.isJsxAttribute(n) && n.initializer) {
      const name = n.name.getText(sf);
      if (!isTechnicalAttribute(name)) {
        if (ts.isStringLiteral(n.initializer) && isVisibleText(n.initializer.text)) add(n);
        else if (ts.isJsxExpression(n.initializer) && n.initializer.expression)
          for (const s of renderedStrings(n.initializer.expression)) add(s);
      }
      return;
    } else if (
      ts.isJsxExpression(n) &&
      n.expression &&
      (ts.isJsxElement(n.parent) || ts.isJsxFragment(n.parent))
    ) {
      for (const s of renderedStrings(n.expression)) add(s);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
