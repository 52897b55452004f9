/**
 * Remote monitoring as users see it (issue 18 items 5-7), in English and French: an inspector of
 * the agency opens Monitoring, sees the demo plant's devices with their continuity of knowledge,
 * opens the seal, follows its SEAL_OPENED alarm to the case it opened and reads its timeline,
 * signs a re-verification in the browser and sees CoK restored; the state's reviewer sees the
 * seal's health and alarms but not what it recorded; the agency's administrator grants the state
 * joint use of the camera's data under its agreement and withdraws it (decision 0063); a batch
 * signed with another key shows among the device's refusals, worded in the page's language and in
 * Arabic (decision 0064). Every screen axe-clean (no serious or critical violation).
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { DEMO_DEVICES } from '../../src/services/demo/devices.js';
import { demoKeyPath } from '../../src/services/demo/seed.js';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  type Session,
  signedInSession,
  startE2eServer,
} from './harness.js';
import { messagesOf, type Say } from './messages.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 180_000;
const SEAL = DEMO_DEVICES.seal;

describe.skipIf(!available).each([
  ['en', 'en-GB'],
  ['fr', 'fr-FR'],
])('remote monitoring in %s (Chromium)', (locale, browserLocale) => {
  const say = messagesOf(locale);
  let server: E2eServer;
  let browser: Browser;
  const open: Session[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    // A server per language: the story re-verifies the seal, which changes what the next one sees.
    server = await startE2eServer();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, STORY_TIMEOUT_MS);
  afterEach(async () => {
    for (const s of open.splice(0)) {
      const errors = s.errors.slice();
      await s.close();
      expect(errors, 'console errors').toEqual([]);
    }
  });

  async function signedIn(login: string, sayIt: Say = say): Promise<Session> {
    const s = await signedInSession(browser, server, login, { locale: browserLocale, say: sayIt });
    open.push(s);
    return s;
  }

  const table = (s: Session, caption: string) =>
    s.page.getByRole('table').filter({ has: s.page.locator('caption', { hasText: caption }) });

  it(
    'an inspector follows the seal’s alarm to its case, reads the timeline, re-verifies it and sees CoK restored',
    async () => {
      const s = await signedIn('agency.inspector');
      const page = s.page;
      await page
        .getByRole('navigation', { name: say('app.mainNav') })
        .getByRole('link', { name: say('nav.monitoring'), exact: true })
        .click();
      await page.getByRole('heading', { level: 1, name: say('devices.title') }).waitFor();
      await page.getByRole('button', { name: 'XA-FAB' }).first().click();
      await page.getByText(say('devices.facilityFilter', { facility: 'XA-FAB' })).waitFor();
      const devices = table(s, say('devices.caption', { count: 3 }));
      await devices.waitFor();
      const row = (id: string) =>
        devices.getByRole('row').filter({ has: page.getByRole('link', { name: id }) });
      expect(await row(SEAL).textContent()).toContain(say('devices.cok.lost'));
      expect(await row(DEMO_DEVICES.camera).textContent()).toContain(say('devices.cok.degraded'));
      expect(await row(DEMO_DEVICES.radiation).textContent()).toContain(say('devices.cok.intact'));
      expect(await s.seriousViolations()).toEqual([]);
      await s.screenshot(`monitoring-${locale}-devices`);

      await row(SEAL).getByRole('link', { name: SEAL }).click();
      await page.getByRole('heading', { level: 1, name: say('devices.deviceTitle', { id: SEAL }) }).waitFor();
      const facts = page.locator('dl.facts');
      await expect.poll(() => facts.textContent()).toContain(say('devices.cok.lost'));
      // The alarm → case trail: the alarm in the user's language, and the case it opened.
      const alarms = table(s, say('devices.alarmsCaption', { id: SEAL }));
      const alarm = alarms.getByRole('row').filter({ hasText: say('alarm.code.SEAL_OPENED') });
      await alarm.waitFor();
      const caseLink = alarm.getByRole('link');
      const caseHref = (await caseLink.getAttribute('href')) ?? '';
      expect(caseHref).toMatch(/^\/cases\/[^/]+$/);
      // The timeline: the week's events with the two openings of the seal.
      const timeline = page.getByRole('table').filter({ hasText: 'seal-open' });
      await expect.poll(() => timeline.getByRole('row').filter({ hasText: 'seal-open' }).count()).toBe(2);
      expect(await s.seriousViolations()).toEqual([]);
      await s.screenshot(`monitoring-${locale}-seal`);

      // The case the alarm opened names the seal.
      await caseLink.click();
      await page.waitForURL((u) => u.pathname === caseHref);
      await expect.poll(() => page.locator('main').textContent()).toContain(SEAL);
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: say('devices.deviceTitle', { id: SEAL }) }).waitFor();

      // Re-verified on site: signed with the agency's key in the page, logged, CoK intact again.
      const form = page.getByRole('form', { name: say('devices.reverify.title') });
      await form.getByLabel(say('devices.reverify.note')).fill('Seal checked on site, wire and body intact.');
      await form.getByLabel(say('devices.reverify.key')).setInputFiles(demoKeyPath(server.dataDir, 'agency'));
      await form.getByRole('button', { name: say('devices.reverify.submit') }).click();
      const [before] = say('devices.reverify.done', { closed: 1, logIndex: 987654321 }).split(
        /987[\s\u00a0\u202f.,]?654/,
      );
      await expect.poll(() => page.getByTestId('reverified').textContent()).toContain(before);
      await expect.poll(() => facts.textContent()).toContain(say('devices.cok.intact'));
      const intervals = table(s, say('devices.intervalsCaption', { id: SEAL }));
      await expect.poll(() => intervals.textContent()).toContain(say('devices.closedBy.reverification'));
      expect(await s.seriousViolations()).toEqual([]);
      await s.screenshot(`monitoring-${locale}-reverified`);

      // A week of the radiation monitor is several pages of events: the timeline pages on.
      await page.goto(`/devices/${DEMO_DEVICES.radiation}`);
      const pager = page
        .getByRole('navigation')
        .filter({ has: page.getByRole('button', { name: say('table.next') }) });
      await pager.getByText(say('table.pageOf', { page: 1, pages: 4 })).waitFor();
      const timelineOf = page.getByRole('table').last();
      const firstPage = await timelineOf.textContent();
      await pager.getByRole('button', { name: say('table.next') }).click();
      await pager.getByText(say('table.pageOf', { page: 2, pages: 4 })).waitFor();
      await expect.poll(() => timelineOf.textContent()).not.toBe(firstPage);
      expect(await s.seriousViolations()).toEqual([]);
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'the state’s reviewer sees the seal’s health and alarms, not its timeline, and cannot re-verify it',
    async () => {
      const s = await signedIn('xa-ssac.reviewer');
      const page = s.page;
      await page.goto(`/devices/${SEAL}`);
      await page.getByRole('heading', { level: 1, name: say('devices.deviceTitle', { id: SEAL }) }).waitFor();
      const alarms = table(s, say('devices.alarmsCaption', { id: SEAL }));
      await alarms
        .getByRole('row')
        .filter({ hasText: say('alarm.code.SEAL_OPENED') })
        .waitFor();
      await page.getByText(say('devices.barrier')).waitFor();
      expect(await page.getByText('seal-open').count()).toBe(0);
      expect(await page.getByRole('form', { name: say('devices.reverify.title') }).count()).toBe(0);
      expect(await s.seriousViolations()).toEqual([]);
      await s.screenshot(`monitoring-${locale}-state`);
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'the agency’s administrator grants the state joint use of the camera’s data under its agreement, then withdraws it',
    async () => {
      const s = await signedIn('agency.admin');
      const page = s.page;
      const camera = DEMO_DEVICES.camera;
      await page.goto(`/devices/${camera}`);
      await page
        .getByRole('heading', { level: 1, name: say('devices.deviceTitle', { id: camera }) })
        .waitFor();
      await page.getByText(say('devices.jointUse.none')).waitFor();
      const form = page.getByRole('form', { name: say('devices.jointUse.grantTitle') });
      await form.getByLabel(say('devices.jointUse.organisation')).selectOption('xa-ssac');
      await form.getByLabel(say('devices.jointUse.agreement')).selectOption('CSA-XA');
      await form.getByLabel(say('devices.jointUse.reference')).fill('Joint-use agreement XA/2027-1');
      await form.getByRole('button', { name: say('devices.jointUse.grant') }).click();
      const granted = table(s, say('devices.jointUse.caption', { count: 1, id: camera }));
      await granted.getByRole('row').filter({ hasText: 'Joint-use agreement XA/2027-1' }).waitFor();
      expect(await granted.textContent()).toContain('CSA-XA');
      expect(await s.seriousViolations()).toEqual([]);
      await s.screenshot(`monitoring-${locale}-joint-use`);
      await granted
        .getByRole('button', { name: say('devices.jointUse.withdrawLabel', { organisation: 'xa-ssac' }) })
        .click();
      await page.getByText(say('devices.jointUse.none')).waitFor();
      await expect.poll(() => page.getByTestId('joint-use-done').textContent()).toContain('xa-ssac');
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a batch signed with another key is listed among the device’s refusals, worded in the page’s language and in Arabic',
    async () => {
      const radiation = DEMO_DEVICES.radiation;
      // Signed by a key that is not the device's: refused DEVICE_AUTH_FAILED, its problem
      // SIGNATURE_INVALID.otherKey naming both key ids (decision 0064).
      const forged = signBatch(new Uint8Array(32).fill(7), {
        device: radiation,
        seq: 1,
        prev: GENESIS_PREV,
        events: [{ time: new Date().toISOString(), type: 'heartbeat' }],
      });
      const res = await fetch(`${server.url}/api/devices/${radiation}/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'custos-signature': forged.header },
        body: forged.bytes.slice(),
      });
      const refused = (await res.json()) as {
        error: { code: string; details: { code: string; rule?: string; values: Record<string, string> }[] };
      };
      expect(res.status).toBe(401);
      expect(refused.error.details[0]).toMatchObject({ code: 'SIGNATURE_INVALID', rule: 'otherKey' });
      const values = refused.error.details[0]?.values ?? {};
      for (const [lang, sayIt] of [
        [locale, say],
        ['ar', messagesOf('ar')],
      ] as const) {
        const s = await signedInSession(browser, server, 'agency.inspector', {
          locale: lang === 'ar' ? 'ar' : browserLocale,
          say: sayIt,
        });
        open.push(s);
        const page = s.page;
        await page.goto(`/devices/${radiation}`);
        await page
          .getByRole('heading', { level: 1, name: sayIt('devices.deviceTitle', { id: radiation }) })
          .waitFor();
        // The page isolates each value for right-to-left text (U+2068 … U+2069); the words are the catalogue's.
        const plain = (text: string | null) => (text ?? '').replace(/[\u2066-\u2069]/g, '');
        const wording = plain(sayIt('problem.SIGNATURE_INVALID.otherKey', values));
        await expect
          .poll(async () => plain(await page.getByTestId('refusal-problems').first().textContent()))
          .toBe(wording);
        expect(wording).toContain(values.keyId);
        expect(await s.seriousViolations()).toEqual([]);
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'the state’s submitter declares an activity in the cage and sees it listed, logged',
    async () => {
      const s = await signedIn('xa-ssac.submitter');
      const page = s.page;
      await page.goto('/devices?facility=XA-FAB');
      const form = page.getByRole('form', { name: say('activities.declare') });
      await form.waitFor();
      const listed = page.getByRole('table').filter({ hasText: say('activities.col.description') });
      await listed.getByRole('row').filter({ hasText: 'XA-F1-CAGE-1' }).first().waitFor();
      const before = await listed.getByRole('row').count();
      await form.getByLabel(say('activities.col.containment'), { exact: true }).fill('XA-F1-CAGE-1');
      await form.getByLabel(say('activities.col.from'), { exact: true }).fill('2027-03-01T08:00');
      await form.getByLabel(say('activities.col.to'), { exact: true }).fill('2027-03-01T12:00');
      await form
        .getByLabel(say('activities.col.description'), { exact: true })
        .fill('Drum repackaging in the cage');
      await form.getByRole('button', { name: say('activities.submit') }).click();
      await page.getByTestId('activity-declared').waitFor();
      await expect.poll(() => listed.getByRole('row').count()).toBe(before + 1);
      expect(await listed.textContent()).toContain('Drum repackaging in the cage');
      expect(await s.seriousViolations()).toEqual([]);
    },
    STORY_TIMEOUT_MS,
  );
});
