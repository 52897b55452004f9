/**
 * Inspections story (issue 8): an agency inspector plans a joint inspection at XA-F1 with RSA,
 * is refused by the notice rule (three days where a routine inspection needs a week) and sees why
 * inline, fixes the notice, assigns the joint activities, records verification results in which
 * one assembly lacks 150 g, sees the finding, and signs the agency's statement in the browser.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoKeyPath } from '../../src/services/demo/seed.js';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  signedInSession,
  startE2eServer,
} from './harness.js';
import { InspectionScreen, Shell } from './pages/models.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 120_000;
const DAY = 86_400_000;

describe.skipIf(!available)('inspections story (Chromium)', () => {
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
    'an inspector plans a joint inspection, fixes the notice, assigns activities, records results and sees a finding',
    async () => {
      const s = await signedInSession(browser, server, 'agency.inspector', {
        // The notice rule's refusal is a 422 the story provokes on purpose.
        expectHttpErrors: [/\/api\/inspections$/],
      });
      try {
        // The table and the calendar ask the server for what they show (decision 0090): a page of
        // 25, and the inspections starting in the coming months — never the whole list.
        const asked: URL[] = [];
        s.page.on('request', (r) => {
          const u = new URL(r.url());
          if (u.pathname === '/api/inspections' && r.method() === 'GET') asked.push(u);
        });
        await new Shell(s.page).go('Inspections');
        await s.page.getByRole('table', { name: 'Inspections' }).waitFor();
        await expect.poll(() => asked.some((u) => u.searchParams.has('from'))).toBe(true);
        expect(asked.every((u) => u.searchParams.has('limit'))).toBe(true);
        const table = asked.find((u) => !u.searchParams.has('from'));
        expect([table?.searchParams.get('limit'), table?.searchParams.get('offset')]).toEqual(['25', '0']);
        const screen = new InspectionScreen(s.page);

        const start = Date.now() + 10 * DAY;
        await screen.plan({
          facility: 'XA-FAB',
          mbas: 'XA-F1',
          partner: 'rsa',
          startsAt: start,
          noticeAt: start - 3 * DAY,
        });
        await screen.noticeRefusal().waitFor();
        const refusal = await screen.noticeRefusal().textContent();
        expect(refusal).toMatch(/Required: 168 h of notice\./);
        expect(refusal).toMatch(/Given: 72 h\./);
        expect(await screen.effortCap().textContent()).toMatch(/^Routine effort at XA-FAB in \d{4}:/);
        await s.screenshot('inspections-notice-refused');
        expect(await s.audit()).toEqual([]);

        // The notice is given now, ten days ahead: the plan is accepted.
        await screen.plan({
          facility: 'XA-FAB',
          mbas: 'XA-F1',
          partner: 'rsa',
          startsAt: start,
          noticeAt: Date.now(),
        });
        await s.page.waitForURL(/\/inspections\/[^/]+$/);
        const planned = new URL(s.page.url()).pathname;

        await screen.assign([
          { activity: 'nda-measurement', inspectorate: 'agency' },
          { activity: 'seal-check', inspectorate: 'rsa' },
        ]);
        await expect
          // Activities are worded as terms (decision 0064), not shown as their codes.
          .poll(() => s.page.getByText('non-destructive assay (NDA) (agency), seal check (rsa)').count())
          .toBe(1);

        const items = Array.from({ length: 10 }, (_, i) => `ASM-${i + 1},500,${i === 3 ? 350 : 500}`).join(
          '\n',
        );
        await screen.record({
          stratum: 'assemblies',
          activity: 'nda-measurement',
          mba: 'XA-F1',
          population: 40,
          items: `itemId,declared,measured\n${items}`,
        });
        await expect
          .poll(() => screen.stratumResult().textContent())
          .toMatch(
            /^10 items recorded in assemblies; D = .*Significant differences \(3σ\): ASM-4 \(150\.0 g/,
          );
        await expect.poll(() => screen.findings().textContent()).toMatch(/partial defect · medium/);
        expect(await screen.findings().textContent()).toMatch(/ASM-4/);

        await screen.signStatement(
          'Partial defect on one assembly; follow-up requested.',
          demoKeyPath(server.dataDir, 'agency'),
        );
        await expect
          .poll(() => screen.statements().textContent())
          .toMatch(/agency signed .*Partial defect on one assembly/);
        // The browser re-verifies the statement: signature against the registered key, then the
        // log record, its commitment and its receipt (issue 8: the CLI's verification code).
        await expect
          .poll(() => screen.statementVerdicts().first().textContent(), { timeout: 30_000 })
          .toMatch(/✓ Signature verified .*log entry \d+ and its receipt verify/);
        await s.page.getByText('What your browser checked').first().click();
        expect(await screen.statements().textContent()).toMatch(/✓ Inclusion of entry \d+ in the checkpoint/);
        await s.screenshot('inspections-finding-and-statement');
        expect(await s.audit()).toEqual([]);

        // A statement altered on its way to the browser no longer verifies, and the page says why.
        await s.page.route(/\/api\/inspections\/[^/]+\/statements$/, async (route) => {
          const res = await route.fetch();
          const body = (await res.json()) as { statement: { conclusion: string } }[];
          for (const st of body) st.statement.conclusion = 'No anomaly found.';
          await route.fulfill({ response: res, json: body });
        });
        await s.page.reload();
        await expect
          .poll(() => screen.statementVerdicts().first().textContent(), { timeout: 30_000 })
          .toMatch(
            /✗ Does not verify Ed25519 signature over the statement's canonical JSON .*: the signature does not verify/,
          );
        await s.screenshot('inspections-statement-tampered');
        await s.page.unroute(/\/api\/inspections\/[^/]+\/statements$/);

        // Ten days ahead, the planned inspection is in the calendar of the coming months and in the table.
        await new Shell(s.page).go('Inspections');
        await s.page.getByRole('region', { name: 'Calendar' }).locator(`a[href="${planned}"]`).waitFor();
        await s.page.getByRole('table', { name: 'Inspections' }).locator(`a[href="${planned}"]`).waitFor();
        await s.screenshot('inspections-calendar-and-table');
        expect(await s.audit()).toEqual([]);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );
});
