import { afterEach, describe, expect, it } from 'vitest';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { createRateLimiter } from '../../src/services/rate-limit.js';
import { logRefusalSummaries } from '../../src/services/reports/refusals.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { initialReport, submit } from '../fixtures/reports.js';

/**
 * Issue 15 item 4: password guessing, submissions and refusals are limited (429 with Retry-After),
 * a lockout cannot be used against the user from elsewhere (decision 0022), and the log grows by a
 * bounded number of refusal records whatever a principal sends (decision 0023).
 */
describe.each(testDialects())('rate limits (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });
  const password = (login: string) => t.demo.find((d) => d.login === login)?.password as string;
  const signIn = (login: string, pw: string, address: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: address,
      payload: { login, password: pw },
    });

  it('a login guessed from one address backs off there only; the user still signs in elsewhere', async () => {
    t = await createTestApp(dialect, { demo: true });
    const who = 'xa-ssac.submitter';
    for (let i = 0; i < 5; i++) expect((await signIn(who, 'wrong', '203.0.113.7')).statusCode).toBe(401);
    // The sixth attempt waits, even with the right password: nothing is learnt by guessing on.
    const held = await signIn(who, password(who), '203.0.113.7');
    expect(held.statusCode).toBe(429);
    expect(held.json().error.code).toBe('RATE_LIMITED');
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // From the user's own address the guesses changed nothing.
    expect((await signIn(who, password(who), '198.51.100.2')).statusCode).toBe(200);
    // Waiting is enough, and the wait doubles with each further failure.
    t.clock.advance(1000);
    expect((await signIn(who, 'wrong', '203.0.113.7')).statusCode).toBe(401);
    const longer = await signIn(who, 'wrong', '203.0.113.7');
    expect(longer.statusCode).toBe(429);
    expect(Number(longer.headers['retry-after'])).toBe(2);
    t.clock.advance(2000);
    expect((await signIn(who, password(who), '203.0.113.7')).statusCode).toBe(200);
  });

  it('guessing one login from many addresses slows new addresses, never the ones the user signed in from', async () => {
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_LOGIN_ACCOUNT_FAILURES: '3' } });
    const who = 'xa-ssac.reviewer';
    expect((await signIn(who, password(who), '198.51.100.2')).statusCode).toBe(200);
    for (const a of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      expect((await signIn(who, 'wrong', a)).statusCode).toBe(401);
    const fresh = await signIn(who, password(who), '203.0.113.4');
    expect(fresh.statusCode).toBe(429);
    expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(800);
    // The address the user signed in from keeps only its own backoff: the user is not locked out.
    expect((await signIn(who, password(who), '198.51.100.2')).statusCode).toBe(200);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await signIn(who, password(who), '203.0.113.4')).statusCode).toBe(200);
  });

  it('one address trying many logins waits out the window', async () => {
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_LOGIN_ADDRESS_FAILURES: '3' } });
    for (const login of ['nobody-1', 'nobody-2', 'xa-ssac.reviewer'])
      expect((await signIn(login, 'wrong', '203.0.113.9')).statusCode).toBe(401);
    const res = await signIn('xa-ssac.submitter', password('xa-ssac.submitter'), '203.0.113.9');
    expect(res.statusCode).toBe(429);
    expect(
      (await signIn('xa-ssac.submitter', password('xa-ssac.submitter'), '203.0.113.10')).statusCode,
    ).toBe(200);
  });

  it('submissions are limited per principal, before the body is read', async () => {
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_SUBMIT_PER_MINUTE: '2' } });
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-S1'))).statusCode).toBe(201);
    const third = await submit(t, 'xa-ssac.submitter', initialReport('XA-R1'));
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBe(30);
    // Another principal has its own allowance.
    expect((await submit(t, 'xb-ssac.submitter', initialReport('XB-F1'))).statusCode).not.toBe(429);
    t.clock.advance(30_000);
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-R1'))).statusCode).toBe(201);
  });

  it('refusals: answered in full, logged one by one up to the hour’s quota, then counted in one logged summary', async () => {
    t = await createTestApp(dialect, {
      demo: true,
      env: { CUSTOS_REFUSALS_LOGGED_PER_HOUR: '3', CUSTOS_REFUSALS_PER_MINUTE: '1000' },
    });
    const records = async () =>
      Number(
        (
          await t.ports.db.kysely
            .selectFrom('records')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('kind', '=', 'report-rejection')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await records();
    let last: { rejection?: { counted?: number; id?: string } } = {};
    for (let i = 0; i < 12; i++) {
      const res = await submit(t, 'xa-ssac.submitter', 'garbage', { csv: true, signature: null });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('REPORT_INVALID');
      expect(res.json().error.details.length).toBeGreaterThan(0);
      last = res.json().error;
    }
    expect(last.rejection?.counted).toBe(9);
    expect(await records()).toBe(before + 3);
    // The hour is not over: nothing to log yet.
    expect(await logRefusalSummaries(t.ports)).toBe(0);
    t.clock.advance(3600_000);
    expect(await logRefusalSummaries(t.ports)).toBe(1);
    expect(await logRefusalSummaries(t.ports)).toBe(0);
    expect(await records()).toBe(before + 4);
    const list = await t.app.inject({
      url: '/api/rejections?state=XA',
      headers: bearer(t.token('xa-ssac.reviewer')),
    });
    const summary = (list.json() as { summary?: { count: number }; codes: string[] }[]).find(
      (r) => r.summary,
    );
    expect(summary?.summary?.count).toBe(9);
    expect(summary?.codes.length).toBeGreaterThan(0);
    // The summary's committed content (count included) is checked like every record.
    await t.log.flush();
    const report = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(report.findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('report_rejections')
      .set({ summary_count: 1 })
      .where('summary_count', '=', 9)
      .execute();
    const tampered = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(tampered.findings.map((f) => f.kind)).toContain('record-changed');
  });

  it('a flood of refusals from one principal gets 429 without parsing or logging', async () => {
    t = await createTestApp(dialect, { demo: true, env: { CUSTOS_REFUSALS_PER_MINUTE: '2' } });
    for (let i = 0; i < 2; i++)
      expect(
        (await submit(t, 'xa-ssac.submitter', 'garbage', { csv: true, signature: null })).statusCode,
      ).toBe(422);
    const res = await submit(t, 'xa-ssac.submitter', 'garbage', { csv: true, signature: null });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Even a valid report waits: the principal is throttled, not the body.
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(429);
    t.clock.advance(30_000);
    expect((await submit(t, 'xa-ssac.submitter', initialReport())).statusCode).toBe(201);
  });
});

describe('the in-memory limiter', () => {
  it('holds at most maxKeys buckets, dropping the least recently used', () => {
    let now = 0;
    const l = createRateLimiter({ perMinute: 1, maxKeys: 3, nowMs: () => now });
    for (const k of ['a', 'b', 'c']) expect(l.take(k)).toBe(0);
    expect(l.take('a')).toBe(60);
    l.take('d'); // 'b' is dropped: least recently used
    expect(l.take('b')).toBe(0);
    expect(l.take('a')).toBe(60);
    now = 60_000;
    expect(l.take('a')).toBe(0);
  });
});
