import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../src/log/index.js';
import { createEvaluationService } from '../../src/services/evaluation/index.js';
import { readWholeView } from '../../src/services/evaluation/transfer-segments.js';
import { readAllMatches } from '../../src/services/evaluation/transfers.js';
import { FirstRows, pageInMemory } from '../../src/services/page-memory.js';
import { readMbaFacts } from '../../src/store/accounting.repo.js';
import { insertAlarms } from '../../src/store/monitoring.repo.js';
import type { TransferListFilter } from '../../src/store/transfer-list.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit, transferLine } from '../fixtures/reports.js';

interface Alarm {
  code: string;
  state: string;
  mba: string;
  date: string;
  ref: string | null;
}
interface Side {
  state: string;
  mba?: string;
  date?: string;
}
interface Transfer {
  status: string;
  batch: string;
  shipment: Side | null;
  receipt: Side | null;
}
interface PageOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A transfer line of enriched uranium; `to` is the other side's MBA (its state is its prefix). */
/**
 * GET /api/alarms and GET /api/transfers page, sort and filter on the server
 * (docs/decisions/0007): after the caller's scope, so neither `total` nor `q` reveals what the
 * caller may not see. XA-F1 ships five batches to XA-S1 that never arrive (five
 * TRANSFER_UNMATCHED alarms) and receives one batch from Borduria's XB-F1.
 */
describe.each(testDialects())('paged alarms and transfers on %s', (dialect) => {
  let t: TestApp;
  const UNMATCHED = ['U-1', 'U-2', 'U-3', 'U-4', 'U-5'];
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    const ok = async (login: string, body: object) => {
      const res = await submit(t, login, body);
      expect(res.statusCode, res.body).toBe(201);
    };
    await ok('xa-ssac.submitter', initialReport('XA-F1'));
    await ok('xa-ssac.submitter', initialReport('XA-S1'));
    await ok('xb-ssac.submitter', initialReport('XB-F1'));
    await ok('xb-ssac.submitter', {
      ...icr(1, '2026-01', [transferLine(1, '2026-01-15', 'SD', 'XB-SHIP', 'A', 'XA-F1')]),
      mba: 'XB-F1',
    });
    await ok(
      'xa-ssac.submitter',
      icr(1, '2026-01', [
        // Shipped on the 2nd … 6th, in an order that is neither by date nor by batch.
        transferLine(1, '2026-01-04', 'SD', 'U-3', 'B', 'XA-S1'),
        transferLine(2, '2026-01-02', 'SD', 'U-1', 'B', 'XA-S1'),
        transferLine(3, '2026-01-06', 'SD', 'U-5', 'B', 'XA-S1'),
        transferLine(4, '2026-01-03', 'SD', 'U-2', 'B', 'XA-S1'),
        transferLine(5, '2026-01-05', 'SD', 'U-4', 'B', 'XA-S1'),
        transferLine(6, '2026-01-16', 'RD', 'XB-SHIP', 'A', 'XB-F1'),
      ]),
    );
    // Past the receiver's grace period: the five shipments are unmatched.
    t.clock.current = new Date('2026-04-03T10:00:00Z');
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  const request = (url: string, login = 'agency.inspector') =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  async function get<T>(url: string, login?: string): Promise<PageOf<T>> {
    const res = await request(url, login);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  /** Every page of a list, `limit` rows at a time. */
  async function pages<T>(url: string, limit: number, login?: string): Promise<{ rows: T[]; total: number }> {
    const rows: T[] = [];
    let total = 0;
    for (let offset = 0; offset === 0 || offset < total; offset += limit) {
      const p = await get<T>(`${url}${url.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`, login);
      expect(p).toMatchObject({ limit, offset });
      expect(p.items.length).toBe(Math.min(limit, Math.max(0, p.total - offset)));
      rows.push(...p.items);
      total = p.total;
    }
    return { rows, total };
  }
  const unmatched = '/api/alarms?mba=XA-F1&code=TRANSFER_UNMATCHED';

  it('pages the alarms, sorted either way, without overlap', async () => {
    const all = await get<Alarm>(unmatched);
    expect(all.total).toBe(5);
    // The count travels with the page's rows; a page past the end, which has none, still has it.
    expect(await get<Alarm>(`${unmatched}&offset=7`)).toMatchObject({ items: [], total: 5, offset: 7 });
    const asc = await pages<Alarm>(`${unmatched}&sort=date`, 2);
    expect(asc.total).toBe(5);
    expect(asc.rows.map((a) => a.date)).toEqual([
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
      '2026-01-06',
    ]);
    const desc = await pages<Alarm>(`${unmatched}&sort=-date`, 2);
    expect(desc.rows.map((a) => a.date)).toEqual(asc.rows.map((a) => a.date).reverse());
    // Without sort the pages keep the list's own order.
    expect((await pages<Alarm>(unmatched, 2)).rows).toEqual(all.items);
    // Ties keep it too: every row has the same code, so sorting by code changes nothing.
    expect((await get<Alarm>(`${unmatched}&sort=code`)).items).toEqual(all.items);
    expect((await get<Alarm>(`${unmatched}&sort=-code`)).items).toEqual(all.items);
  });

  it('filters the alarms by a case-insensitive substring after the other filters', async () => {
    const ref = (await get<Alarm>(`${unmatched}&sort=date`)).items[0]?.ref;
    expect(ref).toMatch(/^XA-F1\//);
    const hit = await get<Alarm>(`/api/alarms?q=${encodeURIComponent(String(ref).toLowerCase())}`);
    expect(hit.items.map((a) => a.ref)).toEqual([ref]);
    expect(hit.total).toBe(1);
    expect((await get<Alarm>('/api/alarms?code=TRANSFER_UNMATCHED&q=transfer_unm')).total).toBe(5);
    expect((await get<Alarm>(`${unmatched}&q=no-such-thing`)).total).toBe(0);
  });

  it('counts, sorts and filters only the alarms in the caller’s scope', async () => {
    const xb = await get<Alarm>('/api/alarms?limit=1000', 'xb-ssac.submitter');
    expect(xb.items.every((a) => a.state === 'XB')).toBe(true);
    expect(xb.total).toBe(xb.items.length);
    const agencyXb = await get<Alarm>('/api/alarms?state=XB&limit=1000');
    expect(xb.total).toBe(agencyXb.total);
    // Arcadia's alarms neither match Borduria's filter nor count in its total.
    expect((await get<Alarm>('/api/alarms?q=XA-F1', 'xb-ssac.submitter')).total).toBe(0);
    expect((await get<Alarm>('/api/alarms?mba=XA-F1', 'xb-ssac.submitter')).total).toBe(0);
    expect((await get<Alarm>('/api/alarms?q=XA-F1', 'xa-ssac.reviewer')).total).toBeGreaterThanOrEqual(5);
  });

  it('sums the alarms per state and code in the caller’s scope (the overview’s counts)', async () => {
    type Summary = {
      total: number;
      states: { state: string; total: number; codes: Record<string, number> }[];
    };
    const summary = async (login: string): Promise<Summary> => {
      const res = await request('/api/alarms/summary', login);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const all = await summary('agency.inspector');
    expect(all.total).toBe((await get<Alarm>('/api/alarms?limit=1')).total);
    for (const line of all.states) {
      const listed = await get<Alarm>(`/api/alarms?state=${line.state}&limit=1000`);
      expect(line.total, line.state).toBe(listed.total);
      const codes: Record<string, number> = {};
      for (const a of listed.items) codes[a.code] = (codes[a.code] ?? 0) + 1;
      expect(line.codes, line.state).toEqual(codes);
    }
    expect(all.states.find((x) => x.state === 'XA')?.codes.TRANSFER_UNMATCHED).toBeGreaterThanOrEqual(5);
    // A state's summary holds its own line only.
    const xb = await summary('xb-ssac.submitter');
    expect(xb.states.map((x) => x.state).filter((x) => x !== 'XB')).toEqual([]);
    expect(xb.total).toBe((await get<Alarm>('/api/alarms?limit=1', 'xb-ssac.submitter')).total);
  });

  it('pages the transfers sorted by batch and date, and keeps its order without sort', async () => {
    const all = await get<Transfer>('/api/transfers?limit=1000');
    expect(all.total).toBe(6);
    const byBatch = await pages<Transfer>('/api/transfers?sort=batch', 4);
    expect(byBatch.rows.map((m) => m.batch)).toEqual([...UNMATCHED, 'XB-SHIP']);
    const byBatchDesc = await get<Transfer>('/api/transfers?sort=-batch&limit=2');
    expect(byBatchDesc).toMatchObject({ total: 6, limit: 2, offset: 0 });
    expect(byBatchDesc.items.map((m) => m.batch)).toEqual(['XB-SHIP', 'U-5']);
    // By the shipment's date: U-1 (2 Jan) … U-5 (6 Jan), then XB-SHIP (15 Jan).
    const byDate = await pages<Transfer>('/api/transfers?sort=date', 5);
    expect(byDate.rows.map((m) => m.batch)).toEqual(['U-1', 'U-2', 'U-3', 'U-4', 'U-5', 'XB-SHIP']);
    expect((await pages<Transfer>('/api/transfers', 4)).rows).toEqual(all.items);
    const byStatus = await get<Transfer>('/api/transfers?sort=status&status=unmatched');
    expect(byStatus.total).toBe(5);
    expect(byStatus.items.every((m) => m.status === 'unmatched')).toBe(true);
  });

  it('reads a view whole for q or an order no index holds only up to a bound, and says how to narrow it', async () => {
    // Sorted over the whole view: ties in list order.
    const batches = async (url: string) => (await get<Transfer>(url)).items.map((x) => x.batch);
    expect(await batches('/api/transfers?sort=-batch')).toEqual([
      'XB-SHIP',
      'U-5',
      'U-4',
      'U-3',
      'U-2',
      'U-1',
    ]);
    // The list's own order (lines 1-5 of XA-F1, then XB-F1's shipment): one element, so also its
    // order by element.
    const listOrder = ['U-3', 'U-1', 'U-5', 'U-2', 'U-4', 'XB-SHIP'];
    expect(await batches('/api/transfers?sort=element')).toEqual(listOrder);
    const q = t.ports.db.kysely;
    const filter: TransferListFilter = {
      mbas: (await readMbaFacts(q)).map((m) => ({ mba: m.code, state: m.state })),
      scope: 'all',
      state: undefined,
      status: undefined,
      unmatchedBefore: '2026-03-01',
    };
    // Six listed (five lone shipments and one pair), in list order, within a bound of six.
    expect((await readWholeView(q, filter, 'sort', 6)).map((r) => r.held.batch)).toEqual(listOrder);
    for (const reason of ['sort', 'q'] as const) {
      const refused = await readWholeView(q, filter, reason, 5).catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [
          { field: `querystring.${reason}`, code: 'FIELD_INVALID', rule: 'listTooLong', values: { max: 5 } },
        ],
      });
    }
    // Narrowed by status, the view is short enough.
    expect(
      (await readWholeView(q, { ...filter, status: 'matched' }, 'q', 5)).map((r) => r.held.batch),
    ).toEqual(['XB-SHIP']);
  });

  it('lets q match only the side of a transfer the caller may see', async () => {
    // The inspectorate sees both sides: Borduria's shipping MBA matches.
    const agency = await get<Transfer>('/api/transfers?q=xb-f1');
    expect(agency.items.map((m) => m.batch)).toEqual(['XB-SHIP']);
    // Arcadia sees its receipt and only the state of Borduria's shipment: its MBA must not match.
    expect((await get<Transfer>('/api/transfers?q=xb-f1', 'xa-ssac.reviewer')).total).toBe(0);
    const xa = await get<Transfer>('/api/transfers?q=xb-ship', 'xa-ssac.reviewer');
    expect(xa.total).toBe(1);
    expect(xa.items[0]?.shipment).toEqual({ state: 'XB' });
    // Borduria sees only the transfer it is part of, and none of Arcadia's internal ones.
    const xb = await get<Transfer>('/api/transfers?limit=1000', 'xb-ssac.submitter');
    expect(xb.items.map((m) => m.batch)).toEqual(['XB-SHIP']);
    expect(xb.total).toBe(1);
    expect((await get<Transfer>('/api/transfers?q=XA-S1', 'xb-ssac.submitter')).total).toBe(0);
    expect((await get<Transfer>('/api/transfers?q=xa-f1', 'xb-ssac.submitter')).total).toBe(0);
  });

  it('walks the transfers in chunks of whole key groups: any step gives the same matches', async () => {
    const asOf = t.clock.now().toISOString().slice(0, 10);
    const whole = await readAllMatches(t.ports.db.kysely, asOf);
    expect(whole.length).toBeGreaterThan(5);
    for (const step of [1, 2, 3]) expect(await readAllMatches(t.ports.db.kysely, asOf, step)).toEqual(whole);
  });

  it('refuses an unknown sort field, a bad window or an over-long filter with 400 VALIDATION_FAILED', async () => {
    for (const [url, field] of [
      ['/api/alarms?sort=weight', 'querystring.sort'],
      ['/api/alarms?sort=--date', 'querystring.sort'],
      ['/api/alarms?limit=0', 'querystring.limit'],
      ['/api/alarms?limit=1001', 'querystring.limit'],
      [`/api/alarms?q=${'x'.repeat(101)}`, 'querystring.q'],
      ['/api/transfers?sort=srd_sigma', 'querystring.sort'],
      ['/api/transfers?offset=-1', 'querystring.offset'],
      // A text filter walks every transfer and keeps offset + limit rows: only so deep.
    ] as const) {
      const res = await request(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.json().error.details), url).toContain(field);
    }
  });
});

/**
 * GET /api/alarms in its own order reads by segments (decision 0085): per MBA its balance alarms,
 * its transfer and notice alarms walked in origin order (500 rows, then 1 000, …), its devices' alarms,
 * then the alarms of no MBA. The one statement that orders every alarm (the path of a sort) is the
 * oracle: sorted by a field every listed alarm shares (the state filtered on, or the code), its
 * ties keep the list's order, so both must list the same rows, page for page — here over 1 100
 * unmatched shipments of one MBA, past the walk's first statement, with notice findings among them.
 */
describe.each(testDialects())('alarms by segments on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    for (const [login, mba] of [
      ['xa-ssac.submitter', 'XA-F1'],
      ['xa-ssac.submitter', 'XA-S1'],
      ['xb-ssac.submitter', 'XB-F1'],
    ] as const) {
      expect((await submit(t, login, initialReport(mba))).statusCode).toBe(201);
    }
    // XA-F1 ships 1 100 batches that never arrive, in an order that is not by date; every tenth
    // is an export to Borduria without its notice (NOTICE_MISSING beside TRANSFER_UNMATCHED).
    const lines = Array.from({ length: 1100 }, (_, i) => {
      const date = `2026-01-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`;
      if (i % 10 !== 9) return transferLine(i + 1, date, 'SD', `S-${i}`, 'B', 'XA-S1');
      // 2 kg of plutonium (2 ekg), over the advance notice's threshold (domain.md §2).
      return {
        ...transferLine(i + 1, date, 'SF', `S-${i}`, 'B', 'XB-F1'),
        element: 'P',
        isotope: undefined,
        fissileWeight: undefined,
        form: 'PH',
        weight: 2000,
      };
    });
    const res = await submit(t, 'xa-ssac.submitter', icr(1, '2026-01', lines));
    expect(res.statusCode, res.body).toBe(201);
    await raiseDeviceAlarms();
    t.clock.current = new Date('2026-04-03T10:00:00Z');
  }, 120_000);

  /**
   * Monitoring devices and their alarms (decision 0097): XA-S1 gets two devices by their
   * facility, XA-F1 one by its KMP, XB-F1 one; 200 alarms in all, at times not in device order.
   * The alarms are stored as ingestion stores them (insertAlarms), the list reads them as stored.
   */
  const DEVICES = [
    { id: 'T-SEAL-1', facility: 'XA-STO', mba: 'XA-S1', state: 'XA' },
    { id: 'T-CAM-1', facility: 'XA-STO', mba: 'XA-S1', state: 'XA' },
    { id: 'T-RAD-1', facility: 'XA-FAB', kmp: 'B', mba: 'XA-F1', state: 'XA' },
    { id: 'T-SEAL-2', facility: 'XB-FAB', mba: 'XB-F1', state: 'XB' },
  ] as const;
  const DEVICE_CODES = ['DEVICE_SILENT', 'SEAL_OPENED', 'GATE_MISMATCH'];
  const deviceAlarms: { device: string; code: string; at: string; mba: string; state: string }[] = [];
  async function raiseDeviceAlarms(): Promise<void> {
    for (const [i, d] of DEVICES.entries()) {
      const reg = await t.app.inject({
        method: 'POST',
        url: '/api/devices',
        headers: bearer(t.adminToken),
        payload: {
          id: d.id,
          kind: 'seal',
          facility: d.facility,
          ...('kmp' in d ? { kmp: d.kmp } : {}),
          owners: ['agency'],
          publicKey: Buffer.from(ed25519PublicKey(new Uint8Array(32).fill(40 + i))).toString('base64'),
          heartbeatSeconds: 3600,
        },
      });
      expect(reg.statusCode, reg.body).toBe(201);
    }
    for (let i = 0; i < 200; i++) {
      const d = DEVICES[(i * 7) % DEVICES.length] as (typeof DEVICES)[number];
      const at = new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 200) * 3_600_000).toISOString();
      deviceAlarms.push({
        device: d.id,
        code: DEVICE_CODES[i % 3] as string,
        at,
        mba: d.mba,
        state: d.state,
      });
    }
    await insertAlarms(
      t.ports.db.kysely,
      deviceAlarms.map((a) => ({
        device: a.device,
        code: a.code,
        at: a.at,
        state: a.state,
        detail: 'test',
        raised_at: a.at,
        case_opened: 1,
      })),
    );
  }

  /** An MBA's device alarms as the list orders them (time, device, code), from the test's own rows. */
  const devicesOf = (mba: string, code?: string) =>
    deviceAlarms
      .filter((a) => a.mba === mba && (code === undefined || a.code === code))
      .sort((a, b) =>
        a.at < b.at
          ? -1
          : a.at > b.at
            ? 1
            : a.device < b.device
              ? -1
              : a.device > b.device
                ? 1
                : a.code < b.code
                  ? -1
                  : 1,
      )
      .map((a) => ({ code: a.code, mba: a.mba, state: a.state, ref: a.device, date: a.at.slice(0, 10) }));
  afterAll(async () => {
    await t.close();
  });

  async function list(
    url: string,
    limit: number,
    login = 'agency.inspector',
  ): Promise<{ rows: Alarm[]; total: number }> {
    const rows: Alarm[] = [];
    let total = 0;
    for (let offset = 0; offset === 0 || offset < total; offset += limit) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${url}${url.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`,
        headers: bearer(t.token(login)),
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as PageOf<Alarm>;
      expect(page.items.length).toBe(Math.min(limit, Math.max(0, page.total - offset)));
      rows.push(...page.items);
      total = page.total;
    }
    return { rows, total };
  }

  it('lists what the one statement lists, page for page, for each state, code and caller', async () => {
    const codes = ['TRANSFER_UNMATCHED', 'NOTICE_MISSING', 'SRD_3SIGMA', 'MUF_3SIGMA', ...DEVICE_CODES];
    let seen = 0;
    for (const [login, state] of [
      ['agency.inspector', 'XA'],
      ['agency.inspector', 'XB'],
      ['xa-ssac.reviewer', 'XA'],
    ] as const) {
      const oracle = await list(`/api/alarms?state=${state}&sort=state`, 1000, login);
      for (const limit of [1000, 333, 97]) {
        expect(await list(`/api/alarms?state=${state}`, limit, login), `${login} ${state} ${limit}`).toEqual(
          oracle,
        );
      }
      for (const code of codes) {
        const byCode = await list(`/api/alarms?state=${state}&code=${code}&sort=code`, 1000, login);
        expect(await list(`/api/alarms?state=${state}&code=${code}`, 250, login)).toEqual(byCode);
        expect(byCode.rows.filter((a) => a.code === code).length).toBe(byCode.total);
      }
      seen += oracle.total;
    }
    const xa = await list('/api/alarms?mba=XA-F1&code=TRANSFER_UNMATCHED', 1000);
    expect(xa.total).toBe(1100);
    expect((await list('/api/alarms?mba=XA-F1&code=NOTICE_MISSING', 1000)).total).toBe(110);
    const ofState = (state: string) => deviceAlarms.filter((a) => a.state === state).length;
    expect(seen).toBe(2 * (1210 + ofState('XA')) + ofState('XB'));
    // Each MBA's device alarms, whole and by code, are the devices' own rows in the list's order.
    for (const mba of ['XA-S1', 'XA-F1', 'XB-F1'])
      for (const code of [undefined, ...DEVICE_CODES]) {
        const expected = devicesOf(mba, code);
        expect(expected.length).toBeGreaterThan(0);
        const listed = await list(`/api/alarms?mba=${mba}${code ? `&code=${code}` : ''}`, 17);
        const ofDevices = listed.rows.filter((a) => a.ref?.startsWith('T-'));
        expect(
          ofDevices.map((a) => ({ code: a.code, mba: a.mba, state: a.state, ref: a.ref, date: a.date })),
          `${mba} ${code}`,
        ).toEqual(expected);
      }
    // The overview's counts are the list's, device alarms included.
    const summary = (
      await t.app.inject({
        method: 'GET',
        url: '/api/alarms/summary',
        headers: bearer(t.token('agency.inspector')),
      })
    ).json() as { total: number; states: { state: string; total: number; codes: Record<string, number> }[] };
    expect(summary.total).toBe((await list('/api/alarms', 1000)).total);
    for (const line of summary.states) {
      const listed = await list(`/api/alarms?state=${line.state}`, 1000);
      const codes: Record<string, number> = {};
      for (const a of listed.rows) codes[a.code] = (codes[a.code] ?? 0) + 1;
      expect(line.codes, line.state).toEqual(codes);
    }
    expect(summary.states.find((x) => x.state === 'XB')?.codes.SEAL_OPENED).toBeGreaterThan(0);
    // A window deep in the MBA's walk (in its second statement) and one past the end.
    const deep = await t.app.inject({
      method: 'GET',
      url: '/api/alarms?mba=XA-F1&limit=20&offset=1030',
      headers: bearer(t.token('agency.inspector')),
    });
    const whole = await list('/api/alarms?mba=XA-F1&sort=state', 1000);
    expect(deep.json()).toEqual({
      items: whole.rows.slice(1030, 1050),
      total: whole.total,
      limit: 20,
      offset: 1030,
    });
    const past = await t.app.inject({
      method: 'GET',
      url: `/api/alarms?mba=XA-F1&offset=${whole.total + 5}`,
      headers: bearer(t.token('agency.inspector')),
    });
    expect(past.json()).toMatchObject({ items: [], total: whole.total });
  }, 120_000);

  it('opens one case per standing alarm, walking them a statement at a time, and never twice', async () => {
    const keys = async () =>
      (await t.ports.db.kysely.selectFrom('cases').select('case_key').execute()).map((c) => c.case_key ?? '');
    const opened = await t.evaluation.openCases();
    const after = await keys();
    // Every one of XA-F1's 1 100 unmatched lines (over two of the walk's statements and three of
    // the opener's key look-ups) and each of the 110 exports without their notice.
    const unmatched = after.filter((k) => k.startsWith('transfer-unmatched') && k.includes('XA-F1%2F'));
    expect(new Set(unmatched).size).toBe(1100);
    const notices = after.filter(
      (k) => k.startsWith('notice') && k.includes('XA-F1%2F') && k.endsWith('missing'),
    );
    expect(new Set(notices).size).toBe(110);
    expect(opened).toBe(after.length);
    // A new day is a new run; a new opener (another server, or after a restart) has no memory of
    // what it opened: both find every case by its key and open none.
    t.clock.current = new Date('2026-04-04T10:00:00Z');
    expect(await t.evaluation.openCases()).toBe(0);
    expect(await createEvaluationService(t.ports).openCases()).toBe(0);
    expect((await keys()).sort()).toEqual([...after].sort());
  }, 120_000);
});

describe('FirstRows', () => {
  it('keeps the first n rows of any stream in compare order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), fc.nat(60), (values, n) => {
        // Ties broken by position: a total order, as the transfers' place gives.
        const rows = values.map((v, i) => ({ v, i }));
        const compare = (a: { v: number; i: number }, b: { v: number; i: number }) => a.v - b.v || a.i - b.i;
        const first = new FirstRows(n, compare);
        for (const r of rows) first.offer(r);
        expect(first.sorted()).toEqual([...rows].sort(compare).slice(0, n));
      }),
    );
  });
});

describe('pageInMemory', () => {
  const rows = [
    { id: 1, v: 'b' as string | null },
    { id: 2, v: null },
    { id: 3, v: 'a' },
    { id: 4, v: 'b' },
  ];
  const sorts = { v: (r: { v: string | null }) => r.v };
  const text = (r: { v: string | null }) => [r.v];
  it('sorts nulls last either way and keeps ties in the given order', () => {
    const ids = (desc: boolean) =>
      pageInMemory('rows', rows, { limit: 10, offset: 0, sort: 'v', desc }, sorts, text).items.map(
        (r) => r.id,
      );
    expect(ids(false)).toEqual([3, 1, 4, 2]);
    expect(ids(true)).toEqual([1, 4, 3, 2]);
  });
  it('filters before it counts and windows', () => {
    expect(pageInMemory('rows', rows, { limit: 1, offset: 1, q: 'B' }, sorts, text)).toEqual({
      items: [{ id: 4, v: 'b' }],
      total: 2,
      limit: 1,
      offset: 1,
    });
  });
  it('refuses a field the list does not sort on, for callers that skip the route’s enum', () => {
    expect(() => pageInMemory('rows', rows, { limit: 1, offset: 0, sort: 'id' }, sorts, text)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() =>
      pageInMemory('rows', rows, { limit: 1, offset: 0, sort: 'constructor' }, sorts, text),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
