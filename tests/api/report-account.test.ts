/**
 * Validation asks the store about the keys a report names (src/services/reports/account.ts,
 * src/store/report-account.repo.ts, docs/decisions/0011). Its answers must be the whole
 * account's, as the pure effective view computes it (domain/accounting/effective.ts): random
 * histories with corrections of corrections, deletions and batches shipped and received again
 * are stored through the repositories, then every lookup is compared with that oracle.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareLines,
  computeEffectiveLines,
  type SourcedIcrLine,
} from '../../src/domain/accounting/index.js';
import {
  batchKey,
  DEFAULT_IC_CODES,
  type ElementCode,
  type IcrLine,
  type IcrReport,
  type LineRef,
  lineRefKey,
  type Milligrams,
  type ReportType,
} from '../../src/domain/reports/index.js';
import { bookBatchesAmong, correctionTargets, periodTotals } from '../../src/services/reports/account.js';
import {
  countListed,
  createAccountLinesRepo,
  keptTotal,
  type LinesQuery,
} from '../../src/store/account-lines.repo.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { rebuildRevisions } from '../../src/store/migrations/0008-lean-storage.js';
import { up as revisionLinesMigration } from '../../src/store/migrations/0044-revision-lines.js';
import { createReportAccountRepo } from '../../src/store/report-account.repo.js';
import { createReportsRepo } from '../../src/store/reports.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { seededRandom } from '../fixtures/random.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

const CODES = ['RD', 'RF', 'SD', 'SF', 'RS', 'LD', 'DU'] as const;
const BATCHES = ['B0', 'B1', 'B2', 'B3', 'B4'];
const ELEMENTS: ElementCode[] = ['E', 'N'];
const month = (k: number) => `2026-${String(k).padStart(2, '0')}`;

interface History {
  readonly mba: string;
  readonly initial: { batch: string; element: ElementCode }[];
  readonly icrs: IcrReport[];
}

function randomHistory(seed: number): History {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const mba = `M-${seed}`;
  const initial = BATCHES.slice(0, 2).map((batch) => ({ batch, element: pick(ELEMENTS) }));
  const icrs: IcrReport[] = [];
  const stored: LineRef[] = [];
  const reports = 3 + Math.floor(rnd() * 6);
  for (let n = 1; n <= reports; n++) {
    const lines: IcrLine[] = [];
    const count = 1 + Math.floor(rnd() * 6);
    for (let i = 1; i <= count; i++) {
      const code = pick(CODES);
      const base = {
        line: i,
        date: `${month(n)}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`,
        code,
        batch: pick(BATCHES),
        kmp: 'A',
        element: pick(ELEMENTS),
        weightMg: 1000 + Math.floor(rnd() * 100_000),
        ...(DEFAULT_IC_CODES.get(code)?.transfer ? { counterpart: { state: 'XB' } } : {}),
      };
      const r = rnd();
      if (stored.length > 0 && r < 0.25) {
        const target = pick(stored);
        // A correction carries the date of the change, possibly in an earlier month.
        lines.push({ ...base, date: `${month(target.reportNumber)}-15`, corrects: target } as IcrLine);
      } else if (stored.length > 0 && r < 0.35) {
        lines.push({ ...base, deletes: pick(stored) } as IcrLine);
      } else {
        lines.push(base as IcrLine);
      }
    }
    const last = String(new Date(Date.UTC(2026, n, 0)).getUTCDate()).padStart(2, '0');
    icrs.push({
      type: 'ICR',
      mba,
      reportNumber: n,
      reportDate: `${month(n)}-${last}`,
      period: { from: `${month(n)}-01`, to: `${month(n)}-${last}` },
      reportingPerson: 'T',
      lineCount: lines.length,
      lines,
    } as IcrReport);
    for (const l of lines) stored.push({ reportNumber: n, line: l.line });
  }
  return { mba, initial, icrs };
}

async function store(db: TestDb['db'], h: History): Promise<void> {
  const repo = createReportsRepo(db);
  const account = createReportAccountRepo(db);
  const row = (type: ReportType, n: number, extra: object) => ({
    id: `${h.mba}:${type}:${n}`,
    state: 'XA',
    organisation_id: 'o',
    mba: h.mba,
    type,
    report_number: n,
    report_date: '2026-01-01',
    period_from: null,
    period_to: null,
    pit: null,
    reporting_person: 'T',
    line_count: 0,
    note: null,
    notice_json: null,
    body_sha256: '',
    body_format: 'json',
    key_id: '',
    signature: '',
    warnings_json: '[]',
    submitted_at: '2026-01-01T00:00:00Z',
    submitted_by: 'u',
    log_index: n,
    ...extra,
  });
  await repo.insertReport(db.kysely, row('INITIAL', 1, { pit: '2026-01-01', log_index: 0 }));
  await repo.insertLines(db.kysely, `${h.mba}:INITIAL:1`, {
    type: 'INITIAL',
    mba: h.mba,
    reportNumber: 1,
    reportDate: '2026-01-01',
    pit: '2026-01-01',
    reportingPerson: 'T',
    lineCount: h.initial.length,
    lines: h.initial.map((b, i) => ({ line: i + 1, kmp: 'A', weightMg: 1, ...b })),
  });
  for (const r of h.icrs) {
    await db.kysely.transaction().execute(async (tx) => {
      const id = `${h.mba}:ICR:${r.reportNumber}`;
      await repo.insertReport(
        tx,
        row('ICR', r.reportNumber, { period_from: r.period.from, period_to: r.period.to }),
      );
      await repo.insertLines(tx, id, r);
      await account.recordRevisions(tx, h.mba, r.reportNumber, r.lines);
    });
  }
}

/** The lookups as the whole effective account answers them (what the old per-process copy held). */
function oracle(h: History) {
  const all: SourcedIcrLine[] = h.icrs.flatMap((r) =>
    r.lines.map((l) => ({ ...l, reportNumber: r.reportNumber })),
  );
  const view = computeEffectiveLines(all);
  const book = new Set(h.initial.map((b) => batchKey(b.batch, b.element)));
  for (const l of view.lines) {
    const info = DEFAULT_IC_CODES.get(l.code);
    if (info?.createsBatch) book.add(batchKey(l.batch, l.element));
    else if (info && info.sign < 0 && info.transfer) book.delete(batchKey(l.batch, l.element));
  }
  const totals = (after: string, through: string) => {
    const m = new Map<ElementCode, Map<string, Milligrams>>();
    for (const l of view.lines) {
      if (!(l.date > after && l.date <= through)) continue;
      const byCode = m.get(l.element) ?? new Map<string, Milligrams>();
      byCode.set(l.code, (byCode.get(l.code) ?? 0) + l.weightMg);
      m.set(l.element, byCode);
    }
    return m;
  };
  return { targets: new Set(all.map((l) => lineRefKey(l))), book, totals };
}

/** A report asking about every batch of the pool in both elements, and about lines that may not exist. */
function probe(h: History): IcrReport {
  const lines: IcrLine[] = [];
  for (const batch of BATCHES)
    for (const element of ELEMENTS)
      lines.push({
        line: lines.length + 1,
        date: '2026-12-01',
        code: 'RD',
        batch,
        kmp: 'A',
        element,
        weightMg: 1,
      } as IcrLine);
  for (let n = 0; n <= h.icrs.length + 1; n++)
    for (let line = 0; line <= 7; line++)
      lines.push({
        line: lines.length + 1,
        date: '2026-12-01',
        code: 'RD',
        batch: 'X',
        kmp: 'A',
        element: 'E',
        weightMg: 1,
        corrects: { reportNumber: n, line },
      } as IcrLine);
  return { ...(h.icrs[0] as IcrReport), reportNumber: 99, lines, lineCount: lines.length };
}

const entries = (m: Map<ElementCode, Map<string, Milligrams>>) => [...m].map(([e, c]) => [e, [...c]]);

describe.each(testDialects())('validation by query on %s', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    await migrateToLatest(tdb.db);
  });
  afterAll(async () => {
    await tdb.dispose();
  });

  it('answers every lookup as the effective account does (random histories)', async () => {
    const account = createReportAccountRepo(tdb.db);
    for (let seed = 1; seed <= 40; seed++) {
      const h = randomHistory(seed);
      await store(tdb.db, h);
      const want = oracle(h);
      const p = probe(h);
      const asked = new Set(p.lines.flatMap((l) => (l.corrects ? [lineRefKey(l.corrects)] : [])));
      expect([...(await correctionTargets(account, p))].sort(), `seed ${seed}`).toEqual(
        [...want.targets].filter((k) => asked.has(k)).sort(),
      );
      expect([...(await bookBatchesAmong(account, p))].sort(), `seed ${seed}`).toEqual([...want.book].sort());
      for (const [after, through] of [
        ['0000-01-01', '2026-12-31'],
        ['2026-01-31', '2026-03-31'],
        ['2026-02-28', '2026-02-28'],
        ['2026-03-15', '2026-06-15'],
      ] as const) {
        expect(entries(await periodTotals(account, h.mba, after, through)), `seed ${seed} ${after}`).toEqual(
          entries(want.totals(after, through)),
        );
      }
    }
  });

  it('pages the lines of an MBA in SQL as the pure effective view orders them (random histories)', async () => {
    const repo = createAccountLinesRepo(tdb.db);
    const key = (l: { report_number: number; line: number }) => `${l.report_number}:${l.line}`;
    for (let seed = 1; seed <= 40; seed++) {
      const h = randomHistory(seed);
      const all: SourcedIcrLine[] = h.icrs.flatMap((r) =>
        r.lines.map((l) => ({ ...l, reportNumber: r.reportNumber })),
      );
      const view = computeEffectiveLines(all);
      const asKey = (l: SourcedIcrLine) => `${l.reportNumber}:${l.line}`;
      const requests: LinesQuery[] = [
        { effective: true, limit: 1000, offset: 0 },
        { effective: false, limit: 1000, offset: 0 },
        { effective: true, limit: 3, offset: 2, sort: 'weight', desc: true },
        { effective: false, limit: 4, offset: 1, sort: 'batch' },
        { effective: true, limit: 1000, offset: 0, sort: 'date', after: '2026-02-28', asOf: '2026-05-31' },
        { effective: true, limit: 1000, offset: 0, element: 'N', q: 'b1' },
        { effective: false, limit: 5, offset: 0, sort: 'reportNumber', desc: true, element: 'E' },
      ];
      for (const f of requests) {
        const sortValue = (l: SourcedIcrLine): string | number =>
          f.sort === 'weight' ? l.weightMg : f.sort === 'reportNumber' ? l.reportNumber : l[f.sort ?? 'date'];
        const base = (f.effective ? view.lines : [...all].sort(compareLines)).filter(
          (l) =>
            (f.asOf === undefined || l.date <= f.asOf) &&
            (f.after === undefined || l.date > f.after) &&
            (f.element === undefined || l.element === f.element) &&
            (f.q === undefined || l.batch.toLowerCase().includes(f.q) || l.code.toLowerCase().includes(f.q)),
        );
        const dir = f.desc ? -1 : 1;
        const sorted =
          f.sort === undefined
            ? base
            : [...base].sort((a, b) => {
                const x = sortValue(a);
                const y = sortValue(b);
                return x === y ? 0 : (x < y ? -1 : 1) * dir;
              });
        const got = await repo.page(h.mba, f);
        // The lines counted in SQL; the page's total is that count where nothing kept answers it.
        // These histories are stored without derived state or header line counts, so the kept
        // totals (decision 0109) are compared with this count in evaluation-derived.test.ts.
        expect(await countListed(tdb.db.kysely, h.mba, f), `seed ${seed} ${JSON.stringify(f)}`).toBe(
          base.length,
        );
        if ((await keptTotal(tdb.db.kysely, h.mba, f)) === undefined)
          expect(got.total, `seed ${seed} ${JSON.stringify(f)}`).toBe(base.length);
        expect(got.rows.map(key), `seed ${seed} ${JSON.stringify(f)}`).toEqual(
          sorted.slice(f.offset, f.offset + f.limit).map(asKey),
        );
      }
      // The correction history, a page of originals at a time (pages of 1, 3 and all), equals the
      // oracle's entries that have one, with whether the last revision deleted it.
      const want = view.entries
        .filter((e) => e.history.length > 1)
        .map(
          (e) =>
            `${e.origin.reportNumber}:${e.origin.line}${e.current === undefined ? ' deleted' : ''}=${e.history.map(asKey).join(',')}`,
        );
      for (const limit of [1, 3, 1000]) {
        const got: string[] = [];
        for (let offset = 0; ; offset += limit) {
          const page = await repo.revised(h.mba, { limit, offset });
          expect(page.total, `seed ${seed}`).toBe(want.length);
          got.push(
            ...page.items.map(
              (e) =>
                `${e.origin.reportNumber}:${e.origin.line}${e.deleted ? ' deleted' : ''}=${e.history.map(key).join(',')}`,
            ),
          );
          if (page.items.length < limit) break;
        }
        expect(got, `seed ${seed} pages of ${limit}`).toEqual(want);
      }
    }
  });

  it('builds the same revisions for an existing database as the storing transactions kept', async () => {
    const k = tdb.db.kysely as unknown as Kysely<unknown>;
    const read = async () =>
      (await sql`select * from icr_revisions order by mba, origin_report, origin_line`.execute(k)).rows;
    const kept = await read();
    expect(kept.length).toBeGreaterThan(20);
    await sql`delete from icr_revisions`.execute(k);
    await rebuildRevisions(k);
    expect(await read()).toEqual(kept);
  });

  it('builds the same histories for an existing database as the storing transactions kept (0044)', async () => {
    const k = tdb.db.kysely as unknown as Kysely<unknown>;
    const read = async () =>
      (
        await sql`select * from icr_revision_lines
          order by mba, origin_report, origin_line, report_number, line`.execute(k)
      ).rows;
    const kept = await read();
    expect(kept.length).toBeGreaterThan(20);
    await sql`drop table icr_revision_lines`.execute(k);
    await revisionLinesMigration(tdb.db.dialect)(k);
    expect(await read()).toEqual(kept);
  });
});

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

describe.each(testDialects())('the account through the API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-03-05T10:00:00Z');
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  async function lines() {
    const get = async (q: string, what = 'lines') =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/mbas/XA-F1/${what}?limit=1000&${q}`,
          headers: bearer(t.token('xa-ssac.reviewer')),
        })
      ).json();
    type L = { reportNumber: number; line: number; batch: string; weight: number };
    const effective = await get('effective=true');
    return {
      effective: (effective.lines as L[]).map((l) => `${l.reportNumber}:${l.line}:${l.batch}:${l.weight}`),
      all: ((await get('effective=false')).lines as L[]).map((l) => `${l.reportNumber}:${l.line}`),
      corrected: (
        (await get('', 'corrections')).items as { origin: { reportNumber: number; line: number } }[]
      ).map((e) => `${e.origin.reportNumber}:${e.origin.line}`),
    };
  }

  const codes = (res: { json(): { error: { details: { code: string }[] } } }) =>
    res.json().error.details.map((d) => d.code);

  it('validates corrections, deletions and the book against what is stored', async () => {
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
    }
    const final = await lines();
    // In origin order; the line in force of 1:1 is its correction 2:2; 1:2 is deleted by 3:1.
    expect(final.effective).toEqual(['2:2:A-1:999', '2:1:A-3:1001']);
    expect(final.all).toEqual(['1:1', '1:2', '2:1', '2:2', '3:1']);
    expect(final.corrected).toEqual(['1:1', '1:2']);
    // A-1 is on the book (its correction is in force); A-2's receipt was deleted, so it is not.
    expect(
      codes(await submit(t, 'xa-ssac.submitter', icr(4, '2026-02', [receipt(1, 'A-1', '2026-02-10')]))),
    ).toEqual(['BATCH_REUSED']);
    // A correction of a correction that renames the batch: A-1 leaves the book, A-9 is on it.
    t.clock.current = new Date('2026-04-05T10:00:00Z');
    const rename = icr(4, '2026-03', [
      receipt(1, 'A-9', '2026-02-06', { corrects: { reportNumber: 2, line: 2 } }),
      receipt(2, 'A-2', '2026-03-02'),
    ]);
    expect((await submit(t, 'xa-ssac.submitter', rename)).statusCode).toBe(201);
    expect(
      codes(
        await submit(
          t,
          'xa-ssac.submitter',
          icr(5, '2026-03', [
            receipt(1, 'A-9', '2026-03-03'),
            receipt(2, 'A-1', '2026-03-03'),
            receipt(3, 'A-4', '2026-03-03', { corrects: { reportNumber: 3, line: 7 } }),
          ]),
        ),
      ).sort(),
    ).toEqual(['BATCH_REUSED', 'CORRECTION_TARGET_UNKNOWN']);
    expect((await lines()).effective).toEqual(['4:1:A-9:1001', '2:1:A-3:1001', '4:2:A-2:1002']);
  });
});
