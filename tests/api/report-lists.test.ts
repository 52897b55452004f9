/**
 * The report and refusal lists, newest first then by id (refusals: by the log's order), of the
 * states shown (decision 0101): a
 * page walks an index in the list's order, over every state or each state's range, and never
 * sorts every header. The oracle is the list sorted in JS: every scope, filter and page must
 * match it, with many reports sharing a submission time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportType } from '../../src/domain/reports/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { reportLists } from '../../src/store/report-lists.repo.js';
import type { ReportRejectionRow, ReportRow } from '../../src/store/schema.types.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { planOf, sqliteStatementsDuring } from '../fixtures/plans.js';
import { seededRandom } from '../fixtures/random.js';

const STATES = ['xa', 'xb', 'xc', 'xd'];
const TYPES: ReportType[] = ['ICR', 'PIL', 'MBR'];

const newestFirst = (a: { submitted_at: string; id: string }, b: { submitted_at: string; id: string }) =>
  a.submitted_at > b.submitted_at
    ? -1
    : a.submitted_at < b.submitted_at
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;

describe.each(testDialects())('report and refusal lists (%s)', (dialect) => {
  let tdb: TestDb;
  const reports: ReportRow[] = [];
  const rejections: ReportRejectionRow[] = [];
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    await migrateToLatest(tdb.db);
    const rnd = seededRandom(101);
    // Few distinct times: ties are the rule, so the order by id decides most pages.
    const at = () => `2026-0${1 + Math.floor(rnd() * 3)}-01T00:00:0${Math.floor(rnd() * 3)}.000Z`;
    for (let i = 0; i < 400; i++) {
      const state = STATES[Math.floor(rnd() * STATES.length)] as string;
      reports.push({
        id: `r-${Math.floor(rnd() * 1e9).toString(36)}-${i}`,
        state,
        organisation_id: 'o',
        mba: `${state}-m${i % 3}`,
        type: TYPES[i % 3] as ReportType,
        report_number: i,
        report_date: '2026-01-01',
        period_from: null,
        period_to: null,
        pit: null,
        reporting_person: 'p',
        line_count: 1,
        note: null,
        notice_json: null,
        body_sha256: 'h',
        body_format: 'json',
        key_id: 'k',
        signature: 's',
        warnings_json: '[]',
        submitted_at: at(),
        submitted_by: 'u',
        log_index: i,
      });
    }
    for (let i = 0; i < 120; i++)
      rejections.push({
        id: `x-${Math.floor(rnd() * 1e9).toString(36)}-${i}`,
        // A refusal of a body that named no state is listed to those who see every state.
        state: i % 10 === 0 ? null : (STATES[i % STATES.length] as string),
        organisation_id: 'o',
        mba: null,
        type: null,
        report_number: null,
        period_from: null,
        period_to: null,
        pit: null,
        body_sha256: 'h',
        codes_json: '[]',
        details_json: '[]',
        submitted_at: at(),
        submitted_by: 'u',
        log_index: 1000 + i,
        summary_count: null,
        summary_from: null,
      });
    const k = tdb.db.kysely;
    for (let i = 0; i < reports.length; i += 100)
      await k
        .insertInto('reports')
        .values(reports.slice(i, i + 100))
        .execute();
    await k.insertInto('report_rejections').values(rejections).execute();
  }, 60_000);
  afterAll(async () => {
    await tdb?.dispose();
  });

  const scopes: ('all' | string[])[] = ['all', [], ['xb'], ['xa', 'xc'], ['xd', 'xa', 'xb'], STATES];

  it('lists every scope, filter and page as the whole list sorted', async () => {
    const lists = reportLists(tdb.db.kysely);
    let compared = 0;
    for (const states of scopes)
      for (const filter of [
        {},
        { state: 'xa' },
        { state: 'xc' },
        { mba: 'xd-m1' },
        { type: 'PIL' as const },
      ]) {
        const wanted = reports
          .filter(
            (r) =>
              (states === 'all' || states.includes(r.state)) &&
              ('state' in filter ? r.state === filter.state : true) &&
              ('mba' in filter ? r.mba === filter.mba : true) &&
              ('type' in filter ? r.type === filter.type : true),
          )
          .sort(newestFirst)
          .map((r) => r.id);
        for (const limit of [7, 50, 500])
          for (let offset = 0; offset <= wanted.length + limit; offset += limit) {
            const page = await lists.listReports({ states, ...filter, limit, offset });
            expect(
              page.map((r) => r.id),
              `${JSON.stringify(states)} ${JSON.stringify(filter)} ${limit} ${offset}`,
            ).toEqual(wanted.slice(offset, offset + limit));
            compared++;
          }
      }
    for (const states of scopes)
      for (const state of [undefined, 'xb']) {
        const wanted = rejections
          .filter(
            (r) =>
              (states === 'all' || (r.state !== null && states.includes(r.state))) &&
              (state === undefined || r.state === state),
          )
          .sort((a, b) =>
            a.submitted_at > b.submitted_at
              ? -1
              : a.submitted_at < b.submitted_at
                ? 1
                : b.log_index - a.log_index,
          )
          .map((r) => r.id);
        for (const limit of [5, 200])
          for (let offset = 0; offset <= wanted.length + limit; offset += limit) {
            const page = await lists.listRejections({ states, state, limit, offset });
            expect(page.map((r) => r.id)).toEqual(wanted.slice(offset, offset + limit));
            compared++;
          }
      }
    expect(compared).toBeGreaterThan(500);
  }, 120_000);
});

// Statements are prepared once per connection: planned on a database of their own.
describe('report and refusal lists (sqlite plans)', () => {
  it('walks an index in the list’s order, never sorting every header', async () => {
    const tdb = await createTestDb('sqlite');
    await migrateToLatest(tdb.db);
    const lists = reportLists(tdb.db.kysely);
    const plans = async (f: () => Promise<unknown>) =>
      Promise.all(
        (await sqliteStatementsDuring(f))
          .filter((s) => /from "(reports|report_rejections)"/.test(s))
          .map(async (s) => (await planOf(tdb.db, s)).plan),
      );
    // Statements are prepared once per connection: each shape is asked here first.
    const all = await plans(async () => {
      await lists.listReports({ states: 'all', limit: 10, offset: 0 });
      await lists.listRejections({ states: 'all', limit: 10, offset: 0 });
    });
    expect(all).toHaveLength(2);
    for (const plan of all) {
      expect(plan).toMatch(/SCAN (reports|report_rejections) USING INDEX (reports|rejections)_newest/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
    const some = await plans(async () => {
      await lists.listReports({ states: ['xa', 'xc', 'xd'], limit: 10, offset: 20 });
      await lists.listRejections({ states: ['xa', 'xc'], limit: 10, offset: 20 });
    });
    expect(some).toHaveLength(2);
    // Each state's own range of its index, one per state (an `in` list was one search of all of
    // them, whose rows were then all sorted); only the arms' first offset + limit rows are merged.
    for (const [plan, n] of [
      [some[0], 3],
      [some[1], 2],
    ] as const) {
      expect(
        plan?.match(
          /SEARCH (reports|report_rejections) USING INDEX (reports|rejections)_state \(state=\?\)/g,
        ),
      ).toHaveLength(n);
      expect(plan).not.toMatch(/SCAN (reports|report_rejections)\b/);
    }
    await tdb.dispose();
  });
});
