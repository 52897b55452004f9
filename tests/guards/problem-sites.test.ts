import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DETAIL_CODES } from '../../src/domain/errors.js';
import { PARTICULARS } from '../../src/domain/particulars.js';
import { checkProblemSites, formatProblemSites } from './problem-sites.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tree = ['src', 'web/src'].flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => ({
      path: `${dir}/${f.split('\\').join('/')}`,
      text: readFileSync(join(root, dir, f), 'utf8'),
    })),
);
const check = (files: { path: string; text: string }[]) =>
  checkProblemSites(files, PARTICULARS, DETAIL_CODES).map((v) => `${v.path}:${v.line} ${v.rule}`);

describe('problems carry their values and pages never show an exception’s English (decision 0064)', () => {
  it('holds for the code as it is', () => {
    expect(tree.length).toBeGreaterThan(300);
    expect(formatProblemSites(checkProblemSites(tree, PARTICULARS, DETAIL_CODES))).toBe('');
  });

  it('fails a problem written without the values its message needs', () => {
    const planted = [
      // The declared activity's check before decision 0064: a sentence built from a value.
      "const a = [{ field: 'to', code: 'FIELD_INVALID', message: `at most $" + '{DAYS} days` }];',
      // The deadline calendar's: the value as the message.
      "throw new DomainError('VALIDATION_FAILED', 'x', [{ field, code: 'DATE_INVALID', message: value }]);",
      // A code the browser words only from a rule and values, even with a constant sentence.
      "errors.push({ code: 'PB_MISMATCH', message: 'the beginning balance differs' });",
      // Passing: built by problemOf, a value made by it, a constant sentence under a bare code.
      "errors.push({ field, ...problemOf('DATE_INVALID.value', { value }), message: `bad $" + '{value}` });',
      'const add = (p: Particulars, m: string) => out.push({ ...p, message: m });',
      "out.push({ field: 'x', code: 'FIELD_MISSING', message: 'required column' });",
      // Not a problem: a log verifier's result (LOG_* is an error code, not a detail code).
      "return { ok: false, code: 'LOG_PROOF_INVALID', message: `entry $" + '{i}` };',
    ].join('\n');
    expect(check([{ path: 'src/domain/x.ts', text: planted }])).toEqual([
      'src/domain/x.ts:1 bare-problem',
      'src/domain/x.ts:2 bare-problem',
      'src/domain/x.ts:3 bare-problem',
    ]);
    // Tests and the web are not problem sites.
    expect(check([{ path: 'src/domain/x.test.ts', text: planted }])).toEqual([]);
  });

  it('fails a web file that renders the message of a caught error', () => {
    const planted = [
      'try { f(); } catch (e) { setError(e instanceof Error ? e.message : String(e)); }',
      'try { f(); } catch (err) { show((err as Error).message); }',
      'load().catch((reason) => setText(reason.message));',
      'function hint(error: unknown) { return error instanceof Error ? error.message : String(error); }',
      'const y = (x: TypeError) => x.message;',
      // Passing: an API problem's English field (decision 0047 keeps it off the page separately),
      // and a message as a catalogue key's name.
      'const z = detail.message;',
      "t('case.message.title');",
    ].join('\n');
    expect(check([{ path: 'web/src/pages/X.tsx', text: planted }])).toEqual([
      'web/src/pages/X.tsx:1 error-message',
      'web/src/pages/X.tsx:2 error-message',
      'web/src/pages/X.tsx:3 error-message',
      'web/src/pages/X.tsx:4 error-message',
      'web/src/pages/X.tsx:5 error-message',
    ]);
  });
});
