/**
 * The deadline scheduler's passes within a day judge only what the log's new records name
 * (services/notifications/scheduler.ts, docs/decisions/0093). The oracle is the full pass: after
 * every incremental pass of a random history (reports on time and late, refusals, new days, a new
 * MBA, cases opened), a pass that judges every obligation of every state must find nothing left
 * to remind or open.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OBLIGATION_NEUTRAL_KINDS } from '../../src/domain/deadlines/index.js';
import {
  type DurableEventSink,
  type ObligationSource,
  runSchedulerOnce,
  type SchedulerMemo,
  storedObligations,
} from '../../src/services/notifications/index.js';
import { pageStateObligations } from '../../src/services/reports/obligations.js';
import { readChangeMarks, readObligationChanges } from '../../src/store/obligation-changes.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { withLongestStall } from '../fixtures/event-loop.js';
import { seededRandom } from '../fixtures/random.js';
import { icr, initialReport, lastDayOf, submit } from '../fixtures/reports.js';

const MBAS = ['XA-F1', 'XA-S1'] as const;
const MONTHS = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04'] as const;

/** A one-line ICR of `mba` for `month` (a receipt of new material at KMP A). */
function oneLine(mba: string, n: number, month: string, bad = false) {
  return icr(
    n,
    month,
    [
      {
        line: 1,
        date: `${month}-02`,
        code: 'RN',
        batch: `${mba}-B${n}`,
        kmp: 'A',
        element: 'E',
        weight: bad ? -5 : 1000,
        fissileWeight: 40,
        isotope: 'G',
        basis: 'M',
        form: 'U2',
      },
    ],
    { mba },
  );
}

describe.each(testDialects())('deadline scheduler passes within a day (%s)', (dialect) => {
  let t: TestApp;
  let sink: DurableEventSink;
  const numbers = new Map<string, number>();
  /** The MBA's next ICR number; an accepted report takes it (a refused one leaves no gap). */
  const next = (mba: string) => (numbers.get(mba) ?? 0) + 1;
  const took = (mba: string) => numbers.set(mba, next(mba));

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-01T08:00:00Z');
    sink = t.ports.events as DurableEventSink;
    for (const mba of MBAS) {
      const r = await submit(t, 'xa-ssac.submitter', initialReport(mba));
      expect(r.statusCode, r.body).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A full pass (no memo) must find nothing the incremental passes left undone. */
  async function expectNothingLeft(): Promise<void> {
    const full = await runSchedulerOnce(t.ports, sink, storedObligations);
    expect(full.judged).toBeGreaterThan(0);
    expect(full).toMatchObject({ reminders: 0, casesOpened: 0 });
  }

  it('judges everything at first, nothing when nothing changed, and one MBA after its report', async () => {
    const memo: SchedulerMemo = {};
    const first = await runSchedulerOnce(t.ports, sink, storedObligations, memo);
    expect(first.casesOpened).toBeGreaterThan(0);
    // The cases it opened are records of the log, of a kind that changes no obligation.
    expect(await runSchedulerOnce(t.ports, sink, storedObligations, memo)).toEqual({
      reminders: 0,
      overdue: 0,
      casesOpened: 0,
      judged: 0,
    });
    const r = await submit(t, 'xa-ssac.submitter', oneLine('XA-F1', next('XA-F1'), '2026-01'));
    expect(r.statusCode, r.body).toBe(201);
    took('XA-F1');
    const today = t.clock.now().toISOString().slice(0, 10);
    const ofMba = await pageStateObligations(t.ports, 'XA', today, { mba: 'XA-F1', limit: 1, offset: 0 });
    const after = await runSchedulerOnce(t.ports, sink, storedObligations, memo);
    expect(after.judged).toBe(ofMba.total);
    expect(after.judged).toBeLessThan(first.judged);
    await expectNothingLeft();
  }, 120_000);

  it('leaves nothing for a full pass after any step of a random history', async () => {
    const random = seededRandom(dialect === 'sqlite' ? 93 : 94);
    const memo: SchedulerMemo = {};
    await runSchedulerOnce(t.ports, sink, storedObligations, memo);
    const pits = new Map<string, string>();
    let narrowed = 0;
    let actedNarrowed = 0;
    let newMbas = 0;
    for (let step = 0; step < 40; step++) {
      const mba = MBAS[Math.floor(random() * MBAS.length)] as string;
      // A month already over (a report dated after today is refused).
      const today = t.clock.now().toISOString().slice(0, 10);
      const pit = pits.get(mba) ?? '';
      const over = MONTHS.filter((m) => lastDayOf(m) < today && `${m}-01` > pit);
      const month = over[Math.floor(random() * over.length)];
      const roll = random();
      if (month === undefined) {
        t.clock.advance(86_400_000);
      } else if (roll < 0.1) {
        // A physical inventory at the earliest open month's end: its PIT brings the material
        // balance report it owes, often due already.
        const earliest = over[0] as string;
        const n = next(`PIL ${mba}`);
        const r = await submit(t, 'xa-ssac.submitter', {
          type: 'PIL',
          mba,
          reportNumber: n,
          reportDate: lastDayOf(earliest),
          pit: lastDayOf(earliest),
          reportingPerson: 'A. Operator',
          lineCount: 1,
          lines: [
            {
              line: 1,
              batch: `${mba}-P${n}`,
              kmp: 'D',
              element: 'E',
              weight: 1000,
              fissileWeight: 40,
              isotope: 'G',
              basis: 'M',
              form: 'U2',
            },
          ],
        });
        expect(r.statusCode, r.body).toBe(201);
        took(`PIL ${mba}`);
        pits.set(mba, lastDayOf(earliest));
      } else if (roll < 0.4) {
        const r = await submit(t, 'xa-ssac.submitter', oneLine(mba, next(mba), month));
        expect(r.statusCode, r.body).toBe(201);
        took(mba);
      } else if (roll < 0.55) {
        const r = await submit(t, 'xa-ssac.submitter', oneLine(mba, next(mba), month, true));
        expect(r.statusCode, r.body).toBe(422);
      } else if (roll < 0.85) {
        // A new day (sometimes several): what falls due today is judged by a full pass.
        t.clock.advance(Math.ceil(random() * 12) * 86_400_000);
      } else if (roll < 0.92 && newMbas < 2) {
        newMbas++;
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/mbas',
          headers: bearer(t.adminToken),
          payload: { code: `XA-N${newMbas}`, facility: 'XA-FAB', description: 'added mid-history' },
        });
        expect(r.statusCode, r.body).toBe(201);
      } else {
        t.clock.advance(3_600_000);
      }
      const pass = await runSchedulerOnce(t.ports, sink, storedObligations, memo);
      if (pass.judged > 0) {
        const full = await runSchedulerOnce(t.ports, sink, storedObligations);
        if (pass.judged < full.judged) {
          narrowed++;
          if (pass.casesOpened + pass.reminders > 0) actedNarrowed++;
        }
        expect(full).toMatchObject({ reminders: 0, casesOpened: 0 });
      } else await expectNothingLeft();
    }
    // The history had same-day changes that the passes narrowed to their MBAs.
    expect(narrowed).toBeGreaterThan(3);
    // …and some of those narrowed passes had something to do (a PIT's balance report already due).
    expect(actedNarrowed).toBeGreaterThan(0);
  }, 300_000);

  it('names the MBA of a report or refusal, the state of other records, and everything without one', async () => {
    const q = t.ports.db.kysely;
    const start = (await readChangeMarks(q)).log;
    const base = 1_000_000_000 + start;
    const record = (i: number, kind: string, id: string, state: string | null) =>
      sql`insert into records (id, kind, log_index, salt, leaf_id, subject_state, subject_org, created_at, created_by)
        values (${id}, ${kind}, ${base + i}, ${new Uint8Array(16)}, ${`leaf-${base + i}`}, ${state}, null, '2026-01-01T00:00:00.000Z', 't')`.execute(
        q,
      );
    const report = await q
      .selectFrom('reports')
      .select(['id', 'mba'])
      .where('mba', '=', 'XA-S1')
      .executeTakeFirstOrThrow();
    const bad = await submit(t, 'xa-ssac.submitter', oneLine('XA-F1', next('XA-F1'), '2026-03', true));
    expect(bad.statusCode, bad.body).toBe(422);
    const refusal = await q
      .selectFrom('report_rejections')
      .select(['id', 'state', 'mba'])
      .where('mba', '=', 'XA-F1')
      .executeTakeFirstOrThrow();
    expect(refusal.state).toBe('XA');
    // Rows at this test's own indexes, far above the log's.
    await record(0, 'case-transition', 'x-case', 'XB');
    await record(1, 'report', 'x-names-no-report', 'XA');
    await record(2, 'declaration', 'x-decl', 'XC');
    // A report record whose id names no report falls back to its state.
    expect(await readObligationChanges(q, base, base + 3, OBLIGATION_NEUTRAL_KINDS)).toEqual({
      everything: false,
      states: new Set(['XA', 'XC']),
      mbas: new Map(),
    });
    await sql`delete from records where log_index >= ${base}`.execute(q);
    // The report's and the refusal's own records, moved to this test's indexes for the read.
    const moved = await q
      .selectFrom('records')
      .select(['id', 'log_index'])
      .where('id', 'in', [report.id, refusal.id])
      .execute();
    expect(moved).toHaveLength(2);
    const move = (id: string, to: number) =>
      sql`update records set log_index = ${to} where id = ${id}`.execute(q);
    await move(report.id, base);
    await move(refusal.id, base + 1);
    await record(2, 'device-batch', 'x-dev', 'XB');
    expect(await readObligationChanges(q, base, base + 3, OBLIGATION_NEUTRAL_KINDS)).toEqual({
      everything: false,
      states: new Set(),
      mbas: new Map([['XA', new Set(['XA-S1', 'XA-F1'])]]),
    });
    await record(3, 'agreement', 'x-agr', null);
    expect((await readObligationChanges(q, base, base + 4, OBLIGATION_NEUTRAL_KINDS)).everything).toBe(true);
    for (const m of moved) await move(m.id, Number(m.log_index));
    await sql`delete from records where log_index >= ${base}`.execute(q);
  }, 60_000);

  it('gives the event loop a turn while a long pass judges MBA after MBA', async () => {
    // The stored obligations of every state, judged 60 times over: a pass of a few hundred
    // MBAs' real judging. On SQLite every statement is synchronous, so without a pause between
    // them no timer ran until the pass ended (decision 0081's habit).
    const many: ObligationSource = async function* (ports, today, scope) {
      for (let i = 0; i < 60; i++) {
        const once = storedObligations(ports, today, scope);
        for await (const chunk of Symbol.asyncIterator in once ? once : await once) yield chunk;
      }
    };
    // The longest stretch without a timer's turn: what a request waits behind the pass.
    const {
      value,
      ms,
      stallMs: longest,
    } = await withLongestStall(() => runSchedulerOnce(t.ports, sink, many));
    const judged = value.judged;
    const once = (await runSchedulerOnce(t.ports, sink, storedObligations)).judged;
    expect(once).toBeGreaterThan(20);
    expect(judged).toBe(60 * once);
    // An 8 ms slice and the chunk that ends it: ~20 ms of a ~400 ms pass on a quiet machine.
    // Without the pauses, on SQLite, the longest stretch was most of the pass (~390 of ~450 ms).
    // As a share of the pass, so that a loaded machine, which stretches both, does not decide it.
    expect(longest).toBeLessThan(ms / 4);
  }, 60_000);
});
