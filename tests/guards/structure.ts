/**
 * The house's structural rules as a checker over source text (docs/architecture.md "Shape",
 * issue 13 "Guards that keep it so"; decision 0012). Pure: it takes repository-relative paths and
 * their text, so a test can run it over the real tree and over a deliberately broken one.
 *
 * 1. Imports go one way: log ← domain ← store ← services ← server/cli; config is read by
 *    services, server and cli; the web app imports from src only the log and the pure domain.
 *    Every import counts: static, `export … from`, dynamic `import()`, `import type` and
 *    `typeof import()` in types (a type-only import still ties the lower layer to the upper).
 * 2. The log and the domain are pure: besides each other they import only a few pure packages,
 *    never Node built-ins or I/O packages (test files aside).
 * 3. Production code never imports test support (tests/, bench/, *.test.ts, *.test-support.ts …).
 * 3b. An index.ts names what it exports: no `export *` (nor `export type *`), so the door shows
 *    what other folders may use.
 * 3c. Queries live in src/store: no Kysely query builder call (`selectFrom`, `insertInto`,
 *    `updateTable`, `deleteFrom`, `replaceInto`, `mergeInto`) and no raw `sql` template from
 *    kysely anywhere else (test files aside: they may set up and inspect rows).
 * 4. No file under src/ or web/src/ is over 500 lines (generated files and *.types.ts aside).
 * 5. No function there is over 120 lines unless a `// long: <reason>` comment stands right above
 *    the line where it starts (test files aside: a `describe` block is a list, not a function;
 *    migrations aside: each is one flat list of DDL, forward-only, never edited once landed).
 */
import { posix } from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Repository-relative, with forward slashes: `src/domain/errors.ts`. */
  readonly path: string;
  readonly text: string;
}

export type RuleName =
  | 'import-direction'
  | 'impure-import'
  | 'browser-import'
  | 'test-import'
  | 'export-star'
  | 'query-outside-store'
  | 'file-length'
  | 'function-length';

export interface Violation {
  readonly rule: RuleName;
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 120;

type Layer =
  | 'log'
  | 'domain'
  | 'store'
  | 'config'
  | 'services'
  | 'server'
  | 'cli'
  | 'web'
  | 'tests'
  | 'bench';

const LAYER_ROOTS: readonly (readonly [string, Layer])[] = [
  ['src/log/', 'log'],
  ['src/domain/', 'domain'],
  ['src/store/', 'store'],
  ['src/config/', 'config'],
  ['src/services/', 'services'],
  ['src/server/', 'server'],
  ['src/cli/', 'cli'],
  ['web/src/', 'web'],
  ['tests/', 'tests'],
  ['bench/', 'bench'],
];

/**
 * What each layer may import of ours. tests/ and bench/ sit above everything and are not listed:
 * they may import anything. `cli` may start the server, but only through its entry point (see
 * CLI_MAY_IMPORT_FROM_SERVER): the server's routes and helpers are not the CLI's to reuse.
 */
const MAY_IMPORT: Readonly<Partial<Record<Layer, readonly Layer[]>>> = {
  log: ['log'],
  domain: ['domain', 'log'],
  store: ['store', 'domain', 'log'],
  config: ['config', 'domain', 'log'],
  services: ['services', 'store', 'config', 'domain', 'log'],
  server: ['server', 'services', 'store', 'config', 'domain', 'log'],
  cli: ['cli', 'services', 'store', 'config', 'domain', 'log'],
  web: ['web', 'domain', 'log'],
};

/** `custos serve` starts the server: the one file of server/ the CLI may import. */
const CLI_MAY_IMPORT_FROM_SERVER = new Set(['src/server/main.ts']);

/**
 * Packages the pure layers may import: hashing and signatures (@noble, the same code in Node and
 * the browser), RFC 8785 canonical JSON, and the CSV reader and writer (pure string functions).
 */
const PURE_PACKAGES: readonly RegExp[] = [
  /^@noble\/(hashes|curves)\//,
  /^canonicalize$/,
  /^csv-parse\/sync$/,
  /^csv-stringify\/sync$/,
];

/**
 * The one impure import the pure layers keep: the log's Node crypto. The web build points every
 * `./crypto.js` of src/log at crypto.browser.ts (vite.config.ts), which has the same exports.
 */
const IMPURE_EXCEPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['src/log/crypto.ts', new Set(['node:crypto'])],
]);

/**
 * Packages that code of src/ reached from the web app may import. Not every pure package is safe
 * in the browser: csv-stringify and csv-parse call Node's Buffer when they load, and one import
 * of them reached through a domain door once blanked every page ("Buffer is not defined").
 */
const BROWSER_PACKAGES: readonly RegExp[] = [/^@noble\/(hashes|curves)\//, /^canonicalize$/];

/** Tests, benchmarks and what only they use: golden vectors, fixtures, arbitraries, test support. */
export function isTestFile(path: string): boolean {
  return (
    path.startsWith('tests/') ||
    path.startsWith('bench/') ||
    /\.(test|bench)\.tsx?$/.test(path) ||
    /(^|[./])test-support\.tsx?$/.test(path) ||
    /\.fixture\.ts$/.test(path) ||
    /(^|\/)testdata\//.test(path)
  );
}

function layerOf(path: string): Layer | undefined {
  for (const [root, layer] of LAYER_ROOTS) if (path.startsWith(root)) return layer;
  return undefined;
}

/** Whether the size rules apply: code under src/ and web/src/, except type-only files. */
function isSized(path: string): boolean {
  return (path.startsWith('src/') || path.startsWith('web/src/')) && !/\.types\.ts$/.test(path);
}

/** openapi-typescript and similar tools say so in their first lines. */
function isGenerated(text: string): boolean {
  const head = text.split('\n', 6).join('\n');
  return /@generated|auto-generated|do not edit/i.test(head);
}

interface ImportRef {
  readonly specifier: string;
  readonly line: number;
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Every module specifier the file names: imports, re-exports, import(), import types, require. */
export function importsOf(sf: ts.SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) {
      out.push({ specifier: node.text, line: lineOf(sf, node.getStart(sf)) });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The repository path a relative specifier names, with `.js` read as the `.ts`/`.tsx` it is compiled from. */
function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string {
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = joined.replace(/\.(js|jsx|ts|tsx|mjs)$/, '');
  for (const candidate of [joined, `${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`, `${stem}/index.tsx`]) {
    if (known.has(candidate)) return candidate;
  }
  return joined;
}

function checkImports(
  file: SourceFile,
  sf: ts.SourceFile,
  known: ReadonlySet<string>,
  out: Violation[],
): void {
  const layer = layerOf(file.path);
  if (layer === undefined) return;
  const test = isTestFile(file.path);
  for (const { specifier, line } of importsOf(sf)) {
    const at = { path: file.path, line };
    if (!specifier.startsWith('.')) {
      if ((layer === 'log' || layer === 'domain') && !test && !isPurePackage(file.path, specifier)) {
        out.push({
          ...at,
          rule: 'impure-import',
          message: `${layer} is pure and may not import "${specifier}"`,
        });
      }
      continue;
    }
    const target = resolveRelative(file.path, specifier, known);
    const targetLayer = layerOf(target);
    if (!test && isTestFile(target)) {
      out.push({ ...at, rule: 'test-import', message: `production code imports test support ${target}` });
      continue;
    }
    const allowed = MAY_IMPORT[layer];
    if (allowed === undefined) continue; // tests/ and bench/ may import anything
    const ok =
      targetLayer !== undefined &&
      (allowed.includes(targetLayer) || (layer === 'cli' && CLI_MAY_IMPORT_FROM_SERVER.has(target)));
    if (!ok) {
      out.push({
        ...at,
        rule: 'import-direction',
        message: `${layer} may not import ${targetLayer ?? 'outside the layers'} (${target}); ${layer} may import ${allowed.join(', ')}`,
      });
    }
  }
}

/** `export * from` (and `export type *`, `export * as`) in an index file. */
function checkExportStar(file: SourceFile, sf: ts.SourceFile, out: Violation[]): void {
  if (!/(^|\/)index\.tsx?$/.test(file.path)) return;
  sf.forEachChild((node) => {
    if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      if (node.exportClause === undefined || ts.isNamespaceExport(node.exportClause)) {
        out.push({
          rule: 'export-star',
          path: file.path,
          line: lineOf(sf, node.getStart(sf)),
          message: 'an index names its exports (no export *)',
        });
      }
    }
  });
}

/** Kysely's query-builder entry points: a statement starts with one of them. */
const QUERY_BUILDERS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
]);

/** A query written outside src/store (rule 3c). */
function checkQueries(file: SourceFile, sf: ts.SourceFile, out: Violation[]): void {
  if (file.path.startsWith('src/store/') || isTestFile(file.path) || layerOf(file.path) === undefined) return;
  const flag = (node: ts.Node, what: string) =>
    out.push({
      rule: 'query-outside-store',
      path: file.path,
      line: lineOf(sf, node.getStart(sf)),
      message: `${what} outside src/store: put the query in a repository there`,
    });
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      QUERY_BUILDERS.has(node.expression.name.text)
    ) {
      flag(node, `${node.expression.name.text}()`);
    } else if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text === 'kysely' &&
      node.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(node.importClause.namedBindings) &&
      !node.importClause.isTypeOnly
    ) {
      for (const el of node.importClause.namedBindings.elements) {
        if (!el.isTypeOnly && (el.propertyName ?? el.name).text === 'sql') flag(el, 'the sql template');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function isPurePackage(path: string, specifier: string): boolean {
  return (
    PURE_PACKAGES.some((re) => re.test(specifier)) || IMPURE_EXCEPTIONS.get(path)?.has(specifier) === true
  );
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.AccessorDeclaration;

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function nameOf(node: FunctionNode): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined && !ts.isComputedPropertyName(node.name)) return node.name.getText();
  const p = node.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) {
    return p.name.getText();
  }
  if (ts.isCallExpression(p)) return `callback of ${p.expression.getText().slice(0, 40)}`;
  return 'anonymous function';
}

/** A `// long: <reason>` comment in the comment block right above `line` (1-based). */
function hasLongReason(lines: readonly string[], line: number): boolean {
  for (let i = line - 2; i >= 0; i--) {
    const t = (lines[i] ?? '').trim();
    if (/^\/\/\s*long:\s*\S/.test(t)) return true;
    if (!(t.startsWith('//') || t.startsWith('/*') || t.startsWith('*') || t.startsWith('@'))) return false;
  }
  return false;
}

function checkSizes(file: SourceFile, sf: ts.SourceFile, out: Violation[]): void {
  if (!isSized(file.path) || isGenerated(file.text)) return;
  const lines = file.text.split('\n');
  const count = file.text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (count > MAX_FILE_LINES) {
    out.push({
      rule: 'file-length',
      path: file.path,
      line: 1,
      message: `${count} lines (at most ${MAX_FILE_LINES}): split it by concept`,
    });
  }
  if (isTestFile(file.path) || file.path.startsWith('src/store/migrations/')) return;
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node) && node.body !== undefined) {
      const start = lineOf(sf, node.getStart(sf));
      const length = lineOf(sf, node.getEnd()) - start + 1;
      if (length > MAX_FUNCTION_LINES && !hasLongReason(lines, start)) {
        out.push({
          rule: 'function-length',
          path: file.path,
          line: start,
          message: `${nameOf(node)} is ${length} lines (at most ${MAX_FUNCTION_LINES} without a "// long: <reason>" comment)`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

/** Every violation of the rules above in the given files, in file order. */
export function checkStructure(files: readonly SourceFile[]): Violation[] {
  const known = new Set(files.map((f) => f.path));
  const out: Violation[] = [];
  const parsed = new Map<string, ts.SourceFile>();
  for (const file of files) {
    const kind = file.path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, kind);
    parsed.set(file.path, sf);
    checkImports(file, sf, known, out);
    checkExportStar(file, sf, out);
    checkQueries(file, sf, out);
    checkSizes(file, sf, out);
  }
  checkBrowserReach(parsed, known, out);
  return out;
}

/** The modules a file loads when it runs: type-only imports and re-exports are erased. */
function runtimeImportsOf(sf: ts.SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const at = (node: ts.Expression) => {
    if (ts.isStringLiteralLike(node)) out.push({ specifier: node.text, line: lineOf(sf, node.getStart(sf)) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (node.importClause?.isTypeOnly !== true) at(node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly && node.moduleSpecifier !== undefined) at(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const first = node.arguments[0];
      if (first !== undefined) at(first);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Walks what the web app loads from its own files into src/ and refuses, in the src/ files it
 * reaches, any package that is not known to run in the browser. The web build points src/log's
 * `./crypto.js` at crypto.browser.ts (vite.config.ts), and so does this walk.
 */
function checkBrowserReach(
  parsed: ReadonlyMap<string, ts.SourceFile>,
  known: ReadonlySet<string>,
  out: Violation[],
) {
  const queue = [...parsed.keys()].filter((p) => p.startsWith('web/src/') && !isTestFile(p));
  const seen = new Set(queue);
  while (queue.length > 0) {
    const path = queue.pop() as string;
    const sf = parsed.get(path);
    if (sf === undefined) continue;
    for (const { specifier, line } of runtimeImportsOf(sf)) {
      if (!specifier.startsWith('.')) {
        const reachedFromSrc = path.startsWith('src/');
        if (
          specifier.startsWith('node:') ||
          (reachedFromSrc && !BROWSER_PACKAGES.some((re) => re.test(specifier)))
        ) {
          out.push({
            path,
            line,
            rule: 'browser-import',
            message: `the web app loads this file, and "${specifier}" may not run in the browser`,
          });
        }
        continue;
      }
      let target = resolveRelative(path, specifier, known);
      if (target === 'src/log/crypto.ts') target = 'src/log/crypto.browser.ts';
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
}

/** One line per violation, for a failing test's message. */
export function formatViolations(vs: readonly Violation[]): string {
  return vs.map((v) => `${v.path}:${v.line} [${v.rule}] ${v.message}`).join('\n');
}
