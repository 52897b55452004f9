/**
 * Issue 8 story 2 in a real browser: an inspector sees the Page alarm on the demo MBA with the
 * protracted loss (XA-P1, plutonium), opens the chart, opens a case and sends a question; the
 * state's user sees it arrive live (no reload) and answers with an attachment; the inspector
 * resolves the case; the log explorer verifies the decision's entry. Also the other round-2
 * screens under an accessibility audit, and the render budget of a 10-year monthly chart.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoKeyPath } from '../../src/services/demo/seed.js';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  PHONE,
  type Session,
  signedInSession,
  startE2eServer,
  type Viewport,
} from './harness.js';
import {
  AlarmsScreen,
  CaseScreen,
  EvaluationScreen,
  LogExplorerScreen,
  Shell,
  TransfersScreen,
} from './pages/models.js';

const available = browserAvailable();
/** Chromium on a busy 2-core CI machine (the whole suite runs in parallel) needs headroom. */
const STORY_TIMEOUT_MS = 150_000;
/**
 * Issue 8: a 10-year monthly balance chart renders in ≤ 200 ms. The budget is held by
 * `npm run bench` (bench/chart.bench.ts, BENCHMARKS.md); this story only logs the time, since a
 * timed assertion under a loaded full run fails on the machine, not on the code (issue 16 item 9).
 */
const CHART_BUDGET_MS = 200;

describe.skipIf(!available)(
  'story 2: a Page alarm becomes a case, answered live and resolved (Chromium)',
  () => {
    let server: E2eServer;
    let browser: Browser;
    const open: Session[] = [];

    beforeAll(async () => {
      await ensureWebBuilt();
      server = await startE2eServer({ CUSTOS_CHECKPOINT_MS: '200' });
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

    async function signedIn(login: string, viewport?: Viewport): Promise<Session> {
      const s = await signedInSession(browser, server, login, { viewport });
      open.push(s);
      return s;
    }

    it(
      'inspector asks, the state answers live, the inspector resolves, the decision verifies in the log',
      async () => {
        const inspector = await signedIn('agency.inspector');
        const state = await signedIn('xa-ssac.reviewer');
        const ip = inspector.page;
        const sp = state.page;

        // The inspector sees the Page alarm and opens the chart.
        const shell = new Shell(ip);
        await shell.go('Alarms');
        const alarms = new AlarmsScreen(ip);
        await alarms.table().waitFor();
        expect(await alarms.table().getByText("Page's test").count()).toBeGreaterThan(0);
        // The server filters and sorts the alarms: the newest of XA-P1's first, state in the address.
        const list = alarms.list();
        await list.filter('xa-p1');
        await expect.poll(() => ip.url()).toMatch(/q=xa-p1/);
        await list.sortBy('Date');
        await list.sortBy('Date');
        await expect.poll(() => ip.url()).toMatch(/sort=-date/);
        expect(await list.sortState('Date')).toBe('descending');
        await expect
          .poll(async () => [...new Set(await list.bodyRows().locator('td:nth-child(4)').allTextContents())])
          .toEqual(['XA-P1']);
        // Dates are shown in the user's language ("Oct 31, 2026" in English): compared as dates.
        const dates = (await list.bodyRows().locator('td:first-child').allTextContents()).map((d) =>
          Date.parse(d),
        );
        expect(dates.every((d) => !Number.isNaN(d))).toBe(true);
        expect(dates).toEqual([...dates].sort((x, y) => y - x));
        expect(await list.count()).toMatch(/^\d+ match(es)?$/);
        await alarms.openEvaluationOf('XA-P1');
        const evaluation = new EvaluationScreen(ip);
        await expect.poll(() => shell.heading().textContent()).toBe('Evaluation of MBA XA-P1');
        await evaluation.charts().locator('canvas').first().waitFor();
        expect(await evaluation.charts().getAttribute('aria-label')).toMatch(/periods above h = 5/);
        // The loss is protracted: Page fires while no period's MUF leaves its ±3σMUF band.
        expect(await evaluation.charts().getAttribute('aria-label')).toMatch(/0 periods outside ±3σMUF/);
        expect(await evaluation.alarms().getByText("Page's test").count()).toBeGreaterThan(0);
        // Drill-down: the lines behind one period.
        await evaluation
          .balanceTable()
          .getByRole('button', { name: /Lines of the period/ })
          .first()
          .click();
        await ip.getByRole('table', { name: /Inventory change lines of XA-P1, P/ }).waitFor();
        await inspector.screenshot('story2-evaluation-chart');
        expect(await inspector.audit()).toEqual([]);

        // The state's user is on its home page, watching for questions.
        await sp.getByRole('heading', { name: 'Questions awaiting your answer' }).waitFor();
        const questions = sp.getByRole('region', { name: 'Questions awaiting your answer' });
        // The inspector goes from the alarm to its case (the one its cause already has, or a new
        // one) and sends a question with a due date.
        await evaluation.caseForFirstAlarm(
          `Protracted loss on XA-P1 (story 2, ${Date.now()})`,
          'Page above h since April while MUF stays within 3σ.',
        );
        await ip.waitForURL(/\/cases\/case_/);
        const inspectorCase = new CaseScreen(ip);
        await inspectorCase.status().waitFor();
        await expect.poll(async () => (await shell.heading().textContent()) ?? '').toMatch(/\S/);
        const title = (await shell.heading().textContent()) ?? '';
        expect(await questions.getByText(title).count()).toBe(0);
        await inspectorCase.sendQuestion(
          'Page’s test on XA-P1 (Pu) has exceeded h since April. Please explain the small monthly MUF.',
          '2027-01-15',
        );
        await expect.poll(() => inspectorCase.status().textContent()).toMatch(/Question sent.*2027-01-15/);

        // It arrives live on the state's home (no reload) and the state answers with an attachment.
        await questions.getByRole('link', { name: title }).waitFor({ timeout: 20_000 });
        await state.screenshot('story2-state-question-arrived');
        await questions.getByRole('link', { name: title }).click();
        const stateCase = new CaseScreen(sp);
        await expect.poll(() => stateCase.status().textContent()).toMatch(/Question sent/);
        expect(
          await stateCase
            .thread()
            .getByText(/Please explain the small monthly MUF/)
            .count(),
        ).toBe(1);
        // The inspector's internal opening note is not shown to the state.
        expect(
          await stateCase
            .thread()
            .getByText(/MUF stays within 3σ/)
            .count(),
        ).toBe(0);
        expect(await state.audit()).toEqual([]);
        // The state links its correction report to the answer.
        const linked = await stateCase.answer(
          'A measurement bias of the output balance since April; recalibrated in October.',
          {
            name: 'calibration.csv',
            mimeType: 'text/csv',
            buffer: Buffer.from('date,kmp,bias\n2026-10-02,C,-0.8%\n'),
          },
          true,
        );
        expect(linked).toBeTruthy();
        await expect.poll(() => stateCase.status().textContent()).toMatch(/Answered/);

        // The inspector's open case page updates live and the case is resolved.
        await expect
          .poll(() => inspectorCase.status().textContent(), { timeout: 20_000 })
          .toMatch(/Answered/);
        await inspectorCase.thread().getByRole('link', { name: 'calibration.csv' }).waitFor();
        expect(await inspectorCase.thread().getByTestId('linked-report').textContent()).toBe(
          `Correction report: ${linked}`,
        );
        await inspectorCase.resolve(
          'Explained by a measurement bias, corrected by recalibration.',
          demoKeyPath(server.dataDir, 'agency'),
        );
        await expect.poll(() => inspectorCase.status().textContent()).toMatch(/Resolved/);
        // Signed in the browser, verified in the browser against the agency's registered key.
        await expect
          .poll(() => inspectorCase.signatureStatus().textContent())
          .toMatch(/^Signature verified Signed by agency with key [0-9a-f]{16}/);
        // The resolution carries the state's correction report, inside the signed bytes.
        expect(await inspectorCase.decision().textContent()).toContain(`Correction report: ${linked}`);
        const decision = inspectorCase.decision();
        await decision.getByTestId('decision-log-index').waitFor();
        const index = Number(await decision.getByTestId('decision-log-index').textContent());
        expect(await decision.textContent()).toMatch(/case-transition:case_[0-9a-f]+:\d+/);
        // The state, still on the case, sees the decision arrive and checks the signature itself.
        await expect
          .poll(() => stateCase.signatureStatus().textContent(), { timeout: 20_000 })
          .toMatch(/^Signature verified/);
        await inspector.screenshot('story2-case-resolved');
        expect(await inspector.audit()).toEqual([]);

        // The log explorer verifies the decision's entry in the browser.
        await decision.getByRole('link', { name: 'Verify it in the log explorer' }).click();
        const log = new LogExplorerScreen(ip);
        await expect
          .poll(() => log.verdict('Look up an entry').textContent(), { timeout: 20_000 })
          .toMatch(new RegExp(`^Entry ${index} is in the log of size \\d+$`));
        expect(await log.section('Look up an entry').getByText('✗ failed').count()).toBe(0);
        // A v2 leaf names no record, only an opaque id (decision 0021).
        expect(
          await log
            .section('Look up an entry')
            .getByText(/^Opaque leaf id$/)
            .count(),
        ).toBe(1);
        // This node lists no witnesses, and the explorer says so plainly.
        expect(await ip.getByTestId('witness-summary').textContent()).toBe(
          'Witnesses: No witnesses are configured for this log: its checkpoints rest on the log key alone.',
        );
        await inspector.screenshot('story2-decision-verified');
      },
      STORY_TIMEOUT_MS,
    );

    it(
      'alarms, transfers, cases board, inspections with the sampling calculator and the inbox pass an audit',
      async () => {
        const s = await signedIn('agency.inspector');
        const shell = new Shell(s.page);
        await s.page.getByRole('list', { name: 'Alarms by state' }).waitFor();
        // The table's evaluation cells load per page after the table itself: wait until every row
        // has its conclusion. Without an inspection carried out this year no state has a basis for
        // one (issue 16 item 1), so the overview shows "not drawn".
        const states = s.page.getByRole('table', { name: 'States in scope' });
        const rows = states.locator('tbody tr');
        await expect
          .poll(async () => {
            const n = await rows.count();
            return n > 0 && (await rows.locator('.badge').count()) === n;
          })
          .toBe(true);
        expect(await states.getByText('not drawn').count()).toBeGreaterThan(0);

        await shell.go('Transfers');
        await s.page.getByRole('table', { name: /^Transfers/ }).waitFor();
        // Sorted by the server: batches in order, and the counts per status are the server's totals.
        const transfers = new TransfersScreen(s.page);
        await transfers.list().sortBy('Batch');
        await expect.poll(() => s.page.url()).toMatch(/sort=batch/);
        expect(await transfers.list().sortState('Batch')).toBe('ascending');
        await expect.poll(() => transfers.byStatus().textContent()).toMatch(/\d+ matched/);
        const batches = await transfers.list().bodyRows().locator('td:nth-child(2)').allTextContents();
        expect(batches).toEqual([...batches].sort());
        expect(
          await s.page
            .getByRole('table', { name: /^Transfers/ })
            .getByText(/± /)
            .count(),
        ).toBeGreaterThan(0);
        expect(await s.audit()).toEqual([]);

        await shell.go('Cases');
        await s.page.getByRole('heading', { name: /^Open \d+/ }).waitFor();
        await s.screenshot('cases-board');
        expect(await s.audit()).toEqual([]);

        await shell.go('Inspections');
        await s.page.getByRole('table', { name: 'Inspections' }).waitFor();
        await s.page.getByRole('button', { name: 'Calculate sample size' }).click();
        await expect
          .poll(() => s.page.getByRole('status').filter({ hasText: 'Sample' }).textContent())
          .toMatch(/Sample \d+ items \(attribute\)/);
        await s.page.getByRole('table', { name: 'Inspections' }).getByRole('link').first().click();
        await s.page
          .getByRole('region', { name: 'Findings' })
          .getByText(/partial defect/)
          .waitFor();
        expect(await s.audit()).toEqual([]);

        await s.page.getByRole('link', { name: /^Inbox/ }).click();
        await s.page.getByRole('table', { name: /^Notifications/ }).waitFor();
        expect(await s.audit()).toEqual([]);
      },
      STORY_TIMEOUT_MS,
    );

    it(
      'a state user reads its own MBA’s evaluation on a 390 px phone',
      async () => {
        const s = await signedIn('xa-ssac.submitter', PHONE);
        await s.page.goto('/mbas/XA-P1/evaluation');
        const evaluation = new EvaluationScreen(s.page);
        await evaluation.charts().locator('canvas').first().waitFor();
        await evaluation.balanceTable().waitFor();
        // A state reads its alarms but does not open cases: that is the inspectorate's move.
        expect(
          await evaluation
            .alarms()
            .getByRole('button', { name: /Open a case/ })
            .count(),
        ).toBe(0);
        const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(PHONE.width);
        await s.screenshot('evaluation-phone');
        expect(await s.audit()).toEqual([]);
      },
      STORY_TIMEOUT_MS,
    );

    it(
      `a 10-year monthly balance chart (120 periods) renders; its time is logged against the ${CHART_BUDGET_MS} ms budget that bench/chart.bench.ts holds`,
      async () => {
        const s = await signedIn('agency.inspector');
        const times: number[] = [];
        // The first render also compiles ECharts' code paths; the budget is about steady rendering.
        for (let i = 0; i < 6; i++) {
          await s.page.goto('/bench/balance-chart?periods=120');
          const el = s.page.getByTestId('render-ms');
          // Wait on the state (a rendered time in the attribute), not on a poll's one-second
          // default: loading and drawing took up to 3.5 s under a loaded run.
          await s.page.locator('[data-testid="render-ms"]:not([data-ms=""])').waitFor();
          times.push(Number(await el.getAttribute('data-ms')));
        }
        const warm = times.slice(1).sort((a, b) => a - b);
        const median = warm[Math.floor(warm.length / 2)]!;
        console.info(
          `balance chart, 120 monthly periods: first ${times[0]!.toFixed(1)} ms, warm median ${median.toFixed(1)} ms (budget ${CHART_BUDGET_MS} ms; runs ${times.map((t) => t.toFixed(0)).join(', ')})`,
        );
        await s.screenshot('budget-balance-chart-120');
        expect(times).toHaveLength(6);
      },
      STORY_TIMEOUT_MS,
    );
  },
);
