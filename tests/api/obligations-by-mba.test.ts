/**
 * A state's obligations are judged one MBA at a time from each subject's first acceptance, the
 * MBA's export notices and its refusals (services/reports/obligations.ts, docs/decisions/0089).
 * The oracle is the judgement over every stored report and refusal of the state at once, as it
 * was computed before: random histories (resubmissions, ICRs spanning months, PITs, notices,
 * refusals cured in time or not, refusals filed under another state) must give the same
 * obligations, counts and pages.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportType } from '../../src/domain/reports/index.js';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { computeStateApObligations } from '../../src/services/declarations/obligations.js';
import {
  type DurableEventSink,
  runSchedulerOnce,
  storedObligations,
} from '../../src/services/notifications/index.js';
import { pageStateObligations } from '../../src/services/reports/obligations.js';
import { up as obligationFacts } from '../../src/store/migrations/0046-obligation-facts.js';
import { recordAcceptance } from '../../src/store/obligations.repo.js';
import { createRegistryRepo } from '../../src/store/registry.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { judgeWholeRecord } from '../fixtures/obligations.js';
import { seededRandom } from '../fixtures/random.js';
import { lastDayOf } from '../fixtures/reports.js';

const TODAY = '2026-12-05';
const pad = (n: number) => String(n).padStart(2, '0');
/** Month k (0 = 2025-10) as YYYY-MM. */
const monthOf = (k: number) => {
  const y = 2025 + Math.floor((9 + k) / 12);
  return `${y}-${pad(((9 + k) % 12) + 1)}`;
};

let counter = 0;
function reportRow(
  state: string,
  mba: string,
  type: ReportType,
  at: string,
  subject: Record<string, unknown>,
) {
  counter++;
  return {
    id: `T-${counter}`,
    state,
    organisation_id: 'org',
    mba,
    type,
    report_number: counter,
    report_date: at.slice(0, 10),
    period_from: null,
    period_to: null,
    pit: null,
    reporting_person: 'p',
    line_count: 0,
    note: null,
    notice_json: null,
    body_sha256: 'x',
    body_format: 'json',
    key_id: 'k',
    signature: 's',
    warnings_json: '[]',
    submitted_at: at,
    submitted_by: 'u',
    log_index: counter,
    ...subject,
  };
}

function refusalRow(
  state: string,
  mba: string,
  type: string | null,
  at: string,
  subject: Record<string, unknown>,
) {
  counter++;
  return {
    id: `R-${counter}`,
    state,
    organisation_id: 'org',
    mba,
    type,
    report_number: null,
    period_from: null,
    period_to: null,
    pit: null,
    body_sha256: 'x',
    codes_json: '[]',
    details_json: '[]',
    submitted_at: at,
    submitted_by: 'u',
    log_index: counter,
    summary_count: null,
    summary_from: null,
    ...subject,
  };
}

/** Stores a random history for the state's MBAs; returns nothing (the oracle reads the tables). */
async function storeHistory(t: TestApp, seed: number, mbas: readonly string[]): Promise<void> {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const instant = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + Math.floor(rnd() * 86_400_000)).toISOString();
  const afterDays = (m: string, max: number) =>
    instant(
      new Date(Date.parse(`${lastDayOf(m)}T00:00:00Z`) + Math.floor(rnd() * max) * 86_400_000)
        .toISOString()
        .slice(0, 10),
    );
  const reports: ReturnType<typeof reportRow>[] = [];
  const refusals: ReturnType<typeof refusalRow>[] = [];
  for (const mba of mbas) {
    if (rnd() < 0.8)
      reports.push(
        reportRow('XA', mba, 'INITIAL', instant(pick(['2025-12-01', '2026-01-20', '2026-03-05'])), {}),
      );
    for (let k = 0; k < 14; k++) {
      const m = monthOf(k);
      // Never reported: missing, or upcoming for November (due after today).
      if (k === 13 || rnd() < 0.2) continue;
      const span = rnd() < 0.15 ? 1 : 0;
      const period = { period_from: `${m}-01`, period_to: lastDayOf(monthOf(k + span)) };
      const tries = 1 + Math.floor(rnd() * 3); // resubmissions of the same period
      for (let i = 0; i < tries; i++)
        reports.push(reportRow('XA', mba, 'ICR', afterDays(monthOf(k + span), 60), period));
      if (rnd() < 0.3) refusals.push(refusalRow('XA', mba, 'ICR', afterDays(monthOf(k + span), 40), period));
      if (rnd() < 0.1) refusals.push(refusalRow('XB', mba, 'ICR', afterDays(m, 20), period));
    }
    for (const pit of ['2026-03-31', '2026-09-30']) {
      if (rnd() < 0.3) continue;
      for (const type of ['PIL', 'MBR'] as const) {
        if (rnd() < 0.8)
          reports.push(
            reportRow(
              'XA',
              mba,
              type,
              instant(pick(['2026-04-10', '2026-05-20', '2026-10-25', '2026-11-30'])),
              { pit },
            ),
          );
        if (rnd() < 0.3)
          refusals.push(refusalRow('XA', mba, type, instant(pick(['2026-04-05', '2026-10-20'])), { pit }));
      }
    }
    for (let n = 0; n < Math.floor(rnd() * 4); n++) {
      const prep = `2026-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`;
      const notice = { reference: `N-${seed}-${mba}-${n}`, preparationDate: prep };
      reports.push(
        reportRow('XA', mba, pick(['EXPORT_NOTICE', 'IMPORT_NOTICE'] as const), instant(prep), {
          notice_json: JSON.stringify(notice),
        }),
      );
    }
    if (rnd() < 0.3) refusals.push(refusalRow('XA', mba, null, instant('2026-02-02'), {}));
  }
  const q = t.ports.db.kysely;
  for (let i = 0; i < reports.length; i += 100)
    await q
      .insertInto('reports')
      .values(reports.slice(i, i + 100))
      .execute();
  // As intake notes them, in an order other than their times (a peer's reports come late).
  for (let i = reports.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [reports[i], reports[j]] = [reports[j]!, reports[i]!];
  }
  for (const r of reports) await recordAcceptance(q, r, t.ports.db.sqlite);
  for (let i = 0; i < refusals.length; i += 100)
    await q
      .insertInto('report_rejections')
      .values(refusals.slice(i, i + 100))
      .execute();
}

describe.each(testDialects())('obligations judged one MBA at a time (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date(`${TODAY}T12:00:00Z`);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('gives the whole-record judgement on random histories, and its pages', async () => {
    const mbas = (await createRegistryRepo(t.ports.db).listMbas({ state: 'XA' })).map((m) => m.code);
    expect(mbas.length).toBeGreaterThan(1);
    for (const seed of [1, 2, 3]) {
      await storeHistory(t, seed, mbas);
      const expected = await judgeWholeRecord(t.ports, 'XA', TODAY);
      expect(expected.length).toBeGreaterThan(30);
      const all = await pageStateObligations(t.ports, 'XA', TODAY, { limit: 100_000, offset: 0 });
      expect(all.obligations, `seed ${seed}`).toEqual(expected);
      expect(all.total).toBe(expected.length);
      const counts = { upcoming: 0, met: 0, late: 0, missing: 0 };
      for (const o of expected) counts[o.status]++;
      expect(all.counts).toEqual(counts);
      // Every status occurs, so the filters below select something and leave something out.
      expect(
        Object.values(counts).every((n) => n > 0),
        JSON.stringify(counts),
      ).toBe(true);
      const rnd = seededRandom(seed);
      for (let i = 0; i < 12; i++) {
        const status = (['upcoming', 'met', 'late', 'missing'] as const).filter(() => rnd() < 0.5);
        const mba = rnd() < 0.3 ? mbas[Math.floor(rnd() * mbas.length)] : undefined;
        const order = rnd() < 0.5 ? ('desc' as const) : ('asc' as const);
        const limit = 1 + Math.floor(rnd() * 20);
        const offset = Math.floor(rnd() * 40);
        const chosen = expected.filter(
          (o) => (status.length === 0 || status.includes(o.status)) && (mba === undefined || o.mba === mba),
        );
        if (order === 'desc') chosen.reverse();
        const page = await pageStateObligations(t.ports, 'XA', TODAY, { status, mba, order, limit, offset });
        expect(page.total).toBe(chosen.length);
        expect(page.counts).toEqual(counts);
        expect(page.obligations).toEqual(chosen.slice(offset, offset + limit));
      }
    }
  }, 120_000);

  it('builds the same first acceptances from the reports in its migration, and the audit checks them', async () => {
    const q = t.ports.db.kysely;
    const held = async () =>
      (await q.selectFrom('obligation_firsts').selectAll().execute()).map((r) => JSON.stringify(r)).sort();
    const maintained = await held();
    expect(maintained.length).toBeGreaterThan(30);
    const firstFindings = async () =>
      (await auditDerivedState(q)).filter((f) => f.where.includes('first acceptance'));
    expect(await firstFindings()).toEqual([]);
    const replay = async () => {
      await sql`drop table obligation_firsts`.execute(q);
      await sql`drop index rejections_mba`.execute(q);
      await obligationFacts(dialect)(q as unknown as Kysely<unknown>);
    };
    await replay();
    expect(await held()).toEqual(maintained);
    // A first acceptance moved later, and one for a subject never reported, are named.
    const row = await q
      .selectFrom('obligation_firsts')
      .selectAll()
      .where('type', '=', 'ICR')
      .executeTakeFirstOrThrow();
    await q
      .updateTable('obligation_firsts')
      .set({ first_at: '2027-01-01T00:00:00.000Z' })
      .where('mba', '=', row.mba)
      .where('state', '=', row.state)
      .where('type', '=', row.type)
      .where('subject', '=', row.subject)
      .execute();
    await q
      .insertInto('obligation_firsts')
      .values({
        ...row,
        subject: '2020-01-01|2020-01-31|',
        period_from: '2020-01-01',
        period_to: '2020-01-31',
      })
      .execute();
    const found = (await firstFindings()).map((f) => f.where);
    const where = `${row.mba} first acceptance ${row.state} ICR`;
    expect(found.sort()).toEqual(
      [
        `${where} ${row.subject} at 2027-01-01T00:00:00.000Z`,
        `${where} ${row.subject} at ${row.first_at}`,
        `${where} 2020-01-01|2020-01-31| at ${row.first_at}`,
      ].sort(),
    );
    await replay();
    expect(await held()).toEqual(maintained);
  }, 120_000);

  it('opens one case for each missing or late obligation when the scheduler reads them per MBA', async () => {
    let owed = 0;
    for (const s of await createRegistryRepo(t.ports.db).listStates()) {
      const { counts } = await pageStateObligations(t.ports, s.code, TODAY, { limit: 1, offset: 0 });
      const ap = (await computeStateApObligations(t.ports, s.code, TODAY))?.obligations ?? [];
      owed +=
        counts.missing + counts.late + ap.filter((o) => o.status === 'missing' || o.status === 'late').length;
    }
    expect(owed).toBeGreaterThan(50);
    const sink = t.ports.events as DurableEventSink;
    const first = await runSchedulerOnce(t.ports, sink, storedObligations);
    expect(first.casesOpened).toBe(owed);
    expect(first.reminders).toBeGreaterThan(0);
    expect(await runSchedulerOnce(t.ports, sink, storedObligations)).toMatchObject({
      reminders: 0,
      casesOpened: 0,
    });
  }, 120_000);

  it('pages over HTTP and refuses a bad filter with a stable code', async () => {
    const get = (qs: string) =>
      t.app.inject({ method: 'GET', url: `/api/states/XA/timeliness${qs}`, headers: bearer(t.adminToken) });
    const all = (await get('?limit=1000')).json();
    expect(all.total).toBe(all.obligations.length);
    const first = (await get('?status=missing,late&order=desc&limit=5')).json();
    const wanted = all.obligations
      .filter((o: { status: string }) => o.status === 'missing' || o.status === 'late')
      .reverse();
    expect(first).toMatchObject({ limit: 5, offset: 0, total: wanted.length, counts: all.counts });
    expect(first.obligations).toEqual(wanted.slice(0, 5));
    const second = (await get('?status=missing,late&order=desc&limit=5&offset=5')).json();
    expect(second.obligations).toEqual(wanted.slice(5, 10));
    for (const bad of [
      '?status=overdue',
      '?status=met,',
      '?order=up',
      '?limit=0',
      '?offset=-1',
      '?colour=red',
    ]) {
      const res = await get(bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code, bad).toBe('VALIDATION_FAILED');
    }
  });
});
