import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkStructure, formatViolations, type SourceFile, type Violation } from './structure.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every TypeScript file of the layers and of what sits above them. */
function repositoryFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const top of ['src', 'web/src', 'tests', 'bench']) {
    for (const entry of readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })) {
      if (!/\.tsx?$/.test(entry) || entry.endsWith('.d.ts')) continue;
      const abs = join(root, top, entry);
      files.push({ path: relative(root, abs).split(sep).join('/'), text: readFileSync(abs, 'utf8') });
    }
  }
  return files;
}

describe('the house keeps its shape (decision 0012)', () => {
  const files = repositoryFiles();
  const violations = checkStructure(files);
  const of = (...rules: Violation['rule'][]) => violations.filter((v) => rules.includes(v.rule));

  it('reads the whole tree', () => {
    // A guard that silently reads nothing passes everything.
    expect(files.filter((f) => f.path.startsWith('src/domain/')).length).toBeGreaterThan(50);
    expect(files.filter((f) => f.path.startsWith('web/src/')).length).toBeGreaterThan(10);
  });

  it('imports go one way: log ← domain ← store ← services ← server/cli, web: log and domain', () => {
    expect(formatViolations(of('import-direction', 'test-import'))).toBe('');
  });

  it('what the web app loads of src/ imports only browser-safe packages', () => {
    expect(formatViolations(of('browser-import'))).toBe('');
  });

  it('index files name their exports', () => {
    expect(formatViolations(of('export-star'))).toBe('');
  });

  it('queries live in src/store', () => {
    expect(formatViolations(of('query-outside-store'))).toBe('');
  });

  it('the log and the domain stay pure', () => {
    expect(formatViolations(of('impure-import'))).toBe('');
  });

  it('no file over 500 lines and no function over 120 lines without a reason', () => {
    // Issue 13's ledger of functions still being split is empty: the rule holds everywhere.
    expect(formatViolations(of('file-length', 'function-length'))).toBe('');
  });
});
