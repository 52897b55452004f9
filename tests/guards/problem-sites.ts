/**
 * Two checks over source text that keep the browser from showing English (issue 16 item 11,
 * decisions 0052, 0059 and 0064). Pure, like structure.ts: it takes repository-relative paths and
 * their text, so a test runs it over the real tree and over planted violations.
 *
 * 1. `bare-problem`: a problem written in src/ as an object literal with a detail `code` and a
 *    `message` but no spread of `problemOf(…)` (or of a value built by it), where its message needs
 *    values: either the code is declared only with a rule or values (src/domain/particulars.ts), so
 *    the page words it only from them; or the message is built from something (a template with substitutions, a
 *    variable), so it carries particulars no value does. A constant sentence under a code that has
 *    none is worded by `detail.<CODE>` and passes.
 * 2. `error-message`: a web file that reads `.message` of a caught error: a `catch (e)` binding, a
 *    name narrowed by `instanceof …Error`, or a parameter typed `unknown` or `…Error`. The page
 *    words failures by their code or typed reason (`failureText`) instead.
 */
import ts from 'typescript';
import type { SourceFile } from './structure.js';

export type ProblemSiteRule = 'bare-problem' | 'error-message';

export interface ProblemSiteViolation {
  readonly rule: ProblemSiteRule;
  readonly path: string;
  readonly line: number;
  readonly text: string;
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function propertyNamed(o: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return o.properties.find(
    (p): p is ts.PropertyAssignment =>
      ts.isPropertyAssignment(p) &&
      (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) &&
      p.name.text === name,
  );
}

/** A spread that brings a problem's code, rule and values: `...problemOf(…)` or `...p`, `...x.p`. */
function spreadsParticulars(o: ts.ObjectLiteralExpression): boolean {
  return o.properties.some((p) => {
    if (!ts.isSpreadAssignment(p)) return false;
    const e = p.expression;
    // `...problemOf(…)`, or a value made by it and passed along (`add(p, …)` spreads `...p`).
    if (ts.isCallExpression(e)) return ts.isIdentifier(e.expression) && e.expression.text === 'problemOf';
    return ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isConditionalExpression(e);
  });
}

/** Whether a message is one constant sentence (a literal without substitutions). */
function isConstantText(e: ts.Expression): boolean {
  return ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e);
}

/**
 * `kinds`: every declared kind (`CODE` or `CODE.rule`) with the names of its values. A code needs
 * values when none of its kinds is the bare code without values (so `detail.<CODE>` cannot word it).
 */
export function codesNeedingValues(
  kinds: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Set<string> {
  const codes = new Set(Object.keys(kinds).map((k) => k.split('.')[0] as string));
  for (const [kind, values] of Object.entries(kinds))
    if (!kind.includes('.') && Object.keys(values).length === 0) codes.delete(kind);
  return codes;
}

function bareProblems(
  file: SourceFile,
  needing: ReadonlySet<string>,
  detailCodes: ReadonlySet<string>,
): ProblemSiteViolation[] {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ProblemSiteViolation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const code = propertyNamed(node, 'code');
      const message = propertyNamed(node, 'message');
      if (
        code &&
        message &&
        ts.isStringLiteral(code.initializer) &&
        detailCodes.has(code.initializer.text) &&
        !spreadsParticulars(node)
      ) {
        const c = code.initializer.text;
        const built = !isConstantText(message.initializer);
        if (needing.has(c) || built)
          out.push({
            rule: 'bare-problem',
            path: file.path,
            line: lineOf(sf, node),
            text: needing.has(c)
              ? `${c} is worded from a rule and values: build it with problemOf`
              : `${c}'s message is built from values the problem does not carry: declare a kind and use problemOf`,
          });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Names that hold a caught or possibly-any error within `scope`: catch bindings, `unknown`/`…Error` parameters, `x instanceof …Error`. */
function errorNames(scope: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCatchClause(node) && node.variableDeclaration && ts.isIdentifier(node.variableDeclaration.name))
      names.add(node.variableDeclaration.name.text);
    if (ts.isParameter(node) && ts.isIdentifier(node.name) && node.type) {
      const type = node.type.getText();
      if (type === 'unknown' || /Error$/.test(type)) names.add(node.name.text);
    }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
      ts.isIdentifier(node.left) &&
      /Error$/.test(node.right.getText())
    )
      names.add(node.left.text);
    // `(error: unknown) => …` in a promise's rejection handler, and `.catch((e) => …)`.
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'catch'
    )
      for (const a of node.arguments)
        if (
          (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) &&
          a.parameters[0] &&
          ts.isIdentifier(a.parameters[0].name)
        )
          names.add(a.parameters[0].name.text);
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return names;
}

function errorMessages(file: SourceFile): ProblemSiteViolation[] {
  const kind = file.path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind);
  const names = errorNames(sf);
  const out: ProblemSiteViolation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'message') {
      let target: ts.Expression = node.expression;
      while (
        ts.isParenthesizedExpression(target) ||
        ts.isAsExpression(target) ||
        ts.isNonNullExpression(target)
      )
        target = target.expression;
      if (ts.isIdentifier(target) && names.has(target.text))
        out.push({
          rule: 'error-message',
          path: file.path,
          line: lineOf(sf, node),
          text: `${node.getText(sf)}: an exception's English; word it with failureText (its code or typed reason)`,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Every violation in `files`: `bare-problem` in src/ (tests aside), `error-message` in web/src/.
 * `kinds` is src/domain/particulars.ts's declaration; `detailCodes` the codes a problem may have
 * (DETAIL_CODES: a log verifier's or a bundle's `{code, message}` result is not a problem).
 */
export function checkProblemSites(
  files: readonly SourceFile[],
  kinds: Readonly<Record<string, Readonly<Record<string, string>>>>,
  detailCodes: readonly string[],
): ProblemSiteViolation[] {
  const needing = codesNeedingValues(kinds);
  const details = new Set(detailCodes);
  return files.flatMap((f) => {
    if (/\.test\.tsx?$/.test(f.path)) return [];
    if (f.path.startsWith('src/') && f.path.endsWith('.ts')) return bareProblems(f, needing, details);
    if (f.path.startsWith('web/src/') && /\.tsx?$/.test(f.path)) return errorMessages(f);
    return [];
  });
}

export function formatProblemSites(vs: readonly ProblemSiteViolation[]): string {
  return vs.map((v) => `${v.path}:${v.line} [${v.rule}] ${v.text}`).join('\n');
}
