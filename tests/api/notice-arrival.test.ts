/**
 * Decision 0091: a notice's recheck reads the lines that name it (eval_notice_refs), with the
 * months around them, not its state's flows whole. A line may only name a notice on record
 * (NOTICE_UNKNOWN), so through the API a new notice is named by nothing yet and changes nothing;
 * the recheck itself is run here after a notice's record changed under lines naming it (as a
 * forwarded notice could arrive after them). Its findings must be what checkNotices gives over
 * the whole flow with every notice of the state; a finding spoiled by hand far from those lines is
 * left alone (the recheck did not walk there); the audit names a missing or invented reference
 * entry, and migration 0047 builds the same entries again.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdvanceNotice, checkNotices } from '../../src/domain/transfers/index.js';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { recheckNotice } from '../../src/services/evaluation/notice-flows.js';
import { factsReader, recsOf } from '../../src/services/evaluation/transfer-lines.js';
import { up as noticeRefsMigration } from '../../src/store/migrations/0047-notice-refs.js';
import { readNoticeFlowPage } from '../../src/store/notice-lines.repo.js';
import { readNoticesByReference } from '../../src/store/transfers.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { exportNoticeReport, icr, initialReport, submit } from '../fixtures/reports.js';

const EXPORTS = 'EXPORT\u0001XA\u0001XB';

/** A plutonium line of `grams` (0.3 kg: 0.3 ekg; four within three months need a notice). */
function puLine(n: number, date: string, code: 'SF' | 'RF', notice?: string) {
  return {
    line: n,
    date,
    code,
    batch: `PU-${code}-${n}-${date}`,
    kmp: 'B',
    element: 'P',
    weight: 300,
    basis: 'M',
    form: 'PH',
    counterpart: code === 'SF' ? { state: 'XB', mba: 'XB-F1' } : { state: 'XA', mba: 'XA-F1' },
    ...(notice === undefined ? {} : { notice }),
  };
}

function exportNotice(reportNumber: number, reference: string, preparationDate: string) {
  return exportNoticeReport({
    mba: 'XA-F1',
    reportNumber,
    reference,
    otherState: 'XB',
    reportDate: '2026-12-05',
    preparationDate,
  });
}

describe.each(testDialects())('a new notice rechecks the lines naming it (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-12-05T10:00:00Z');
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    // N-1 and N-4 in time (14 days before their preparation), N-2 late.
    let n = 0;
    for (const [ref, prep] of [
      ['N-1', '2026-12-20'],
      ['N-2', '2026-12-10'],
      ['N-4', '2026-12-20'],
    ] as const)
      expect((await submit(t, 'xa-ssac.submitter', exportNotice(++n, ref, prep))).statusCode).toBe(201);
    // January: six exports, two naming N-1, one N-2, one N-4; October: four more, none naming a
    // notice, months from January's windows. Every line is in a window over 1 ekg.
    const jan = [
      puLine(1, '2026-01-05', 'SF', 'N-1'),
      puLine(2, '2026-01-06', 'SF'),
      puLine(3, '2026-01-12', 'SF', 'N-2'),
      puLine(4, '2026-01-14', 'SF', 'N-1'),
      puLine(5, '2026-01-20', 'SF', 'N-4'),
      puLine(6, '2026-01-28', 'SF'),
    ];
    const r1 = await submit(t, 'xa-ssac.submitter', icr(1, '2026-01', jan));
    expect(r1.statusCode, r1.body).toBe(201);
    const oct = [1, 2, 3, 4].map((n) => puLine(n, `2026-10-${String(n * 5).padStart(2, '0')}`, 'SF'));
    expect((await submit(t, 'xa-ssac.submitter', icr(2, '2026-10', oct))).statusCode).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  /** The stored finding of each row of a flow, by `report/line`. */
  async function stored(flow: string): Promise<Map<string, number | null>> {
    const rows = await t.ports.db.kysely
      .selectFrom('eval_transfers')
      .select(['origin_report', 'origin_line', 'notice'])
      .where('flow', '=', flow)
      .execute();
    return new Map(rows.map((r) => [`${r.origin_report}/${r.origin_line}`, r.notice]));
  }
  /** checkNotices over the whole flow with every notice of its state, as stored codes. */
  async function oracle(flow: string, state: string): Promise<Map<string, number | null>> {
    const q = t.ports.db.kysely;
    const { rows } = await readNoticeFlowPage(q, flow, undefined, undefined, 100_000);
    const recs = await recsOf(q, rows, factsReader(q));
    const refs = [...new Set(recs.flatMap((r) => (r.t.notice === undefined ? [] : [r.t.notice])))];
    const notices: AdvanceNotice[] = [...(await readNoticesByReference(q, state, refs)).values()];
    const found = new Map(
      checkNotices(
        recs.map((r) => r.t),
        notices,
      ).map((f) => [f.transfer.id, f.code === 'NOTICE_MISSING' ? 1 : 2]),
    );
    return new Map(recs.map((r) => [`${r.report}/${r.line}`, found.get(r.t.id) ?? null]));
  }
  const spoil = (flow: string, report: number, line: number, notice: number | null) =>
    t.ports.db.kysely
      .updateTable('eval_transfers')
      .set({ notice })
      .where('flow', '=', flow)
      .where('origin_report', '=', report)
      .where('origin_line', '=', line)
      .execute();

  it('rechecks the lines naming a notice as the whole flow would, and walks nowhere else', async () => {
    const q = t.ports.db.kysely;
    const before = await stored(EXPORTS);
    expect(before).toEqual(await oracle(EXPORTS, 'XA'));
    expect([before.get('1/1'), before.get('1/2'), before.get('1/3'), before.get('1/4')]).toEqual([
      null,
      1,
      2,
      null,
    ]);
    // A finding spoiled by hand in October, months from any line naming N-1.
    await spoil(EXPORTS, 2, 2, 2);
    // Through the API a new notice is named by no line yet: nothing is rechecked, nothing changes.
    expect((await submit(t, 'xa-ssac.submitter', exportNotice(4, 'N-5', '2026-12-20'))).statusCode).toBe(201);
    expect((await stored(EXPORTS)).get('2/2')).toBe(2);
    // N-1's record changes under the lines naming it (now given late), and its recheck runs.
    await q
      .updateTable('notices')
      .set({ submitted_at: '2026-12-15T09:00:00.000Z' })
      .where('reference', '=', 'N-1')
      .execute();
    await q.transaction().execute((tx) => recheckNotice(tx, t.ports.db.sqlite, 'XA', 'N-1'));
    const after = await stored(EXPORTS);
    const want = await oracle(EXPORTS, 'XA');
    expect([after.get('1/1'), after.get('1/4')]).toEqual([2, 2]);
    expect(after.get('2/2')).toBe(2); // left alone: no line naming N-1 is near it
    const others = (m: Map<string, number | null>) => new Map([...m].filter(([k]) => k !== '2/2'));
    expect(others(after)).toEqual(others(want));
    // Another state's recheck of the same reference changes nothing of this state's lines.
    await q
      .updateTable('notices')
      .set({ submitted_at: '2026-11-01T09:00:00.000Z' })
      .where('reference', '=', 'N-1')
      .execute();
    await q.transaction().execute((tx) => recheckNotice(tx, t.ports.db.sqlite, 'XB', 'N-1'));
    expect(await stored(EXPORTS)).toEqual(after);
    await q.transaction().execute((tx) => recheckNotice(tx, t.ports.db.sqlite, 'XA', 'N-1'));
    // Put back, so the audit below sees the rows as intake keeps them.
    await spoil(EXPORTS, 2, 2, want.get('2/2') ?? null);
    expect(await stored(EXPORTS)).toEqual(await oracle(EXPORTS, 'XA'));
    expect((await stored(EXPORTS)).get('1/1')).toBeNull();
  });

  it('keeps the references with the rows: the audit checks them, and the migration builds them again', async () => {
    const q = t.ports.db.kysely;
    const refs = async () =>
      (await q.selectFrom('eval_notice_refs').selectAll().execute()).map((r) => JSON.stringify(r)).sort();
    const kept = await refs();
    expect(kept.map((r) => JSON.parse(r).notice).sort()).toEqual(['N-1', 'N-1', 'N-2', 'N-4']);
    const findings = async () =>
      (await auditDerivedState(q)).filter((f) => f.where.includes('notice reference')).map((f) => f.message);
    expect(await findings()).toEqual([]);
    const gone = await q.selectFrom('eval_notice_refs').selectAll().where('notice', '=', 'N-2').execute();
    await q.deleteFrom('eval_notice_refs').where('notice', '=', 'N-2').execute();
    await q
      .insertInto('eval_notice_refs')
      .values({ ...gone[0]!, notice: 'N-9' })
      .execute();
    expect((await findings()).sort()).toEqual([
      'a row naming a notice is not held under it',
      'no row of its flow names that notice so',
    ]);
    await q.schema.dropTable('eval_notice_refs').execute();
    await noticeRefsMigration(dialect)(q as unknown as Kysely<unknown>);
    expect(await refs()).toEqual(kept);
    expect(await findings()).toEqual([]);
  });
});
