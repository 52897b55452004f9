/**
 * Issue 16 items 11–13 in a real browser: the app in Arabic (right to left), French and English,
 * the language taken from the browser and kept per user, every screen of every audience under an
 * axe-core WCAG 2.2 A/AA audit with no serious or critical violation, practice mode checked and
 * nothing recorded, and a whole task done with the keyboard alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/keys.js';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  Session,
  startE2eServer,
} from './harness.js';
import { messagesOf, type Say } from './messages.js';
import { DeclarationEditorScreen } from './pages/models.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 300_000;
/** One login per audience: a state's submitter, an inspectorate's inspector, an auditor. */
const AUDIENCES = ['xa-ssac.submitter', 'agency.inspector', 'agency.auditor'];

describe.skipIf(!available)('the app in the six UN languages, accessible (issue 16, Chromium)', () => {
  let server: E2eServer;
  let browser: Browser;
  const open: Session[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startE2eServer();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) {
      const errors = s.errors.slice();
      await s.close();
      expect(errors, 'console errors').toEqual([]);
    }
  });

  async function session(locale: string): Promise<Session> {
    const s = await Session.open(browser, server.url, undefined, locale);
    open.push(s);
    return s;
  }

  /** Signs in with the words of `say`; `after` is the language the app then speaks (the user's own). */
  async function signIn(s: Session, say: Say, login: string, after: Say = say): Promise<void> {
    await s.page.goto('/');
    await s.page.getByRole('heading', { name: say('login.title'), level: 1 }).waitFor();
    await s.page.getByLabel(say('login.login'), { exact: true }).fill(login);
    await s.page.getByLabel(say('login.password')).fill(server.user(login).password);
    await s.page.getByRole('button', { name: say('login.title') }).click();
    await s.page.getByRole('button', { name: after('app.signOut') }).waitFor();
  }

  const nav = (page: Page, say: Say) => page.getByRole('navigation', { name: say('app.mainNav') });

  /** Every screen of the navigation, each audited once its heading shows. */
  async function auditEveryScreen(s: Session, say: Say): Promise<string[]> {
    const found: string[] = [];
    const links = nav(s.page, say).getByRole('link');
    const count = await links.count();
    expect(count).toBeGreaterThan(1);
    for (let i = 0; i < count; i++) {
      const link = links.nth(i);
      const label = (await link.textContent())?.trim() ?? '?';
      const href = (await link.getAttribute('href')) ?? '';
      await link.click();
      await s.page.waitForURL((u) => u.pathname === href);
      await s.page.getByRole('heading', { level: 1 }).waitFor();
      // Settled: no "Loading…" status left on the screen.
      await expect.poll(() => s.page.getByRole('status').filter({ hasText: /…$/ }).count()).toBe(0);
      for (const v of await s.seriousViolations()) found.push(`${label} (${href}): ${v}`);
    }
    return found;
  }

  describe.each(['ar', 'fr', 'en'])('in %s', (locale) => {
    const say = messagesOf(locale);

    it(
      'takes the language from the browser, lays Arabic out right to left, words refusals in it',
      async () => {
        const s = await session(locale === 'en' ? 'en-GB' : `${locale}-${locale.toUpperCase()}`);
        s.expectHttpError(/\/api\/session$/);
        await s.page.goto('/');
        await s.page.getByRole('heading', { name: say('login.title'), level: 1 }).waitFor();
        const html = s.page.locator('html');
        expect(await html.getAttribute('lang')).toBe(locale);
        expect(await html.getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
        await s.page.getByLabel(say('login.login'), { exact: true }).fill('xa-ssac.submitter');
        await s.page.getByLabel(say('login.password')).fill('not-the-password');
        await s.page.getByRole('button', { name: say('login.title') }).click();
        await expect.poll(() => s.page.getByRole('alert').textContent()).toBe(say('login.wrong'));
        expect(await s.seriousViolations()).toEqual([]);
        await s.screenshot(`i18n-${locale}-sign-in`);
      },
      STORY_TIMEOUT_MS,
    );

    it.each(AUDIENCES)(
      '%s: every screen passes axe with no serious or critical violation',
      async (login) => {
        const s = await session(locale);
        // A state's user probing the inspectorate's screens is not among these; 404s are not expected.
        await signIn(s, say, login);
        const problems = await auditEveryScreen(s, say);
        await s.screenshot(`i18n-${locale}-${login}`);
        expect(problems).toEqual([]);
      },
      STORY_TIMEOUT_MS,
    );

    it(
      'practice mode checks a worked example against the real registry and records nothing',
      async () => {
        const s = await session(locale);
        await signIn(s, say, 'xa-ssac.submitter');
        const before = await reportCounts(s.page);
        await nav(s.page, say)
          .getByRole('link', { name: say('nav.practice'), exact: true })
          .click();
        await s.page.getByRole('heading', { name: say('practice.title'), level: 1 }).waitFor();
        await s.page.getByRole('button', { name: say('practice.load', { type: 'INITIAL' }) }).click();
        await s.page
          .getByLabel(say('sign.keyFile'))
          .setInputFiles(join(server.dataDir, 'demo-keys', 'xa-ssac.key'));
        await s.page.getByRole('button', { name: say('practice.check') }).click();
        await s.page.getByRole('heading', { name: say('practice.verdictTitle') }).waitFor();
        const verdict = s.page.getByRole('status').filter({ hasText: say('practice.nothingRecorded') });
        expect(await verdict.textContent()).toContain(say('practice.badge'));
        expect(await s.seriousViolations()).toEqual([]);
        await s.screenshot(`i18n-${locale}-practice`);

        // A problem is worded whole in the language from its code and values (decision 0052):
        // the KMP it names is in the sentence, and no English wording is shown beside it.
        const editor = s.page.getByLabel(say('submit.content'));
        const text = await editor.inputValue();
        const kmp = /"kmp": "([^"]+)"/.exec(text)?.[1] ?? '';
        await editor.fill(text.replace(`"kmp": "${kmp}"`, '"kmp": "NO-SUCH-KMP"'));
        await s.page.getByRole('button', { name: say('practice.check') }).click();
        const problems = s.page.getByRole('table', { name: say('submit.problemsCaption') });
        await problems
          .getByText(say('problem.UNKNOWN_KMP', { kmp: '\u2068NO-SUCH-KMP\u2069' }), { exact: true })
          .waitFor();
        expect(await problems.locator('[lang="en"]').count()).toBe(0);
        expect(await s.seriousViolations()).toEqual([]);
        expect(await reportCounts(s.page)).toEqual(before);
      },
      STORY_TIMEOUT_MS,
    );

    it(
      'the declaration editor names an item’s fields in it',
      async () => {
        const s = await session(locale);
        await signIn(s, say, 'xa-ssac.submitter');
        const editor = new DeclarationEditorScreen(s.page, say);
        await editor.open();
        await editor.header('2.a.ix', '2026-07-01', '2026-09-30');
        // Each field is found by its name in this language (decl.field.*), "(optional)" in it too.
        const item = {
          annexRef: '5.1',
          description: 'Gas centrifuge rotor assemblies',
          quantity: '12',
          destinationState: 'XB',
          intendedUseLocation: 'Borduria Enrichment Plant',
          exportDate: '2026-08-10',
        };
        await editor.addItem(item);
        expect(await editor.lastItemValues(Object.keys(item))).toEqual(item);
        expect(await s.seriousViolations()).toEqual([]);
      },
      STORY_TIMEOUT_MS,
    );
  });

  it(
    'a language chosen by a user follows them to another browser',
    async () => {
      const en = messagesOf('en');
      const ar = messagesOf('ar');
      const first = await session('en-GB');
      await signIn(first, en, 'xa-ssac.reviewer');
      await first.page.getByLabel(en('app.language')).selectOption('ar');
      await expect.poll(() => first.page.locator('html').getAttribute('dir')).toBe('rtl');
      await first.page.getByRole('button', { name: ar('app.signOut') }).waitFor();
      // The save is a request of its own: wait until the server has the choice.
      await expect
        .poll(
          async () => ((await (await first.page.request.get('/api/me')).json()) as { locale: string }).locale,
        )
        .toBe('ar');
      const second = await session('en-GB');
      await signIn(second, en, 'xa-ssac.reviewer', ar);
      expect(await second.page.locator('html').getAttribute('dir')).toBe('rtl');
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state operator practises a report with the keyboard alone',
    async () => {
      const say = messagesOf('fr');
      const s = await session('fr-FR');
      const { page } = s;
      await page.goto('/');
      await page.getByRole('heading', { name: say('login.title'), level: 1 }).waitFor();
      await tabTo(page, page.getByLabel(say('login.login'), { exact: true }));
      await page.keyboard.type('xa-ssac.submitter');
      await page.keyboard.press('Tab');
      await page.keyboard.type(server.user('xa-ssac.submitter').password);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: say('app.signOut') }).waitFor();
      await tabTo(page, nav(page, say).getByRole('link', { name: say('nav.practice'), exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: say('practice.title'), level: 1 }).waitFor();
      await tabTo(page, page.getByRole('button', { name: say('practice.load', { type: 'ICR' }) }));
      await page.keyboard.press('Enter');
      const body = await page.getByLabel(say('submit.content')).inputValue();
      const seed = Buffer.from(
        readFileSync(join(server.dataDir, 'demo-keys', 'xa-ssac.key'), 'utf8').trim(),
        'base64',
      );
      await tabTo(page, page.getByRole('radio', { name: say('sign.here') }));
      await page.keyboard.press('ArrowDown');
      expect(await page.getByRole('radio', { name: say('sign.cli') }).isChecked()).toBe(true);
      await tabTo(page, page.getByLabel(say('sign.cliLabel')));
      const header = signatureHeader(new Uint8Array(seed), new TextEncoder().encode(body));
      await page.keyboard.type(header);
      await tabTo(page, page.getByRole('button', { name: say('practice.check') }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: say('practice.verdictTitle') }).waitFor();
      expect(
        await page.getByText(say('practice.signature.VALID', { keyId: '' }).split(' ')[0] ?? '').count(),
      ).toBeGreaterThan(0);
      await s.screenshot('i18n-fr-practice-keyboard');
    },
    STORY_TIMEOUT_MS,
  );
});

/** Presses Tab until `target` has the focus: the way a keyboard user reaches it. */
async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

/** Reports and refusals of the signed-in state, as the API counts them. */
async function reportCounts(page: Page): Promise<unknown> {
  const reports = (await (await page.request.get('/api/reports?limit=1')).json()) as { total: number };
  return { reports: reports.total };
}
