/**
 * Statements whose plan read a growing table beyond what the answer needs (docs/decisions/0095,
 * found by an audit of every statement's SQLite plan). Each is checked on the plan SQLite makes of
 * the statement as the code runs it: no statistics, as in a deployment, so the plan depends on
 * the schema alone. The case-key statement is also planned on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_STATUSES, type CaseStatus } from '../../src/domain/cases/index.js';
import { shipmentFlows } from '../../src/domain/transfers/index.js';
import {
  type DurableEventSink,
  runSchedulerOnce,
  storedObligations,
} from '../../src/services/notifications/index.js';
import {
  countDeviceAlarms,
  pageAlarms,
  readDeviceAlarmWindow,
  walkTransferAlarms,
} from '../../src/store/alarms.repo.js';
import {
  caseStatusesByKey,
  countUnresolvedCasesOfState,
  pageCases,
  threadRefsAfter,
} from '../../src/store/cases.repo.js';
import { crossCheckAlarmArm, pageCrossCheckFindings } from '../../src/store/declaration-checks.repo.js';
import { witnessRepo } from '../../src/store/fed-witness.repo.js';
import { createFederationRepo, forwardedStatementsQuery } from '../../src/store/federation.repo.js';
import { batchIdsAfter } from '../../src/store/monitoring.repo.js';
import { COUNT_KIND } from '../../src/store/transfer-counts.repo.js';
import { readSegmentRows } from '../../src/store/transfer-list.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { planOf, planOfCompiled, sqliteStatementsDuring } from '../fixtures/plans.js';
import { seededRandom } from '../fixtures/random.js';

const CUTOFFS = { annexII: '2026-01-01', sourceMaterial: '2026-01-01' };

describe('statements that read only what they answer (sqlite plans)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The plans of the statements `f` prepares that mention `table`. */
  async function plansOf(table: string, f: () => Promise<unknown>): Promise<string[]> {
    const texts = await sqliteStatementsDuring(f);
    const mine = texts.filter((s) => s.includes(table));
    expect(mine.length).toBeGreaterThan(0);
    return Promise.all(mine.map(async (s) => (await planOf(t.ports.db, s)).plan));
  }

  it('pages the audit’s walks through case threads and device batches by a range of their key', async () => {
    for (const part of ['case_transitions', 'case_messages'] as const)
      for (const plan of await plansOf(part, () =>
        threadRefsAfter(t.ports.db.kysely, part, { case_id: 'c', seq: 3 }, 10),
      )) {
        expect(plan).toMatch(new RegExp(`SEARCH ${part} USING .*\\(\\(case_id,seq\\)>`));
        expect(plan).not.toMatch(/SCAN /);
      }
    for (const plan of await plansOf('device_batches', () =>
      batchIdsAfter(t.ports.db.kysely, { device: 'd', seq: 3 }, 10),
    )) {
      expect(plan).toMatch(/SEARCH device_batches USING .*\(\(device,seq\)>/);
      expect(plan).not.toMatch(/SCAN /);
    }
  });

  it('finds a forwarded inspection’s statements by a range of the record id, not by reading every received record', async () => {
    for (const plan of await plansOf('fed_inbox', () =>
      createFederationRepo(t.ports.db).forwardedStatements('ins-1'),
    )) {
      expect(plan).toMatch(/SEARCH fed_inbox USING INDEX .*record_id>/);
      expect(plan).not.toMatch(/SCAN fed_inbox/);
    }
  });

  it('lists the alarms of no MBA without reading any MBA’s transfer or device alarms', async () => {
    for (const plan of await plansOf('declaration_items', () =>
      pageAlarms(t.ports.db.kysely, {
        mbas: [],
        balance: [],
        code: undefined,
        unmatchedBefore: '2026-01-01',
        req: { limit: 10, offset: 0 },
        extra: crossCheckAlarmArm(CUTOFFS, { states: 'all' }, 0),
      }),
    )) {
      expect(plan).not.toMatch(/eval_transfers|device_alarms/);
    }
  });

  it('resumes the walk through an MBA’s alarmed rows where the last statement stopped (decision 0100), from the index of its discrepant and notice rows while none of its lone lines is past its deadline (0110)', async () => {
    const k = t.ports.db.kysely;
    const walkPlans = () =>
      plansOf('eval_transfers', async () => {
        const walk = walkTransferAlarms(k, { mba: 'XA-F1', state: 'XA' }, undefined, '2026-01-01');
        for await (const rows of walk) rows.length = 0;
      });
    const within = await walkPlans();
    // A lone line of XA-F1 dated before the cutoff, as the counts keep it.
    await k
      .insertInto('eval_transfer_counts')
      .values({ mba: 'XA-F1', kind: COUNT_KIND.lone, day: '2025-12-31', element: 'E', n: 1 })
      .execute();
    try {
      const past = await walkPlans();
      for (const [plans, index] of [
        [within, 'eval_transfers_flagged'],
        [past, 'eval_transfers_alarmed'],
      ] as const) {
        expect(plans.length).toBeGreaterThan(0);
        for (const plan of plans) {
          expect(plan).toMatch(
            new RegExp(
              `SEARCH t USING INDEX ${index} \\(mba=\\? AND \\(origin_report,origin_line\\)>\\(\\?,\\?\\)\\)`,
            ),
          );
          expect(plan).not.toMatch(/TEMP B-TREE/);
        }
      }
    } finally {
      await k.deleteFrom('eval_transfer_counts').where('mba', '=', 'XA-F1').execute();
    }
  });

  it('reads the view’s devices’ alarms on the alarms’ key, never every device alarm (decision 0097)', async () => {
    const k = t.ports.db.kysely;
    const xa = { mba: 'XA-F1', state: 'XA' };
    const plans = await plansOf('device_alarms', async () => {
      await countDeviceAlarms(k, ['XA-F1', 'XA-S1'], undefined);
      await countDeviceAlarms(k, ['XA-F1'], 'SEAL_OPENED');
      await readDeviceAlarmWindow(k, xa, undefined, 0, 10);
      await readDeviceAlarmWindow(k, xa, 'SEAL_OPENED', 5, 10);
      await pageAlarms(k, {
        mbas: [xa],
        balance: [],
        code: undefined,
        unmatchedBefore: '2026-01-01',
        req: { limit: 10, offset: 0, sort: 'date' },
      });
    });
    expect(plans.length).toBe(5);
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH d USING (COVERING )?INDEX sqlite_autoindex_device_alarms_1 \(device=\?/);
      expect(plan).not.toMatch(/SCAN d\b/);
      // The devices are those of the MBAs' facilities, found by the facility's index.
      expect(plan).toMatch(/SEARCH dvc USING INDEX devices_facility \(facility=\?\)/);
    }
  });

  it('lists and counts a viewer’s cases of one status from its own index, in the list’s order', async () => {
    const state = await plansOf('cases', () =>
      pageCases(
        t.ports.db.kysely,
        { kind: 'state', state: 'XA' },
        { status: 'open' },
        { limit: 10, offset: 0 },
      ),
    );
    for (const plan of state) {
      expect(plan).toMatch(
        /SEARCH cases USING (COVERING )?INDEX cases_state_status \(state=\? AND status=\?\)/,
      );
      expect(plan).not.toMatch(/cases_status\b/);
    }
    const agency = await plansOf('cases', () =>
      pageCases(
        t.ports.db.kysely,
        { kind: 'inspectorate', inspectorate: 'agency', states: 'all' },
        { status: 'open' },
        { limit: 10, offset: 0 },
      ),
    );
    // Its own cases of the status from its own index; the cases shared with it by their ids.
    for (const plan of agency) expect(plan).not.toMatch(/cases_status\b/);
    expect(agency.join('\n')).toMatch(/cases_inspectorate_status \(inspectorate=\? AND status=\?\)/);
    expect(agency.join('\n')).toMatch(/SEARCH cases USING INDEX sqlite_autoindex_cases_1 \(id=\?\)/);
    for (const plan of await plansOf('cases', () => countUnresolvedCasesOfState(t.ports.db.kysely, 'XA')))
      expect(plan).toMatch(
        /SEARCH cases USING (COVERING )?INDEX cases_state_status \(state=\? AND status=\?\)/,
      );
  });

  it('walks each part of a viewer’s cases in the list’s order, never sorting every case (decision 0106)', async () => {
    const q = t.ports.db.kysely;
    const admin = await plansOf('cases', () => pageCases(q, 'admin', {}, { limit: 10, offset: 0 }));
    // The page walks the newest-first index and stops; the count reads an index, not the rows.
    expect(admin.join('\n')).toMatch(/SCAN cases USING (COVERING )?INDEX cases_newest/);
    for (const plan of admin) expect(plan).not.toMatch(/TEMP B-TREE/);
    const regional = await plansOf('cases', () =>
      pageCases(
        q,
        { kind: 'inspectorate', inspectorate: 'rsa', states: ['XA', 'XB', 'XC'] },
        {},
        { limit: 10, offset: 5 },
      ),
    );
    // One part per state of its scope, each a range of its own index; the merge sorts at most
    // 3 × 15 rows.
    const page = regional.find((p) => p.includes('UNION ALL') || p.includes('COMPOUND')) ?? '';
    expect(
      page.match(/SEARCH cases USING INDEX cases_inspectorate_state \(inspectorate=\? AND state=\?\)/g),
    ).toHaveLength(3);
    for (const plan of regional) expect(plan).not.toMatch(/SCAN cases\b/);
  });

  it('pages another state’s MBA’s paired shipments under two flows by merging two index reads', async () => {
    const sqlite = t.ports.db.sqlite;
    if (sqlite === undefined) throw new Error('SQLite expected');
    const flows = shipmentFlows('XA', 'XB');
    const row =
      sqlite.prepare(`insert into eval_transfers (mkey, mba, origin_report, origin_line, ship, status,
        notice, flow) values (?, 'XA-S1', 900, ?, 1, ?, null, ?)`);
    const line = sqlite.prepare(`insert into report_lines (report_id, line, date, code, batch, kmp, element,
        weight_mg) values ('XA-S1:ICR:900', ?, '2026-01-05', 'SF', ?, 'B', 'E', 1000)`);
    sqlite.transaction(() => {
      for (let i = 1; i <= 40; i++) {
        row.run(1_000_000 + i, i, i % 7 === 0 ? 1 : 0, flows[i % 3 === 0 ? 1 : 0]);
        line.run(i, `S-${i}`);
      }
    })();
    const seg = { mba: 'XA-S1', ship: true, status: 'paired' as const, flows };
    const q = t.ports.db.kysely;
    // Planned as the code first runs it (a statement text is prepared once).
    for (const plan of await plansOf('eval_transfers', () => readSegmentRows(q, seg, '2026-03-01', 0, 7))) {
      expect(plan).toMatch(/MERGE \(UNION ALL\)/);
      expect(
        plan.match(/SEARCH s USING INDEX eval_transfers_flow_origin \(flow=\? AND mba=\?\)/g),
      ).toHaveLength(2);
    }
    const whole = (await readSegmentRows(q, seg, '2026-03-01', 0, 1000)).map((r) => r.line);
    expect(whole).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const paged: number[] = [];
    for (let offset = 0; offset < 40; offset += 7)
      paged.push(...(await readSegmentRows(q, seg, '2026-03-01', offset, 7)).map((r) => r.line));
    expect(paged).toEqual(whole);
    const matched = (await readSegmentRows(q, { ...seg, status: 'matched' }, '2026-03-01', 0, 1000)).map(
      (r) => r.line,
    );
    expect(matched).toEqual(whole.filter((i) => i % 7 !== 0));
  });

  it('matches the declarations’ items once, not once per item', async () => {
    for (const plan of await plansOf('declaration_items', () =>
      pageCrossCheckFindings(t.ports.db.kysely, CUTOFFS, { states: 'all' }, { limit: 10, offset: 0 }),
    )) {
      // The matched pairs are built once (a table SQLite keeps for the statement); per item only
      // a look-up in them. Flattened into the per-item subquery, they were matched again for each.
      expect(plan).toMatch(/SEARCH p1 USING AUTOMATIC COVERING INDEX \(edid=\? AND eidx=\?\)/);
      expect(plan).toMatch(/SEARCH p1 USING AUTOMATIC COVERING INDEX \(idid=\? AND iidx=\?\)/);
    }
  });
});

describe.each(testDialects())('the witness exchange’s heads (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, {});
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('answers each origin’s largest checkpoints in force, page by page, as the one statement did', async () => {
    const q = t.ports.db.kysely;
    const random = seededRandom(dialect === 'sqlite' ? 95 : 96);
    const rows = [];
    for (let o = 0; o < 12; o++)
      for (let size = 1; size <= 30; size++)
        for (const root of random() < 0.1 ? ['r-a', 'r-b'] : ['r-a']) {
          const retired = random() < 0.3 ? '2026-01-02T00:00:00.000Z' : null;
          rows.push({
            origin: `log-${String(o).padStart(2, '0')}.test/log`,
            size,
            root: `${root}-${size}`,
            note: `note ${o} ${size} ${root}`,
            cosignature: null,
            via: 'test',
            seen_at: '2026-01-01T00:00:00.000Z',
            retired_at: o === 5 ? '2026-01-02T00:00:00.000Z' : retired,
          });
        }
    for (let i = 0; i < rows.length; i += 100)
      await q
        .insertInto('fed_checkpoints')
        .values(rows.slice(i, i + 100))
        .execute();
    // The statement before decision 0095, as the oracle.
    const oracle = async (after: string, limit: number) =>
      (
        await q
          .selectFrom('fed_checkpoints as c')
          .select(['c.origin', 'c.size', 'c.root'])
          .where('c.retired_at', 'is', null)
          .where('c.origin', '>', after)
          .where((eb) =>
            eb(
              'c.size',
              '=',
              eb
                .selectFrom('fed_checkpoints as d')
                .select((x) => x.fn.max('d.size').as('m'))
                .whereRef('d.origin', '=', 'c.origin')
                .where('d.retired_at', 'is', null),
            ),
          )
          .orderBy('c.origin')
          .orderBy('c.root')
          .limit(limit)
          .execute()
      ).map((r) => `${r.origin} ${Number(r.size)} ${r.root}`);
    const repo = witnessRepo(q);
    for (const after of ['', 'log-03.test/log', 'log-04.test/log', 'log-11.test/log', 'zzz'])
      for (const limit of [1, 2, 3, 7, 100]) {
        const got = (await repo.headsPage(after, limit)).map(
          (r) => `${r.origin} ${Number(r.size)} ${r.root}`,
        );
        expect(got).toEqual(await oracle(after, limit));
      }
    expect((await repo.headsPage('', 100)).some((r) => r.origin === 'log-05.test/log')).toBe(false);
  }, 60_000);
});

describe.each(testDialects())('case statuses by key (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('lists each status of each viewer’s cases exactly as the whole list filtered by it', async () => {
    const q = t.ports.db.kysely;
    await runSchedulerOnce(t.ports, t.ports.events as DurableEventSink, storedObligations);
    const ids = (await q.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(10);
    expect(
      Number(
        (
          await q
            .selectFrom('case_shares')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      ),
    ).toBeGreaterThan(0);
    for (const [i, id] of ids.entries())
      await q
        .updateTable('cases')
        .set({ status: CASE_STATUSES[i % CASE_STATUSES.length] as CaseStatus })
        .where('id', '=', id)
        .execute();
    const viewers = [
      'admin',
      { kind: 'state', state: 'XA' },
      { kind: 'inspectorate', inspectorate: 'agency', states: 'all' },
      { kind: 'inspectorate', inspectorate: 'rsa', states: ['XA'] },
      { kind: 'inspectorate', inspectorate: 'rsa', states: 'all' },
    ] as const;
    for (const viewer of viewers) {
      const all = await pageCases(q, viewer, {}, { limit: 10_000, offset: 0 });
      expect(all.total).toBe(all.rows.length);
      for (const status of CASE_STATUSES) {
        const page = await pageCases(q, viewer, { status }, { limit: 10_000, offset: 0 });
        const wanted = all.rows.filter((r) => r.status === status);
        expect(page.rows.map((r) => r.id)).toEqual(wanted.map((r) => r.id));
        expect(page.total).toBe(wanted.length);
      }
    }
  }, 120_000);

  it('reads the cases of the keys asked, by the key’s index, whatever their status', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `deadline:XA:k${i}`);
    const { plan } = await planOfCompiled(t.ports.db, caseStatusesByKey(t.ports.db.kysely, keys).compile());
    expect(plan).toMatch(/cases_key/);
    expect(plan).not.toMatch(/cases_status/);
  });
});

describe.each(testDialects())('a forwarded inspection’s statements (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, {});
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('finds exactly its statements, by its own index on PostgreSQL too (decision 0099)', async () => {
    const q = t.ports.db.kysely;
    // Ids with LIKE's wildcards, and one that is a prefix of another's.
    const inspections = ['ins-1', 'ins-10', 'ins_2', 'ins%3', 'insX2'];
    const rows = [];
    let idx = 0;
    for (const ins of inspections)
      for (let n = 0; n < 4; n++)
        for (const kind of ['inspection-statement', 'report'])
          rows.push({
            source: 'peer.test/log',
            idx: idx++,
            peer_id: 'p',
            record_id: `${kind}:${ins}:${n}`,
            kind,
            state: 'XA',
            leaf: new Uint8Array([1]),
            leaf_hash: `h${idx}`,
            salt: new Uint8Array([2]),
            proof: '[]',
            received_index: 1000 - idx,
            received_at: '2026-01-01T00:00:00.000Z',
            content: null,
          });
    await q.insertInto('fed_inbox').values(rows).execute();
    const repo = createFederationRepo(t.ports.db);
    for (const ins of inspections) {
      const got = await repo.forwardedStatements(ins);
      expect(got.map((r) => r.record_id)).toEqual(
        rows
          .filter(
            (r) =>
              r.kind === 'inspection-statement' && r.record_id.startsWith(`inspection-statement:${ins}:`),
          )
          .sort((a, b) => a.received_index - b.received_index)
          .map((r) => r.record_id),
      );
      expect(got).toHaveLength(4);
    }
    if (dialect === 'postgres') {
      const { plan } = await planOfCompiled(
        t.ports.db,
        forwardedStatementsQuery(q, 'inspection-statement:ins_2:').compile(),
      );
      expect(plan).toMatch(/fed_inbox_statement_ids/);
      expect(plan).toMatch(/Index Cond: .*record_id ~>=~/);
    }
  });
});
