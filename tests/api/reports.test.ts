import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReportCsv, parseReportJson } from '../../src/domain/reports/index.js';
import {
  decodeBase64,
  parseNoteVerifier,
  parseProof,
  verifyCommitment,
  verifyProof,
} from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { createReportsRepo } from '../../src/store/reports.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

function toCsv(report: object): string {
  const parsed = parseReportJson(new TextEncoder().encode(JSON.stringify(report)));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return formatReportCsv(parsed.report);
}

const receipt1 = {
  line: 1,
  date: '2026-02-10',
  code: 'RD',
  batch: 'B-17',
  kmp: 'A',
  element: 'E',
  weight: 125000.5,
  fissileWeight: 4500.25,
  isotope: 'G',
  basis: 'M',
  form: 'U2',
  counterpart: { state: 'XA', mba: 'XA-S1' },
};
const discard2 = {
  line: 2,
  date: '2026-02-20',
  code: 'LD',
  batch: 'W-1',
  kmp: 'C',
  element: 'E',
  weight: 1200,
  fissileWeight: 40,
  isotope: 'G',
  basis: 'M',
  form: 'SS',
};

describe.each(testDialects())('declarations API on %s', (dialect) => {
  let t: TestApp;
  const get = (url: string, login = 'xa-ssac.reviewer') =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  const count = async (table: 'report_lines' | 'reports' | 'report_rejections') =>
    Number(
      (
        await t.ports.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-03-05T10:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a signed initial report and ICR, with a receipt that verifies offline', async () => {
    const init = await submit(t, 'xa-ssac.submitter', initialReport());
    expect(init.statusCode, init.body).toBe(201);
    expect(init.json()).toMatchObject({ id: 'XA-F1:INITIAL:1', status: 'accepted', warnings: [] });
    const res = await submit(t, 'xa-ssac.submitter', icr(1, '2026-02', [receipt1, discard2]));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      id: 'XA-F1:ICR:1',
      status: 'accepted',
      receiptUrl: '/api/records/XA-F1%3AICR%3A1/receipt',
    });
    await t.log.flush();
    const receipt = await get(body.receiptUrl);
    expect(receipt.statusCode).toBe(200);
    const vkey = parseNoteVerifier(t.log.keys.vkey);
    const proof = parseProof(receipt.body);
    expect(proof.index).toBe(body.logIndex);
    expect(verifyProof(receipt.body, proof.extra as Uint8Array, vkey).ok).toBe(true);
    // The party that may read the record recomputes its commitment from content + salt.
    const rec = (await get(`/api/records/${encodeURIComponent(body.id)}`)).json();
    expect(verifyCommitment(proof.extra as Uint8Array, rec.content, decodeBase64(rec.salt))).toBe(true);
    const stored = (await get('/api/reports/XA-F1:ICR:1')).json();
    expect(stored.report.lines[0]).toMatchObject({ batch: 'B-17', weight: 125000.5, fissileWeight: 4500.25 });
  });

  it('refuses a report with two errors, naming line and field, storing only the logged refusal', async () => {
    t.clock.current = new Date('2026-04-02T10:00:00Z');
    const before = {
      lines: await count('report_lines'),
      reports: await count('reports'),
      rejections: await count('report_rejections'),
    };
    const bad = icr(2, '2026-03', [
      { ...receipt1, batch: 'B-18', kmp: 'Z', date: '2026-03-03' },
      { ...discard2, weight: 10, fissileWeight: 11, date: '2026-03-04' },
    ]);
    const res = await submit(t, 'xa-ssac.submitter', bad);
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.code).toBe('REPORT_INVALID');
    const found = err.details.map((d: { line: number; code: string }) => `${d.line}:${d.code}`).sort();
    expect(found).toEqual(['1:UNKNOWN_KMP', '2:FISSILE_EXCEEDS_ELEMENT']);
    expect(err.details.find((d: { code: string }) => d.code === 'UNKNOWN_KMP').field).toMatch(/kmp/);
    expect(err.rejection.id).toMatch(/^rejection:/);
    expect({
      lines: await count('report_lines'),
      reports: await count('reports'),
      rejections: await count('report_rejections'),
    }).toEqual({
      ...before,
      rejections: before.rejections + 1,
    });
    await t.log.flush();
    expect((await get(err.rejection.receiptUrl)).statusCode).toBe(200);
    const list = (await get('/api/rejections')).json();
    expect(list[0].codes).toEqual(['FISSILE_EXCEEDS_ELEMENT', 'UNKNOWN_KMP']);
  });

  it.each([
    ['JSON', false],
    ['CSV', true],
  ])('lists format problems and registry problems of one %s report together', async (_f, csv) => {
    t.clock.current = new Date('2026-04-02T10:00:00Z');
    const rejections = await count('report_rejections');
    // Line 2's weight cannot be read (a format problem); line 3 names a KMP XA-F1 does not have.
    const lines = [
      { ...receipt1, batch: 'B-30', date: '2026-03-03' },
      { ...receipt1, line: 2, batch: 'B-31', date: '2026-03-04', weight: 7 },
      { ...receipt1, line: 3, batch: 'B-32', date: '2026-03-05', kmp: 'Z' },
    ];
    const valid = icr(2, '2026-03', lines);
    const bad = csv
      ? toCsv(valid)
          .split('\r\n')
          .map((row) => (row.startsWith('2,') ? row.replace(',7,', ',twelve,') : row))
          .join('\r\n')
      : icr(
          2,
          '2026-03',
          lines.map((l) => (l.line === 2 ? { ...l, weight: 'twelve' } : l)),
        );
    const res = await submit(t, 'xa-ssac.submitter', bad, { csv });
    expect(res.statusCode, res.body).toBe(422);
    const details = res.json().error.details as { line?: number; field?: string; code: string }[];
    expect(details.map((d) => `${d.line}:${d.field}:${d.code}`)).toEqual([
      '2:lines[1].weight:FIELD_FORMAT',
      '3:lines[2].kmp:UNKNOWN_KMP',
    ]);
    expect(await count('report_rejections')).toBe(rejections + 1);
    const list = (await get('/api/rejections')).json();
    expect(list[0]).toMatchObject({ codes: ['FIELD_FORMAT', 'UNKNOWN_KMP'] });
  });

  it('does not guess a report number it could not read when recording the refusal', async () => {
    const bad = { ...icr(2, '2026-03', [{ ...receipt1, batch: 'B-33', kmp: 'Z', date: '2026-03-03' }]) };
    const res = await submit(t, 'xa-ssac.submitter', { ...bad, reportNumber: 'two' });
    expect(res.statusCode).toBe(422);
    const err = res.json().error;
    expect(err.details.map((d: { code: string }) => d.code)).toEqual(['FIELD_TYPE', 'UNKNOWN_KMP']);
    const row = await t.ports.db.kysely
      .selectFrom('report_rejections')
      .select(['mba', 'type', 'report_number', 'period_from'])
      .where('id', '=', err.rejection.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ mba: 'XA-F1', type: 'ICR', report_number: null, period_from: '2026-03-01' });
  });

  it.each([
    ['no header', null, 'SIGNATURE_INVALID'],
    ['a key of another organisation', 'xb-ssac', 'KEY_UNKNOWN'],
    ['a signature over other bytes', 'tampered', 'SIGNATURE_INVALID'],
  ])('refuses %s', async (_name, how, code) => {
    const body = icr(2, '2026-03', [{ ...receipt1, batch: 'B-19', date: '2026-03-03' }]);
    const opts =
      how === null
        ? { signature: null }
        : how === 'tampered'
          ? { signature: `${'0'.repeat(16)}:${Buffer.alloc(64).toString('base64')}` }
          : { org: how };
    const res = await submit(t, 'xa-ssac.submitter', body, opts);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.map((d: { code: string }) => d.code)).toContain(
      how === 'tampered' ? 'KEY_UNKNOWN' : code,
    );
  });

  it('enforces numbering: gaps and duplicates are refused with codes', async () => {
    const gap = await submit(
      t,
      'xa-ssac.submitter',
      icr(5, '2026-03', [{ ...receipt1, batch: 'B-20', date: '2026-03-03' }]),
    );
    expect(gap.json().error.details.map((d: { code: string }) => d.code)).toContain('REPORT_NUMBER_GAP');
    const dup = await submit(t, 'xa-ssac.submitter', icr(1, '2026-02', [receipt1, discard2]));
    expect(dup.json().error.details.map((d: { code: string }) => d.code)).toContain('REPORT_DUPLICATE');
  });

  it('takes the same report as CSV, and exports CSV that parses back to the same report', async () => {
    t.clock.current = new Date('2026-04-02T10:00:00Z');
    const csv = (await get('/api/reports/XA-F1:ICR:1?format=csv')).body;
    expect(csv).toContain('B-17');
    const json = (await get('/api/reports/XA-F1:ICR:1')).json().report;
    // Submit the exported CSV as report 2 of March (same lines, new number and period).
    const march = csv
      .replace(/reportNumber,1/, 'reportNumber,2')
      .replaceAll('2026-02-10', '2026-03-10')
      .replaceAll('2026-02-20', '2026-03-20')
      .replaceAll('2026-02-01', '2026-03-01')
      .replaceAll('2026-02-28', '2026-03-31')
      .replace('B-17', 'B-21');
    const res = await submit(t, 'xa-ssac.submitter', march, { csv: true });
    expect(res.statusCode, res.body).toBe(201);
    const got = (await get('/api/reports/XA-F1:ICR:2')).json().report;
    expect(got.lines.map((l: { weight: number }) => l.weight)).toEqual(
      json.lines.map((l: { weight: number }) => l.weight),
    );
    expect((await get('/api/reports/XA-F1:ICR:2/body')).body).toBe(march);
  });

  it('keeps corrections as new lines: effective view and full history', async () => {
    t.clock.current = new Date('2026-05-06T10:00:00Z');
    const correction = icr(3, '2026-04', [
      { ...receipt1, line: 1, weight: 125010.5, corrects: { reportNumber: 1, line: 1 } },
      { ...discard2, line: 2, deletes: { reportNumber: 1, line: 2 } },
    ]);
    const res = await submit(t, 'xa-ssac.submitter', correction);
    expect(res.statusCode, res.body).toBe(201);
    const effective = (await get('/api/mbas/XA-F1/lines?effective=true')).json();
    const b17 = effective.lines.filter((l: { batch: string }) => l.batch === 'B-17');
    expect(b17).toHaveLength(1);
    expect(b17[0]).toMatchObject({ weight: 125010.5, reportNumber: 3 });
    expect(
      effective.lines.some(
        (l: { batch: string; reportNumber: number }) => l.batch === 'W-1' && l.reportNumber === 1,
      ),
    ).toBe(false);
    // The lines page carries no history; the corrections are their own paged list, by original.
    expect(effective.corrected).toBeUndefined();
    const corrections = (await get('/api/mbas/XA-F1/corrections')).json();
    expect(corrections).toMatchObject({ mba: 'XA-F1', total: 2, limit: 100, offset: 0 });
    expect(
      corrections.items.map(
        (c: {
          origin: { reportNumber: number; line: number };
          deleted: boolean;
          history: { reportNumber: number; line: number }[];
        }) => [
          `${c.origin.reportNumber}:${c.origin.line}`,
          c.deleted,
          c.history.map((l) => `${l.reportNumber}:${l.line}`),
        ],
      ),
    ).toEqual([
      ['1:1', false, ['1:1', '3:1']],
      ['1:2', true, ['1:2', '3:2']],
    ]);
    const second = (await get('/api/mbas/XA-F1/corrections?limit=1&offset=1')).json();
    expect(second.items.map((c: { origin: { line: number } }) => c.origin.line)).toEqual([2]);
    expect((await get('/api/mbas/XA-F1/corrections?limit=0')).statusCode).toBe(400);
    expect((await get('/api/mbas/NOPE/corrections')).statusCode).toBe(404);
    const history = (await get('/api/mbas/XA-F1/lines?effective=false')).json();
    expect(history.lines.filter((l: { batch: string }) => l.batch === 'B-17')).toHaveLength(2);
    const asOf = (await get('/api/mbas/XA-F1/lines?effective=false&asOf=2026-02-15')).json();
    expect(asOf.lines.map((l: { batch: string }) => l.batch)).toEqual(['B-17', 'B-17']);
  });

  it('checks new reports against the account as it grew: batches on the book, corrections of corrections', async () => {
    t.clock.current = new Date('2026-06-03T10:00:00Z');
    // B-21 came in with ICR 2 (March) and B-17 with ICR 1, corrected by ICR 3: both are on the book.
    const again = await submit(
      t,
      'xa-ssac.submitter',
      icr(4, '2026-05', [
        { ...receipt1, batch: 'B-21', date: '2026-05-03' },
        { ...receipt1, line: 2, batch: 'B-17', date: '2026-05-04' },
        { ...receipt1, line: 3, batch: 'B-22', date: '2026-05-05', corrects: { reportNumber: 3, line: 9 } },
      ]),
    );
    expect(again.statusCode).toBe(422);
    expect(
      again.json().error.details.map((d: { line: number; code: string }) => `${d.line}:${d.code}`),
    ).toEqual(['1:BATCH_REUSED', '2:BATCH_REUSED', '3:CORRECTION_TARGET_UNKNOWN']);
    // A correction of ICR 3's correction (line 1) is a known target; B-23 is new.
    const ok = await submit(
      t,
      'xa-ssac.submitter',
      icr(4, '2026-05', [
        { ...receipt1, batch: 'B-23', date: '2026-05-03' },
        {
          ...receipt1,
          line: 2,
          weight: 125011.5,
          date: '2026-02-10',
          corrects: { reportNumber: 3, line: 1 },
        },
      ]),
    );
    expect(ok.statusCode, ok.body).toBe(201);
    // B-23 is now on the book for the next report.
    const next = await submit(
      t,
      'xa-ssac.submitter',
      icr(5, '2026-05', [{ ...receipt1, batch: 'B-23', date: '2026-05-20' }]),
    );
    expect(next.json().error.details.map((d: { code: string }) => d.code)).toEqual(['BATCH_REUSED']);
  });

  it('pages, sorts and filters the lines of an MBA on the server', async () => {
    const all = (await get('/api/mbas/XA-F1/lines?effective=false')).json();
    expect(all.total).toBe(all.lines.length);
    expect(all.total).toBeGreaterThan(4);
    const page = (await get('/api/mbas/XA-F1/lines?effective=false&limit=2&offset=1')).json();
    expect(page).toMatchObject({ total: all.total, limit: 2, offset: 1 });
    expect(page.lines).toEqual(all.lines.slice(1, 3));
    const heaviest = (await get('/api/mbas/XA-F1/lines?effective=true&sort=-weight&limit=1')).json();
    const weights = (await get('/api/mbas/XA-F1/lines?effective=true&limit=1000'))
      .json()
      .lines.map((l: { weight: number }) => l.weight);
    expect(heaviest.lines[0].weight).toBe(Math.max(...weights));
    const b23 = (await get('/api/mbas/XA-F1/lines?effective=true&q=b-23')).json();
    expect(b23.lines.map((l: { batch: string }) => l.batch)).toEqual(['B-23']);
    // A balance period's lines: dated after its start, up to its end, of one element.
    const march = (await get('/api/mbas/XA-F1/lines?after=2026-02-28&asOf=2026-03-31&element=E')).json();
    expect(march.total).toBeGreaterThan(0);
    expect(
      march.lines.every(
        (l: { date: string; element: string }) =>
          l.date > '2026-02-28' && l.date <= '2026-03-31' && l.element === 'E',
      ),
    ).toBe(true);
    expect((await get('/api/mbas/XA-F1/lines?element=P')).json().total).toBe(0);
    const bad = await get('/api/mbas/XA-F1/lines?sort=colour');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('scopes reads: another state gets 404, the inspectorates see it', async () => {
    expect((await get('/api/reports/XA-F1:ICR:1', 'xb-ssac.reviewer')).statusCode).toBe(404);
    expect((await get('/api/reports/XA-F1:ICR:1', 'agency.inspector')).statusCode).toBe(200);
    expect((await get('/api/reports/XA-F1:ICR:1', 'rsa.reviewer')).statusCode).toBe(200);
    expect((await get('/api/reports?state=XA', 'xb-ssac.reviewer')).json()).toEqual([]);
    expect((await get('/api/mbas/XA-F1/lines', 'xb-ssac.reviewer')).statusCode).toBe(404);
    const xbSubmit = await submit(t, 'xb-ssac.submitter', icr(1, '2026-02', [receipt1]));
    expect(xbSubmit.json().error.details.map((d: { code: string }) => d.code)).toContain('UNKNOWN_MBA');
    expect(
      (await submit(t, 'agency.inspector', icr(4, '2026-03', [receipt1]), { org: 'agency' })).statusCode,
    ).toBe(403);
  });

  it("learns nothing of another state's MBA from a refusal", async () => {
    // XB reports for XA-F1: a batch on XA-F1's book, a correction of one of its lines, a KMP it
    // does not have, a report number out of sequence. Only UNKNOWN_MBA may come back, exactly as
    // for an MBA code that does not exist (issue 15 item 10: one answer for foreign and unknown).
    t.clock.current = new Date('2026-06-03T10:00:00Z');
    const probe = icr(9, '2026-03', [
      { ...receipt1, batch: 'B-17', date: '2026-03-03' },
      { ...receipt1, line: 2, batch: 'B-90', date: '2026-03-04', kmp: 'Q' },
      { ...receipt1, line: 3, date: '2026-02-10', corrects: { reportNumber: 1, line: 1 } },
    ]);
    const res = await submit(t, 'xb-ssac.submitter', probe);
    expect(res.statusCode).toBe(422);
    const details = res.json().error.details as { code: string; message: string }[];
    expect(details.map((d) => d.code)).toEqual(['UNKNOWN_MBA']);
    expect(details[0]?.message).toBe('MBA "XA-F1" is not a registered MBA of XB');
    const unknown = await submit(t, 'xb-ssac.submitter', { ...probe, mba: 'XA-Q9' });
    expect(unknown.statusCode).toBe(422);
    const same = (unknown.json().error.details as { code: string; message: string }[]).map((d) => [
      d.code,
      d.message.replace('XA-Q9', 'XA-F1'),
    ]);
    expect(same).toEqual(details.map((d) => [d.code, d.message]));
  });

  it('lists obligations with due dates and status', async () => {
    const res = (await get('/api/states/XA/timeliness?limit=1000')).json();
    const feb = res.obligations.find((o: { id: string }) => o.id === 'ICR:XA-F1:2026-02');
    expect(feb).toMatchObject({ dueDate: '2026-03-30', status: 'met' });
    // Entry into force 2025-11-01: the initial report was due 30 days after 30 November (30 December) and came on 5 March.
    const initial = res.obligations.find(
      (o: { type: string; mba: string }) => o.type === 'INITIAL' && o.mba === 'XA-F1',
    );
    expect(initial).toMatchObject({ status: 'late', daysLate: 65, dueDate: '2025-12-30' });
    const other = res.obligations.find((o: { id: string }) => o.id === 'ICR:XA-S1:2026-02');
    expect(other).toMatchObject({ status: 'missing' });
    expect(res.total).toBe(res.obligations.length);
    expect(res.counts.missing + res.counts.met + res.counts.late + res.counts.upcoming).toBe(res.total);
    expect((await get('/api/states/XB/timeliness')).statusCode).toBe(404);
  });

  it('answers one clear problem for an empty report, CSV or JSON (issue 16)', async () => {
    for (const csv of [true, false]) {
      const res = await submit(t, 'xa-ssac.submitter', '', { csv });
      expect(res.statusCode).toBe(422);
      const details = res.json().error.details;
      expect(details).toHaveLength(1);
      expect(details[0]).toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/empty/) });
    }
  });

  it('gives the annual evaluation the timeliness page’s figures and no conclusion without its basis (issue 16)', async () => {
    const page = (await get('/api/states/XA/timeliness?limit=1000')).json();
    for (const year of [2025, 2026]) {
      const inYear = page.obligations.filter((o: { dueDate: string }) => o.dueDate.startsWith(String(year)));
      const count = (s: string) => inYear.filter((o: { status: string }) => o.status === s).length;
      const ev = (await get(`/api/states/XA/evaluation?year=${year}`)).json();
      expect(ev.timeliness).toEqual({
        due: inYear.length,
        onTime: count('met'),
        late: count('late'),
        missing: count('missing'),
      });
    }
    expect(page.counts.late + page.counts.missing).toBeGreaterThan(0);
    // No PIL closed a balance in 2025 and no inspection was carried out: nothing to conclude on.
    const ev = (await get('/api/states/XA/evaluation?year=2025')).json();
    expect(ev.balancesClosed).toBe(0);
    // Labels speak to the user, not of internal documents (item 10).
    const balances = (await get('/api/mbas/XA-F1/balances')).json();
    expect(balances.sigmaModel).not.toMatch(/\.md|§/);
    expect(ev.conclusion.category).toBe('NOT_DRAWN');
    expect(ev.conclusion.reasons).toEqual(
      expect.arrayContaining(['no material balance closed in 2025', 'no inspection carried out in 2025']),
    );
  });

  it('answers 415 for other media types and 413 beyond the body limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { ...bearer(t.token('xa-ssac.submitter')), 'content-type': 'application/xml' },
      payload: '<report/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { ...bearer(t.token('xa-ssac.submitter')), 'content-type': 'text/csv' },
      payload: Buffer.alloc(65 * 1024 * 1024, 0x41),
    });
    expect(big.statusCode).toBe(413);
  });

  it('audit passes, then names a line whose weight was changed in the database', async () => {
    const verifier = parseNoteVerifier(t.log.keys.vkey);
    await t.log.flush();
    expect((await auditStore(t.ports, verifier)).findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('report_lines')
      .set({ weight_mg: 1 })
      .where('report_id', '=', 'XA-F1:ICR:1')
      .where('line', '=', 1)
      .execute();
    const findings = (await auditStore(t.ports, verifier)).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'record-changed', where: 'XA-F1:ICR:1' });
    expect(findings[0]?.message).toContain('line 1 weight_mg is 1');
  });
});

describe.each(testDialects())('a report of several pages of lines on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-03-05T10:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  it('is answered, as JSON and as CSV, with every line in order, streamed a page at a time', async () => {
    // 4 501 lines: two full pages of the store's 2 000 and one line over.
    const lines = Array.from({ length: 4501 }, (_, i) => ({
      ...discard2,
      line: i + 1,
      batch: `W-${i + 1}`,
      weight: 1000 + i / 4,
    }));
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(201);
    const res = await submit(t, 'xa-ssac.submitter', icr(1, '2026-02', lines));
    expect(res.statusCode, res.body).toBe(201);
    const get = (url: string) =>
      t.app.inject({ method: 'GET', url, headers: bearer(t.token('xa-ssac.reviewer')) });
    const json = await get('/api/reports/XA-F1:ICR:1');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const view = json.json();
    expect(view).toMatchObject({ id: 'XA-F1:ICR:1', status: 'accepted', report: { lineCount: 4501 } });
    expect(view.report.lines).toHaveLength(4501);
    expect(view.report.lines.map((l: { line: number }) => l.line)).toEqual(lines.map((l) => l.line));
    expect(view.report.lines.map((l: { weight: number }) => l.weight)).toEqual(lines.map((l) => l.weight));
    expect(view.report.lines[4500]).toMatchObject({ batch: 'W-4501', code: 'LD', kmp: 'C' });
    // What the answer was made from: pages of at most 2 000 lines, never the report at once.
    const sizes: number[] = [];
    for await (const page of createReportsRepo(t.ports.db).linePages('XA-F1:ICR:1')) sizes.push(page.length);
    expect(sizes).toEqual([2000, 2000, 501]);
    // The CSV export is the whole report formatted at once, page boundaries and all.
    const csv = await get('/api/reports/XA-F1:ICR:1?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toBe(toCsv(view.report));
    // A report outside the caller's scope is refused before anything is streamed.
    const other = await t.app.inject({
      method: 'GET',
      url: '/api/reports/XA-F1:ICR:1',
      headers: bearer(t.token('xb-ssac.reviewer')),
    });
    expect(other.statusCode).toBe(404);
  });
});
