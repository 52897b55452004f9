/**
 * Issue 19 item 6, as users see it: an inspector opens the legal framework from the top bar and
 * reads what a provision obligates; a state's submitter writes an AP declaration in the browser,
 * sees every problem at once, fixes them, signs it with the state's key and opens it locked; the
 * state reviews its law against a provision with a signed step, and an inspector opens a case on
 * the gap it found.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos } from '../cli/harness.js';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  signedInSession,
  startE2eServer,
} from './harness.js';
import { messagesOf } from './messages.js';
import { CompatibilityScreen, DeclarationEditorScreen, LegalScreen, Shell } from './pages/models.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 180_000;
/** These stories run in English (Session.open's en-GB browser); the languages suite runs the editor in Arabic and French. */
const say = messagesOf('en');

describe.skipIf(!available)('the legal framework (Chromium)', () => {
  let server: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startE2eServer();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, STORY_TIMEOUT_MS);

  it(
    'an inspector reads the register: each provision with what it obligates',
    async () => {
      const s = await signedInSession(browser, server, 'agency.inspector');
      try {
        const shell = new Shell(s.page);
        await shell.go('Legal');
        await s.page.getByRole('heading', { level: 1, name: 'Legal framework' }).waitFor();
        expect(await s.audit()).toEqual([]);
        const legal = new LegalScreen(s.page);
        await legal.openRegister();
        const provisions = await legal.showProvisions(
          (await s.page.getByRole('region').first().getByRole('heading').textContent()) ?? '',
        );
        await expect.poll(() => provisions.getByRole('row').count()).toBeGreaterThan(2);
        // Duties are named in words, not as their codes.
        await provisions
          .getByText(/^Duty: .+, held by the /)
          .first()
          .waitFor();
        expect(await provisions.textContent()).not.toMatch(
          /keep-accounts|submit-reports|submit-declarations|receive-notices|grant-access|designate-inspectors|state-authority/,
        );
        expect(await s.audit()).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state writes an AP declaration: every problem at once, then signed, accepted and locked',
    async () => {
      const s = await signedInSession(browser, server, 'xa-ssac.submitter');
      try {
        const editor = new DeclarationEditorScreen(s.page, say);
        await editor.open();
        await editor.header('2.a.ix', '2026-07-01', '2026-09-30');
        await editor.addItem({ annexRef: '9.9', quantity: '-2', exportDate: '2027-01-01' });
        await editor.loadKeyFile(join(server.dataDir, 'demo-keys', 'xa-ssac.key'));
        await editor.signAndSubmit();
        await expect.poll(() => editor.problems().count()).toBeGreaterThan(3);
        expect(await s.audit()).toEqual([]);

        await s.page.getByRole('button', { name: 'Remove item 1' }).click();
        await editor.addItem({
          annexRef: '5.1',
          description: 'Gas centrifuge rotor assemblies',
          quantity: '12',
          destinationState: 'XB',
          intendedUseLocation: 'Borduria Enrichment Plant',
          exportDate: '2026-08-10',
        });
        await editor.signAndSubmit();
        await editor.accepted().waitFor();
        await s.page.getByRole('link', { name: 'Open it' }).click();
        await s.page.getByText('Locked', { exact: true }).waitFor();
        await s.page.getByRole('link', { name: 'Supplement this declaration' }).waitFor();
        expect(await s.audit()).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state signs a declaration with the CLI: the pasted signature is checked before it is sent',
    async () => {
      const s = await signedInSession(browser, server, 'xa-ssac.submitter');
      const dir = mkdtempSync(join(tmpdir(), 'custos-decl-'));
      try {
        const editor = new DeclarationEditorScreen(s.page, say);
        await editor.open();
        await editor.header('2.b', '2027-01-01', '2027-03-31');
        await editor.addItem({ location: 'Arcadia University', description: 'Laser physics' });
        const file = await editor.downloadToSign(dir);
        // The real CLI signs the downloaded bytes, as a state's officer would on another machine.
        const cli = await custos([
          'report',
          'sign',
          file,
          '--key',
          join(server.dataDir, 'demo-keys', 'xa-ssac.key'),
        ]);
        expect(cli.status, cli.stderr).toBe(0);
        const signature = readFileSync(`${file}.sig`, 'utf8').trim();

        await editor.pasteSignature('not a signature');
        await editor
          .signatureStatus()
          .getByText(/Expected 16 hex digits/)
          .waitFor();
        expect(await editor.submitButton().isDisabled()).toBe(true);
        // Edited after it was signed: the signature no longer matches what would be sent.
        const item = s.page.getByRole('group', { name: 'Item 1' });
        await item.getByLabel('Description', { exact: true }).fill('Laser physics and optics');
        await editor.pasteSignature(signature);
        await editor
          .signatureStatus()
          .getByText(/does not match this declaration/)
          .waitFor();
        expect(await editor.submitButton().isDisabled()).toBe(true);
        expect(await s.audit()).toEqual([]);

        await item.getByLabel('Description', { exact: true }).fill('Laser physics');
        await editor
          .signatureStatus()
          .getByText(/Signature verified with key [0-9a-f]{16} of xa-ssac/)
          .waitFor();
        await editor.signAndSubmit();
        await editor.accepted().waitFor();
        await s.page.getByRole('link', { name: 'Open it' }).click();
        await s.page.getByText('Locked', { exact: true }).waitFor();
      } finally {
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state declares its buildings with a site map: uploaded, committed by hash, readable from the declaration',
    async () => {
      const s = await signedInSession(browser, server, 'xa-ssac.submitter');
      const dir = mkdtempSync(join(tmpdir(), 'custos-map-'));
      try {
        const editor = new DeclarationEditorScreen(s.page, say);
        await editor.open();
        await editor.header('2.a.iii', '2027-01-01', '2027-06-30');
        await editor.addItem({
          site: 'Arcadia Central Interim Storage',
          building: 'S1',
          description: 'Drum store',
        });
        // A text file is refused whatever it is called; a PNG is taken and its hash fills the field.
        const text = join(dir, 'map.png');
        writeFileSync(text, 'not a picture');
        const input = s.page.getByLabel(/Upload the site map of item 1/);
        await input.setInputFiles(text);
        await s.page
          .getByRole('alert')
          .getByText(/The site map was refused/)
          .waitFor();
        const png = join(dir, 'site.png');
        writeFileSync(
          png,
          Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('map')]),
        );
        await input.setInputFiles(png);
        await s.page.getByText(/Site map uploaded \(11 bytes\)/).waitFor();
        expect(await s.page.getByLabel('Site map', { exact: true }).inputValue()).toMatch(
          /^sha256:[0-9a-f]{64}$/,
        );
        await editor.loadKeyFile(join(server.dataDir, 'demo-keys', 'xa-ssac.key'));
        await editor.signAndSubmit();
        await editor.accepted().waitFor();
        await s.page.getByRole('link', { name: 'Open it' }).click();
        const link = s.page.getByRole('link', { name: 'Download the site map' });
        await link.waitFor();
        const res = await s.page.request.get((await link.getAttribute('href')) ?? '');
        expect(res.status()).toBe(200);
        expect(res.headers()['content-type']).toBe('image/png');
        expect(await s.audit()).toEqual([]);
      } finally {
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state reviews its law against a provision with a signed step; an inspector opens a case on the gap',
    async () => {
      const s = await signedInSession(browser, server, 'xa-ssac.submitter');
      let entryPath = '';
      try {
        const compat = new CompatibilityScreen(s.page);
        await compat.openOwnMatrix();
        expect(await s.audit()).toEqual([]);
        const ref = await compat.openFirstProvision();
        entryPath = new URL(s.page.url()).pathname;
        await compat.signReviewStep({
          found: 'Missing',
          note: 'The Atomic Energy Act says nothing on this yet.',
          keyFile: join(server.dataDir, 'demo-keys', 'xa-ssac.key'),
        });
        // The signed step is listed and the entry now says what the review found.
        await expect.poll(() => compat.stepLines().count()).toBe(1);
        expect(await compat.stepLines().first().textContent()).toContain('signed by');
        await compat.currentStatus('Missing').waitFor();
        expect(await s.audit()).toEqual([]);
        expect(ref).not.toBe('');
      } finally {
        await s.close();
      }
      // Signed in (signedInSession waits for the shell): only then does a direct load carry the session.
      const i = await signedInSession(browser, server, 'agency.inspector');
      try {
        await i.page.goto(entryPath);
        const compat = new CompatibilityScreen(i.page);
        await compat.currentStatus('Missing').waitFor();
        await i.page.getByRole('button', { name: 'Open a case with the state' }).click();
        await i.page.waitForURL((u) => u.pathname.startsWith('/cases/'));
        await i.page.getByRole('heading', { level: 1 }).waitFor();
        expect(await i.audit()).toEqual([]);
      } finally {
        await i.close();
      }
    },
    STORY_TIMEOUT_MS,
  );
});
