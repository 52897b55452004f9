import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { demoSeed, initialReport, submit } from '../fixtures/reports.js';

/**
 * Practice mode (issue 16 item 13, decision 0026): the same checks as submitting, against the
 * real registry and account, and nothing kept — no report, refusal, log entry, event or
 * notification, not even a request-log line.
 */
describe.each(testDialects())('practice mode stores and logs nothing (%s)', (dialect) => {
  let t: TestApp;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp(dialect, { demo: true, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Rows of every table: what practice must leave exactly as it found. */
  async function rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const tables = await t.ports.db.kysely.introspection.getTables();
    for (const table of tables) {
      const r = await t.ports.db.kysely
        .selectFrom(table.name as 'reports')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table.name] = Number(r.n);
    }
    return out;
  }

  const practise = (body: string | object, signature?: string | null, login = 'xa-ssac.submitter') => {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string> = { ...bearer(t.token(login)), 'content-type': 'application/json' };
    if (signature !== null)
      headers['custos-signature'] = signature ?? signatureHeader(demoSeed(t, 'xa-ssac'), bytes);
    return t.app.inject({ method: 'POST', url: '/api/reports/practice', headers, payload: bytes });
  };

  it('says a good report would be accepted, and keeps nothing', async () => {
    const before = await rowCounts();
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['reports', 'report_rejections', 'log_entries']),
    );
    const res = await practise(initialReport());
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v).toMatchObject({
      practice: true,
      wouldBeAccepted: true,
      reportId: 'XA-F1:INITIAL:1',
      type: 'INITIAL',
      signature: 'VALID',
      errors: [],
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('lists every problem of a bad report with its code, and keeps no refusal', async () => {
    const bad = { ...initialReport(), lineCount: 3, mba: 'XA-F1' };
    bad.lines = bad.lines.map((l, i) => (i === 0 ? { ...l, weight: -1 } : l));
    const before = await rowCounts();
    const res = await practise(bad);
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.wouldBeAccepted).toBe(false);
    const codes = v.errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['LINE_COUNT_MISMATCH', 'NEGATIVE_WEIGHT']));
    expect(await rowCounts()).toEqual(before);
    // The same report submitted for real is refused and its refusal is recorded and logged.
    const real = await submit(t, 'xa-ssac.submitter', bad);
    expect(real.statusCode).toBe(422);
    const after = await rowCounts();
    expect(after.report_rejections).toBe((before.report_rejections ?? 0) + 1);
    expect(after.log_entries).toBeGreaterThan(before.log_entries ?? 0);
  });

  it('checks the signature against the registered keys', async () => {
    const before = await rowCounts();
    const wrong = await practise(initialReport(), '0123456789abcdef:AAAA');
    expect(wrong.json()).toMatchObject({ wouldBeAccepted: false, signature: 'KEY_UNKNOWN' });
    const unsigned = await practise(initialReport(), null);
    expect(unsigned.json()).toMatchObject({ wouldBeAccepted: false, signature: 'SIGNATURE_INVALID' });
    const other = await practise(
      initialReport(),
      signatureHeader(demoSeed(t, 'xa-ssac'), Buffer.from('other')),
    );
    expect(other.json()).toMatchObject({ wouldBeAccepted: false, signature: 'SIGNATURE_INVALID' });
    expect(await rowCounts()).toEqual(before);
  });

  it('is for those who may submit, and leaves no line in the request log', async () => {
    expect((await practise(initialReport(), undefined, 'xa-ssac.auditor')).statusCode).toBe(403);
    expect((await practise(initialReport(), undefined, 'agency.inspector')).statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'POST', url: '/api/reports/practice', payload: {} });
    expect(anon.statusCode).toBe(401);
    logLines.length = 0;
    await practise(initialReport());
    await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(t.token('xa-ssac.submitter')) });
    // The control request is logged, so the logger works; practice left nothing.
    expect(logLines.some((l) => l.includes('/api/me'))).toBe(true);
    expect(logLines.filter((l) => l.includes('/api/reports/practice'))).toEqual([]);
  });
});
