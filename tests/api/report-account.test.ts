/**
 * The validation account of an MBA (src/services/reports/account.ts, docs/decisions/0008): the
 * process that accepts a report folds it in from memory, another process sharing the database
 * extends its account from the store; both must hold the same account after every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportJson } from '../../src/domain/reports/index.js';
import type { Ports } from '../../src/services/ports.js';
import { foldAccepted, mbaAccount } from '../../src/services/reports/account.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

const receipt = (line: number, batch: string, date: string, extra: object = {}) => ({
  line,
  date,
  code: 'RD',
  batch,
  kmp: 'A',
  element: 'E',
  weight: 1000 + line,
  fissileWeight: 30,
  isotope: 'G',
  basis: 'M',
  form: 'U2',
  counterpart: { state: 'XA', mba: 'XA-S1' },
  ...extra,
});

describe.each(testDialects())('validation account on %s', (dialect) => {
  let t: TestApp;
  /** Another process on the same database: same store, its own account cache. */
  let other: Ports;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    other = { ...t.ports };
    t.clock.current = new Date('2026-03-05T10:00:00Z');
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The account as another process reads it from the store (its own cache). */
  async function fromStore() {
    const a = await mbaAccount(other, 'XA-F1');
    return {
      effective: a.effectiveLines().map((l) => `${l.reportNumber}:${l.line}:${l.batch}:${l.weightMg / 1000}`),
      all: a.allLines().map((l) => `${l.reportNumber}:${l.line}`),
      corrected: a.corrected().map((e) => `${e.origin.reportNumber}:${e.origin.line}`),
    };
  }

  /** The account as the accepting app serves it (its cache, folded in from memory). */
  async function fromApp() {
    const get = async (q: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/mbas/XA-F1/lines?limit=1000&${q}`,
          headers: bearer(t.token('xa-ssac.reviewer')),
        })
      ).json();
    type L = { reportNumber: number; line: number; batch: string; weight: number };
    const effective = await get('effective=true');
    return {
      effective: (effective.lines as L[]).map((l) => `${l.reportNumber}:${l.line}:${l.batch}:${l.weight}`),
      all: ((await get('effective=false')).lines as L[]).map((l) => `${l.reportNumber}:${l.line}`),
      corrected: (effective.corrected as { origin: { reportNumber: number; line: number } }[]).map(
        (e) => `${e.origin.reportNumber}:${e.origin.line}`,
      ),
    };
  }

  it('folds accepted reports in memory and reads the same account from the store elsewhere', async () => {
    // Both processes read the account before anything is reported (each keeps it).
    expect(await fromStore()).toEqual(await fromApp());
    const steps = [
      icr(1, '2026-02', [receipt(1, 'A-1', '2026-02-03'), receipt(2, 'A-2', '2026-02-04')]),
      icr(2, '2026-02', [
        receipt(1, 'A-3', '2026-02-05'),
        receipt(2, 'A-1', '2026-02-06', { corrects: { reportNumber: 1, line: 1 }, weight: 999 }),
      ]),
      icr(3, '2026-02', [receipt(1, 'A-2', '2026-02-04', { deletes: { reportNumber: 1, line: 2 } })]),
    ];
    for (const body of steps) {
      const res = await submit(t, 'xa-ssac.submitter', body);
      expect(res.statusCode, res.body).toBe(201);
      expect(await fromApp()).toEqual(await fromStore());
    }
    const final = await fromApp();
    // In origin order; the line in force of 1:1 is its correction 2:2; 1:2 is deleted by 3:1.
    expect(final.effective).toEqual(['2:2:A-1:999', '2:1:A-3:1001']);
    expect(final.all).toEqual(['1:1', '1:2', '2:1', '2:2', '3:1']);
    expect(final.corrected).toEqual(['1:1', '1:2']);
    // And what the account says is what validation uses: A-1 is on the book in both processes.
    const again = await submit(t, 'xa-ssac.submitter', icr(4, '2026-02', [receipt(1, 'A-1', '2026-02-10')]));
    expect(again.json().error.details.map((d: { code: string }) => d.code)).toEqual(['BATCH_REUSED']);
  });

  it('does not fold an accepted report over reports the account has not read yet', async () => {
    // A third process has read the account; then a report is accepted elsewhere (the app).
    const third: Ports = { ...t.ports };
    await mbaAccount(third, 'XA-F1');
    t.clock.current = new Date('2026-04-05T10:00:00Z');
    const res = await submit(t, 'xa-ssac.submitter', icr(4, '2026-03', [receipt(1, 'A-5', '2026-03-03')]));
    expect(res.statusCode, res.body).toBe(201);
    const head = res.json().logIndex as number;
    // As if this third process now accepted ICR 5 right after it: its account is behind `head`,
    // so the report must not be folded in (it would hide ICR 4 for good); the store has both.
    const parsed = parseReportJson(
      new TextEncoder().encode(JSON.stringify(icr(5, '2026-03', [receipt(1, 'A-6', '2026-03-04')]))),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
    const report = parsed.report;
    foldAccepted(third, report, head + 1, head);
    const read = (await mbaAccount(third, 'XA-F1')).allLines().map((l) => `${l.reportNumber}:${l.line}`);
    expect(read).toContain('4:1');
    expect(read).not.toContain('5:1');
    expect(read).toEqual(
      (await mbaAccount({ ...t.ports }, 'XA-F1')).allLines().map((l) => `${l.reportNumber}:${l.line}`),
    );
  });
});
