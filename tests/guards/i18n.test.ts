import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { articleSpec, DECLARATION_ARTICLES } from '../../src/domain/declarations/index.js';
import { DETAIL_CODES, ERROR_CODES } from '../../src/domain/errors.js';
import { BUNDLE_REFUSAL_CODES, DELIVERY_FAILURES } from '../../src/domain/federation/index.js';
import { JOINT_ACTIVITIES } from '../../src/domain/inspections/index.js';
import {
  DEVICE_ALARM_CODES,
  DEVICE_KINDS,
  DEVICE_STATUSES,
  EVENT_TYPES,
} from '../../src/domain/monitoring/index.js';
import { PARTICULARS } from '../../src/domain/particulars.js';
import { RECORD_KINDS } from '../../src/domain/record-kinds.js';
import { LOCALES } from '../../web/src/i18n/locales.js';
import {
  type Catalogue,
  compareCatalogue,
  copiedFromEnglish,
  particularsProblems,
  visibleStrings,
} from './i18n.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const catalogueOf = (locale: string): Catalogue =>
  JSON.parse(readFileSync(join(root, 'web/src/i18n/messages', `${locale}.json`), 'utf8')) as Catalogue;
const en = catalogueOf('en');

/**
 * Keys whose translation may equal the English text: words the two languages share (French
 * "Menu", "Audit", "Inspections") and messages that are only a code and its placeholder.
 */
const SAME_AS_ENGLISH: Readonly<Record<string, readonly string[]>> = {
  fr: [
    'app.menu',
    'app.audience.auditor',
    'nav.inspections',
    'problem.code',
    'common.what.inspections',
    'submit.format',
    'submit.col.code',
    'facilityType.conversion',
    'case.message.text',
    'reports.type',
    'reports.pages',
    'reports.page',
    'deadlines.col.obligation',
    'reg.col.description',
    'reg.col.code',
    'reg.col.type',
    'reg.col.position',
    'alarms.col.date',
    'transfers.col.srd',
    'insp.detail.title',
    'insp.sign.conclusion',
    'chart.sqLine',
    'logx.signatures',
    'decl.field.description',
    'decl.field.plan',
    'decl.field.productionKg',
    'decl.field.site',
  ],
  es: [
    'submit.bytes',
    'case.attachmentInfo',
    'transfers.col.srd',
    'chart.sqLine',
    'case.autoTitle.balance',
    'decl.field.material',
    'decl.field.plan',
  ],
  ru: ['case.autoTitle.balance'],
  zh: [],
  ar: [],
};

/**
 * Screens not yet moved into messages, with how many visible strings each still has (issue 16 is
 * converting them page by page). The list only shrinks: a file may not gain strings, and a file
 * that has none left must leave the list.
 */
const NOT_YET_TRANSLATED: Readonly<Record<string, number>> = {};

/**
 * API fields that carry the server's English wording for API and CLI readers (decision 0047): a
 * page words the code beside them instead. Matched where a page renders one directly, as a JSX
 * child (`{x.reason}`) or a column (`render: (x) => x.detail`).
 */
const SERVER_WORDING =
  /(?:(?<!\$)\{\s*|render:\s*\(\w+\)\s*=>\s*)[\w?.]+\.(?:detail|reason|message|lastError)\s*[},]/g;

function serverWording(text: string): string[] {
  return text.split('\n').flatMap((l, i) => [...l.matchAll(SERVER_WORDING)].map((m) => `${i + 1} ${m[0]}`));
}

function tsxFiles(): { path: string; text: string }[] {
  const dir = join(root, 'web/src');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.tsx'))
    .map((f) => ({ path: `web/src/${f.split('\\').join('/')}`, text: readFileSync(join(dir, f), 'utf8') }));
}

describe('the web app speaks the six UN languages (issue 16 item 11, decision 0025)', () => {
  it('has a catalogue per language', () => {
    expect([...LOCALES].sort()).toEqual(['ar', 'en', 'es', 'fr', 'ru', 'zh']);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))(
    '%s has every English key with the same ICU arguments',
    (locale) => {
      expect(compareCatalogue(en, catalogueOf(locale))).toEqual([]);
    },
  );

  it('every English message is valid ICU', () => {
    expect(compareCatalogue(en, en)).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s is translated, not copied from English', (locale) => {
    const allowed = new Set(SAME_AS_ENGLISH[locale] ?? []);
    expect(copiedFromEnglish(en, catalogueOf(locale), allowed)).toEqual([]);
  });

  it('every API error code, detail code, log record kind, delivery failure, device term, joint inspection activity and declaration field has a message', () => {
    const missing = [
      ...ERROR_CODES.map((c) => `error.${c}`),
      ...DETAIL_CODES.map((c) => `detail.${c}`),
      ...RECORD_KINDS.map((k) => `record.kind.${k}`),
      ...DELIVERY_FAILURES.map((c) => `net.failure.${c}`),
      ...BUNDLE_REFUSAL_CODES.map((c) => `bundle.${c}`),
      ...DEVICE_KINDS.map((k) => `devices.kind.${k}`),
      ...DEVICE_STATUSES.map((s) => `devices.lifecycle.${s}`),
      ...EVENT_TYPES.map((e) => `devices.event.${e}`),
      ...JOINT_ACTIVITIES.map((a) => `insp.activity.${a}`),
      ...DECLARATION_ARTICLES.flatMap((a) => articleSpec(a).fields.map((f) => `decl.field.${f.name}`)),
    ].filter((k) => !(k in en));
    expect(missing, 'add these keys to every catalogue in web/src/i18n/messages').toEqual([]);
  });

  it("each Additional Protocol article's subject has a message saying what the domain says", () => {
    const differ = DECLARATION_ARTICLES.filter((a) => en[`decl.article.${a}`] !== articleSpec(a).title);
    expect(differ, 'decl.article.<article> in every catalogue, English as in articles.ts').toEqual([]);
  });

  it('no visible string sits in JSX outside a message', () => {
    const files = tsxFiles();
    expect(files.length).toBeGreaterThan(20);
    const over: string[] = [];
    const done: string[] = [];
    for (const f of files) {
      const found = visibleStrings(f.path, f.text);
      const allowed = NOT_YET_TRANSLATED[f.path] ?? 0;
      if (found.length > allowed) {
        const list = found.map((s) => `  ${f.path}:${s.line} ${s.text}`).join('\n');
        over.push(`${f.path}: ${found.length} visible strings (ledger ${allowed})\n${list}`);
      }
      if (f.path in NOT_YET_TRANSLATED && found.length < allowed) done.push(`${f.path}: now ${found.length}`);
    }
    expect(over.join('\n'), 'put these strings in web/src/i18n/messages and use t()').toBe('');
    expect(done, 'translated: lower or remove their NOT_YET_TRANSLATED lines').toEqual([]);
  });
});

describe('a problem is worded from its particulars (decision 0052)', () => {
  const kinds = Object.entries(PARTICULARS) as [string, Readonly<Record<string, string>>][];
  // The page's own words around problems, not problem kinds.
  const pageKeys = new Set(['problem.code', 'problem.line', 'problem.field', 'problem.serverWording']);

  it('each declared kind is a detail code (or a device alarm code), or one and a rule', () => {
    const codes: readonly string[] = [...DETAIL_CODES, ...DEVICE_ALARM_CODES];
    const unknown = kinds.map(([k]) => k).filter((k) => !codes.includes(k.split('.')[0]!));
    expect(unknown).toEqual([]);
  });

  it('each kind with a rule or values has a message using exactly its values, numbers through Intl', () => {
    expect(
      particularsProblems(PARTICULARS, en),
      'problem.<CODE>[.<rule>] in every catalogue, with the values of src/domain/particulars.ts',
    ).toEqual([]);
  });

  it('fails a message lacking a value the domain supplies, using one it does not, or showing a number raw', () => {
    const declared = {
      A: { weight: 'grams' },
      'B.rule': { kmp: 'text', count: 'count' },
      C: {},
      'D.rule': {},
    } as const;
    const catalogue = { 'problem.A': 'Weight {weight} g', 'problem.B.rule': 'KMP {kmp} and {other}' };
    expect(particularsProblems(declared, catalogue)).toEqual([
      'problem.A: weight not as {x, number} or a plural',
      'problem.B.rule: does not use count',
      'problem.B.rule: uses other, which the domain does not supply',
      'problem.D.rule: missing (values none)',
    ]);
  });

  it('each problem message is of a declared kind', () => {
    const declared = new Set(kinds.map(([k]) => `problem.${k}`));
    const orphans = Object.keys(en).filter(
      (k) => k.startsWith('problem.') && !pageKeys.has(k) && !declared.has(k),
    );
    expect(orphans, 'declare the kind in src/domain/particulars.ts or remove the message').toEqual([]);
  });
});

describe("the server's English wording stays out of the pages (decision 0047)", () => {
  it('no page renders a detail, reason, message or lastError field as it came', () => {
    const found = tsxFiles().flatMap((f) => serverWording(f.text).map((s) => `${f.path}:${s}`));
    expect(found, 'render the code beside it through a catalogue message').toEqual([]);
  });

  it('finds such a field as a JSX child and as a column, not inside a template or a message', () => {
    // A template literal in the code under test, spelt without one here.
    const template = `const k = \`devices.reason.$\{i.reason}\`;`;
    const src = [
      '<td>{d.reason}</td>',
      "{ key: 'x', render: (i) => i.detail },",
      '<p>{refusalText(t, d.code)}</p>',
      template,
    ].join('\n');
    expect(serverWording(src)).toEqual(['1 {d.reason}', '2 render: (i) => i.detail }']);
  });
});

describe('the visible-string check', () => {
  it('finds text, visible attributes and string branches, and passes messages and technical attributes', () => {
    // A template literal in the JSX under test, spelt without one here.
    const items = `\`$\{n} items\``;
    const src = [
      'export const A = () => (',
      '  <div className="x" aria-live="polite" title="Hello">',
      `    Some text {cond ? "Yes" : t("k")} {n > 1 && ${items}}`,
      '    <Page lead={t("a")} what="the form" />',
      '    {t("b")} · {"—"} MUF <b>σMUF</b>',
      '  </div>',
      ');',
    ].join('\n');
    expect(visibleStrings('x.tsx', src).map((s) => `${s.line} ${s.text}`)).toEqual([
      '2 title="Hello"',
      '3 Some text',
      '3 "Yes"',
      `3 ${items}`,
      '4 what="the form"',
    ]);
  });

  it('reports a catalogue missing a key, an extra key and changed arguments', () => {
    const ref = { a: 'A {n}', b: 'B', c: '{count, plural, one {# x} other {# y}} <l>z</l>' };
    expect(compareCatalogue(ref, { a: 'A', c: '{count, plural, other {# y}} <l>z</l>', d: 'D' })).toEqual([
      'a: arguments (none) ≠ English n',
      'b: missing',
      'd: not in English',
    ]);
  });
});
