import { describe, expect, it } from 'vitest';
import { checkStructure, MAX_FILE_LINES, MAX_FUNCTION_LINES, type SourceFile } from './structure.js';

/** The checker over small in-memory trees: each rule must fail on a deliberate violation. */
const file = (path: string, ...lines: string[]): SourceFile => ({ path, text: `${lines.join('\n')}\n` });
const rulesOf = (files: SourceFile[]) => checkStructure(files).map((v) => `${v.path}:${v.line} ${v.rule}`);

/** A small tree that keeps every rule; each test adds one file that breaks one. */
const lawful: SourceFile[] = [
  file('src/log/index.ts', "import { sha256 } from './crypto.js';", 'export const h = sha256;'),
  file('src/log/crypto.ts', "import { createHash } from 'node:crypto';", 'export const sha256 = createHash;'),
  file(
    'src/domain/errors.ts',
    "import { h } from '../log/index.js';",
    "import { sha256 } from '@noble/hashes/sha2.js';",
  ),
  file('src/domain/reports/index.ts', "export type { X } from '../errors.js';"),
  file(
    'src/store/db.ts',
    "import { Kysely } from 'kysely';",
    "import type { X } from '../domain/reports/index.js';",
  ),
  file('src/config/config.ts', "import { DomainError } from '../domain/errors.js';"),
  file(
    'src/services/reports/submit.ts',
    "import { db } from '../../store/db.js';",
    "import { c } from '../../config/config.js';",
  ),
  file('src/server/main.ts', "import { submit } from '../services/reports/submit.js';"),
  file('src/server/app.ts', "import { db } from '../store/db.js';"),
  file('src/cli/server.ts', "const { start } = await import('../server/main.js');"),
  file(
    'web/src/verify.ts',
    "import { h } from '../../src/log/index.js';",
    "import type { X } from '../../src/domain/reports/index.js';",
  ),
  file(
    'src/domain/reports/validate.test.ts',
    "import { readFileSync } from 'node:fs';",
    "import fc from 'fast-check';",
  ),
  file('src/domain/reports/arbitraries.test-support.ts', "import fc from 'fast-check';"),
  file('tests/api/reports.test.ts', "import { buildApp } from '../../src/server/app.js';"),
  file('bench/run.ts', "import { x } from '../tests/fixtures/app.js';"),
];

describe('checkStructure', () => {
  it('fails a Node-only package that the web app loads through a domain door, not one it names only as a type', () => {
    const browser = [
      file(
        'src/domain/legal/index.ts',
        "export { toCsv } from './export.js';",
        "export type { Y } from './types.js';",
      ),
      file('src/domain/legal/export.ts', "import { stringify } from 'csv-stringify/sync';"),
      file('src/domain/legal/types.ts', "import type { Options } from 'csv-parse/sync';"),
      file('src/domain/reports/csv.ts', "import { parse } from 'csv-parse/sync';"),
      file('web/src/legal.tsx', "import { toCsv } from '../../src/domain/legal/index.js';"),
      file('web/src/types.ts', "import type { C } from '../../src/domain/reports/csv.js';"),
      file('web/src/util.ts', "import { readFileSync } from 'node:fs';"),
    ];
    expect(rulesOf([...lawful, ...browser])).toEqual([
      'web/src/util.ts:1 browser-import',
      'src/domain/legal/export.ts:1 browser-import',
    ]);
  });

  it('fails a query written outside src/store, but not in the store or in tests', () => {
    const queries = [
      file(
        'src/store/reports.repo.ts',
        "import { sql } from 'kysely';",
        "const r = k.selectFrom('reports');",
      ),
      file(
        'tests/api/x.test.ts',
        "import { sql } from 'kysely';",
        "await k.deleteFrom('reports').execute();",
      ),
      file(
        'src/services/reports/queries.ts',
        "import type { Insertable } from 'kysely';",
        "const r = k.selectFrom('reports');",
      ),
      file('src/server/main.ts', '', '', "await tx.insertInto('states').values(v).execute();"),
      file('src/cli/audit.ts', "import { type Kysely, sql } from 'kysely';"),
      file(
        'src/services/records.ts',
        "await db.kysely.updateTable('x').set(v).execute();",
        "tx.deleteFrom('y');",
      ),
    ];
    expect(rulesOf([...lawful, ...queries])).toEqual([
      'src/services/reports/queries.ts:2 query-outside-store',
      'src/server/main.ts:3 query-outside-store',
      'src/cli/audit.ts:1 query-outside-store',
      'src/services/records.ts:1 query-outside-store',
      'src/services/records.ts:2 query-outside-store',
    ]);
  });

  it('passes a tree that keeps every rule', () => {
    expect(rulesOf(lawful)).toEqual([]);
  });

  it('fails an import against the direction, in every form an import can take', () => {
    const broken = [
      file('src/domain/cases/lifecycle.ts', "import { db } from '../../store/db.js';"),
      file('src/log/note.ts', '', "export { DomainError } from '../domain/errors.js';"),
      file('src/store/reports.repo.ts', "const m = await import('../services/reports/submit.js');"),
      file('src/services/audit.ts', "type App = typeof import('../server/app.js');"),
      file('src/domain/policy/policy.ts', "import type { Config } from '../../config/config.js';"),
      file('src/cli/log.ts', "import { buildApp } from '../server/app.js';"),
      file('src/server/routes/x.ts', "import { run } from '../../cli/main.js';"),
      file('web/src/api.ts', "import type { Db } from '../../src/store/db.js';"),
      file('web/src/pages/A.tsx', "import { submit } from '../../../src/services/reports/submit.js';"),
      file('src/domain/registry/keys.ts', "import { page } from '../../../web/src/api.js';"),
    ];
    expect(rulesOf([...lawful, ...broken])).toEqual([
      'src/domain/cases/lifecycle.ts:1 import-direction',
      'src/log/note.ts:2 import-direction',
      'src/store/reports.repo.ts:1 import-direction',
      'src/services/audit.ts:1 import-direction',
      'src/domain/policy/policy.ts:1 import-direction',
      'src/cli/log.ts:1 import-direction',
      'src/server/routes/x.ts:1 import-direction',
      'web/src/api.ts:1 import-direction',
      'web/src/pages/A.tsx:1 import-direction',
      'src/domain/registry/keys.ts:1 import-direction',
      // The page that reaches the services also loads the store's Kysely into the browser.
      'src/store/db.ts:1 browser-import',
    ]);
  });

  it('fails the direction in test files too, but lets them use any package', () => {
    const broken = [
      file(
        'src/domain/cases/lifecycle.test.ts',
        "import fc from 'fast-check';",
        "import { db } from '../../store/db.js';",
      ),
    ];
    expect(rulesOf([...lawful, ...broken])).toEqual([
      'src/domain/cases/lifecycle.test.ts:2 import-direction',
    ]);
  });

  it('fails an impure package in the log or the domain', () => {
    const broken = [
      file('src/domain/deadlines/calendar.ts', "import { readFileSync } from 'node:fs';"),
      file('src/log/note.ts', "import { Kysely } from 'kysely';"),
      file('src/domain/reports/arbitraries.ts', "import fc from 'fast-check';"),
    ];
    expect(rulesOf([...lawful, ...broken])).toEqual([
      'src/domain/deadlines/calendar.ts:1 impure-import',
      'src/log/note.ts:1 impure-import',
      'src/domain/reports/arbitraries.ts:1 impure-import',
    ]);
  });

  it('fails production code that imports test support', () => {
    const broken = [
      file('src/domain/reports/index.ts', "export { arb } from './arbitraries.test-support.js';"),
      file('src/server/app.ts', "import { buildTestApp } from '../../tests/fixtures/app.js';"),
    ];
    const others = lawful.filter((f) => !broken.some((b) => b.path === f.path));
    expect(rulesOf([...others, ...broken])).toEqual([
      'src/domain/reports/index.ts:1 test-import',
      'src/server/app.ts:1 test-import',
    ]);
  });

  it('fails export * in an index file, in any form', () => {
    const broken = [
      file(
        'src/domain/cases/index.ts',
        "export * from './lifecycle.js';",
        "export type * from './cases.types.js';",
      ),
      file(
        'src/log/index.ts',
        "export * as hashing from './hashing.js';",
        "export { sha256 } from './crypto.js';",
      ),
      file('src/domain/cases/lifecycle.ts', "export * from './other.js';"),
    ];
    const others = lawful.filter((f) => !broken.some((b) => b.path === f.path));
    expect(rulesOf([...others, ...broken])).toEqual([
      'src/domain/cases/index.ts:1 export-star',
      'src/domain/cases/index.ts:2 export-star',
      'src/log/index.ts:1 export-star',
    ]);
  });

  it('fails a file over the limit unless it is a *.types.ts or generated file', () => {
    const long = Array.from({ length: MAX_FILE_LINES + 1 }, (_, i) => `export const v${i} = ${i};`);
    const broken = [
      file('src/domain/reports/validate.ts', ...long),
      file('web/src/pages/Cases.tsx', ...long),
      file('src/store/schema.types.ts', ...long),
      file('web/src/api.types.ts', ...long),
      file(
        'web/src/wire.ts',
        '/**',
        ' * This file was auto-generated by openapi-typescript.',
        ' */',
        ...long,
      ),
      file('tests/api/long.test.ts', ...long),
      file('src/domain/reports/ok.ts', ...long.slice(1)),
    ];
    expect(rulesOf([...lawful, ...broken])).toEqual([
      'src/domain/reports/validate.ts:1 file-length',
      'web/src/pages/Cases.tsx:1 file-length',
    ]);
  });

  it('fails a function over the limit unless a "// long:" reason stands above it', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES - 1 }, (_, i) => `  const v${i} = ${i};`);
    const broken = [
      file('src/services/a.ts', 'export function tooLong() {', ...body, '}'),
      file('src/services/b.ts', 'export const arrow = () => {', ...body, '};'),
      file('src/services/c.ts', 'class K {', '  method() {', ...body, '  }', '}'),
      file(
        'src/services/d.ts',
        '/** why */',
        '// long: one flat list of DDL statements',
        'export function up() {',
        ...body,
        '}',
      ),
      file('src/services/e.ts', 'export function fits() {', ...body.slice(1), '}'),
      file('src/services/f.ts', '// long:', 'export function noReason() {', ...body, '}'),
      file('src/services/g.test.ts', "describe('x', () => {", ...body, '});'),
    ];
    expect(rulesOf([...lawful, ...broken])).toEqual([
      'src/services/a.ts:1 function-length',
      'src/services/b.ts:1 function-length',
      'src/services/c.ts:2 function-length',
      'src/services/f.ts:2 function-length',
    ]);
  });
});
