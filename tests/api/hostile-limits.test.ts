import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRefusalSummaries } from '../../src/services/reports/refusals.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { submit } from '../fixtures/reports.js';

/**
 * Hostile volume (issue 15 item 4): the probe that made 2 200 permanent refusal records in 12 s
 * from one token, and unlimited password guesses. Whatever is sent, answers are 401/422/429 with
 * their codes, guessing stops, and the log grows by at most the hour's quota + 1 refusal records.
 */
const RUNS = Number(process.env.CUSTOS_FUZZ_RUNS ?? 60);

describe('hostile volume (sqlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const refusalRecords = async () =>
    Number(
      (
        await t.ports.db.kysely
          .selectFrom('records')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('kind', '=', 'report-rejection')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a flood of garbage submissions is throttled and bounded in the log', async () => {
    const { refusalsLoggedPerHour, refusalsPerMinute } = t.ports.config.submitLimits;
    const before = await refusalRecords();
    const statuses = new Map<number, number>();
    // Four minutes of flooding, RUNS × 5 hostile bodies a minute (the clock moves by hand).
    for (let minute = 0; minute < 4; minute++) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })),
          async (b) => {
            const body = typeof b === 'string' ? b : Buffer.from(b).toString('latin1');
            const res = await submit(t, 'xa-ssac.submitter', body, { csv: true, signature: null });
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            expect([422, 429]).toContain(res.statusCode);
            if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          },
        ),
        { numRuns: RUNS * 5 },
      );
      t.clock.advance(60_000);
    }
    // Each minute admits refusalsPerMinute refusals; the rest wait.
    expect(statuses.get(422)).toBe(Math.min(RUNS * 5, refusalsPerMinute) * 4);
    expect(statuses.get(429) ?? 0).toBe(RUNS * 20 - (statuses.get(422) ?? 0));
    expect(await refusalRecords()).toBe(before + refusalsLoggedPerHour);
    t.clock.advance(3600_000);
    await logRefusalSummaries(t.ports);
    expect(await refusalRecords()).toBe(before + refusalsLoggedPerHour + 1);
  });

  it('password guessing from one address is stopped after a few tries, for every login', async () => {
    const { backoffAfter } = t.ports.config.loginLimits;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('xa-ssac.submitter', 'xb-ssac.reviewer', 'admin'),
        fc.string(),
        async (login, pw) => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/session',
            remoteAddress: '203.0.113.66',
            payload: { login, password: pw || 'x' },
          });
          expect([401, 429]).toContain(res.statusCode);
        },
      ),
      { numRuns: RUNS },
    );
    // Whatever the fuzzing left: backoffAfter more guesses at most, then every login waits.
    for (const login of ['xa-ssac.submitter', 'xb-ssac.reviewer', 'admin']) {
      const guess = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/session',
          remoteAddress: '203.0.113.66',
          payload: { login, password: 'one more guess' },
        });
      for (let i = 0; i < backoffAfter; i++) expect([401, 429]).toContain((await guess()).statusCode);
      expect((await guess()).statusCode, login).toBe(429);
    }
  });
});
