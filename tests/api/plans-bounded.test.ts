/**
 * Statements whose plan read a growing table beyond what the answer needs (docs/decisions/0095,
 * found by an audit of every statement's SQLite plan). Each is checked on the plan SQLite makes of
 * the statement as the code runs it: no statistics, as in a deployment, so the plan depends on
 * the schema alone. The case-key statement is also planned on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageAlarms } from '../../src/store/alarms.repo.js';
import { caseStatusesByKey, threadRefsAfter } from '../../src/store/cases.repo.js';
import { crossCheckAlarmArm, pageCrossCheckFindings } from '../../src/store/declaration-checks.repo.js';
import { createFederationRepo } from '../../src/store/federation.repo.js';
import { batchIdsAfter } from '../../src/store/monitoring.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { planOfCompiled, sqlitePlanOf, sqliteStatementsDuring } from '../fixtures/plans.js';

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
    return mine.map((s) => sqlitePlanOf(t.ports.db, s));
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

describe.each(testDialects())('case statuses by key (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('reads the cases of the keys asked, by the key’s index, whatever their status', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `deadline:XA:k${i}`);
    const { plan } = await planOfCompiled(t.ports.db, caseStatusesByKey(t.ports.db.kysely, keys).compile());
    expect(plan).toMatch(/cases_key/);
    expect(plan).not.toMatch(/cases_status/);
  });
});
