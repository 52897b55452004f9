/**
 * Issue 8: "tables that sort, filter and page on the server". The registry tables ask the API
 * for one page at a time (limit/offset), in the order and with the filter the user chose
 * (sort, q), and show the server's total; a state user's tables hold only its own state's rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  type E2eServer,
  ensureWebBuilt,
  launchBrowser,
  type Session,
  signedInSession,
  startE2eServer,
} from './harness.js';
import { RegistryTable } from './pages/models.js';

const available = browserAvailable();
const STORY_TIMEOUT_MS = 120_000;
/** More MBAs than one page (25) holds, at an XB facility. */
const EXTRA = 30;

describe.skipIf(!available)('registry tables page, sort and filter on the server (Chromium)', () => {
  let server: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startE2eServer();
    const admin = readFileSync(join(server.dataDir, 'admin.token'), 'utf8').trim();
    for (let i = 1; i <= EXTRA; i++) {
      const res = await fetch(`${server.url}/api/mbas`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          code: `XB-T${String(i).padStart(2, '0')}`,
          facility: 'XB-ENR',
          description: `Tank ${i}`,
        }),
      });
      expect(res.status, await res.text()).toBe(201);
    }
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, STORY_TIMEOUT_MS);

  const signedIn = (login: string): Promise<Session> => signedInSession(browser, server, login);

  it(
    'an inspector pages, sorts and filters the MBAs, each step a request to the server',
    async () => {
      const s = await signedIn('agency.inspector');
      const asked: URL[] = [];
      s.page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/api/mbas') asked.push(u);
      });
      try {
        await s.page.goto('/mbas');
        const mbas = new RegistryTable(s.page, 'Material balance areas', 'Filter MBAs');
        await expect.poll(() => mbas.caption()).toMatch(/^Material balance areas, page 1 of 2$/);
        await expect.poll(() => mbas.bodyRows().count()).toBe(25);
        const total = Number((await mbas.count()).match(/^(\d+) matches$/)?.[1]);
        expect(total).toBeGreaterThan(EXTRA);
        expect(asked.at(-1)?.searchParams.get('limit')).toBe('25');
        expect(asked.at(-1)?.searchParams.get('offset')).toBe('0');

        await mbas.nextPage();
        await expect.poll(() => mbas.caption()).toMatch(/page 2 of 2$/);
        // The caption may name page 2 before its rows arrive: wait on the rows themselves.
        await expect.poll(() => mbas.bodyRows().count()).toBe(total - 25);
        expect(asked.at(-1)?.searchParams.get('offset')).toBe('25');
        expect(s.page.url()).toMatch(/page=1/);

        // Sorting goes back to page 1 and is the server's: the first row is the last code of all.
        await mbas.sortBy('MBA');
        await mbas.sortBy('MBA');
        await expect.poll(() => mbas.firstCell()).toBe('XC-R1');
        await expect.poll(() => mbas.sortState('MBA')).toBe('descending');
        expect(asked.at(-1)?.searchParams.get('sort')).toBe('-code');
        expect(asked.at(-1)?.searchParams.get('offset')).toBe('0');
        await expect.poll(() => mbas.caption()).toMatch(/page 1 of 2$/);

        await mbas.sortBy('Facility');
        await expect.poll(() => asked.at(-1)?.searchParams.get('sort')).toBe('facilityName');

        // The filter is sent as q; the count and the rows are the server's answer.
        await mbas.filter('tank 1');
        await expect.poll(() => mbas.count()).toBe('11 matches');
        expect(asked.at(-1)?.searchParams.get('q')).toBe('tank 1');
        await expect.poll(() => mbas.caption()).toBe('Material balance areas');
        const codes = () => mbas.bodyRows().locator('td:first-child').allTextContents();
        await expect.poll(async () => (await codes()).length).toBe(11);
        expect((await codes()).every((c) => /^XB-T(01|1\d)$/.test(c))).toBe(true);

        await mbas.filter('nothing like this');
        await expect.poll(() => s.page.getByText('Nothing matches “nothing like this”').count()).toBe(1);
        await s.screenshot('registry-mbas-server-filter');
        expect(await s.audit()).toEqual([]);

        // Bookmarkable: the address holds sort and filter, and reloading keeps them.
        await mbas.filter('XA-');
        await expect.poll(() => mbas.count()).toMatch(/^[3-9] matches$/);
        const arcadia = await mbas.count();
        await s.page.reload();
        await expect.poll(() => mbas.count()).toBe(arcadia);
        await expect
          .poll(() => mbas.bodyRows().locator('td:first-child').allTextContents())
          .toEqual(expect.arrayContaining(['XA-F1', 'XA-R1', 'XA-S1']));
        await expect.poll(() => mbas.sortState('Facility')).toBe('ascending');
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );

  it(
    'a state user sorts KMPs and agreements on the server and sees only its own state’s MBAs',
    async () => {
      const s = await signedIn('xa-ssac.reviewer');
      try {
        await s.page.goto('/mbas');
        const mbas = new RegistryTable(s.page, 'Material balance areas', 'Filter MBAs');
        await expect.poll(() => mbas.count()).toMatch(/^[3-9] matches$/);
        await expect.poll(() => mbas.caption()).toBe('Material balance areas');
        const total = Number((await mbas.count()).match(/^(\d+) matches$/)?.[1]);
        const ownRows = () => mbas.bodyRows().locator('td:first-child').allTextContents();
        await expect.poll(async () => (await ownRows()).length).toBe(total);
        const own = await ownRows();
        expect(own).toEqual(expect.arrayContaining(['XA-F1', 'XA-R1', 'XA-S1']));
        expect(own.filter((c) => !c.startsWith('XA-'))).toEqual([]);
        expect(await mbas.count()).toBe(`${own.length} matches`);
        await mbas.filter('XB');
        await expect.poll(() => mbas.count()).toBe('0 matches');

        await s.page.goto('/mbas/XA-F1');
        const kmps = new RegistryTable(s.page, 'Key measurement points of XA-F1');
        await expect.poll(() => kmps.bodyRows().count()).toBe(4);
        await kmps.sortBy('Random RSD');
        await kmps.sortBy('Random RSD');
        await expect.poll(() => kmps.sortState('Random RSD')).toBe('descending');
        const rsd = async () =>
          (await kmps.bodyRows().locator('td:nth-child(4)').allTextContents()).map((t) =>
            Number.parseFloat(t),
          );
        await expect
          .poll(async () => {
            const r = await rsd();
            return r.length === 4 && r.every((x, i) => i === 0 || (r[i - 1] as number) >= x);
          })
          .toBe(true);
        expect(s.page.url()).toMatch(/sort=-randomRsd/);

        // The MBA's account lines (a year of demo reports) come a page at a time, sorted by the server.
        const asked: URL[] = [];
        s.page.on('request', (r) => {
          const u = new URL(r.url());
          if (u.pathname === '/api/mbas/XA-F1/lines') asked.push(u);
        });
        const lines = new RegistryTable(s.page, 'Effective inventory change lines of XA-F1', 'Filter lines');
        await lines.sortBy('Weight');
        await lines.sortBy('Weight');
        await expect.poll(() => asked.at(-1)?.searchParams.get('sort')).toBe('-weight');
        const weights = async () =>
          (await lines.bodyRows().locator('td:nth-child(8)').allTextContents()).map((t) =>
            Number.parseFloat(t.replaceAll(',', '')),
          );
        await expect
          .poll(async () => {
            const w = await weights();
            return w.length > 1 && w.every((x, i) => i === 0 || (w[i - 1] as number) >= x);
          })
          .toBe(true);
        expect(asked.at(-1)?.searchParams.get('limit')).toBe('25');
        // The demo's one corrected line, with its correction, in the history table (its own paged list).
        const history = new RegistryTable(s.page, 'History: lines replaced or deleted by later corrections');
        await expect.poll(() => history.bodyRows().count()).toBe(2);
        const batches = await history.bodyRows().locator('td:nth-child(5)').allTextContents();
        expect(new Set(batches).size).toBe(1);

        await s.page.goto('/agreements');
        const agreements = new RegistryTable(s.page, 'Agreements', 'Filter agreements');
        await agreements.sortBy('In force since');
        await agreements.sortBy('In force since');
        await expect.poll(() => s.page.url()).toMatch(/sort=-entryIntoForce/);
        // The address changes before the server's sorted rows arrive: wait on the rows.
        await expect
          .poll(async () => {
            // The cell shows the date in the user's language; its <time> carries the ISO date.
            const dates = await agreements
              .bodyRows()
              .locator('td:nth-child(4) time')
              .evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
            return dates.length > 1 && dates.join() === [...dates].sort().reverse().join();
          })
          .toBe(true);
        await s.screenshot('registry-agreements-sorted');
        expect(await s.audit()).toEqual([]);
        expect(s.errors).toEqual([]);
      } finally {
        await s.close();
      }
    },
    STORY_TIMEOUT_MS,
  );
});
