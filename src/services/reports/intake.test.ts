import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatReportCsv,
  formatReportJson,
  parseReportCsv,
  parseReportCsvSteps,
  parseReportJson,
  parseReportJsonSteps,
  validateReport,
  validateReportSteps,
} from '../../domain/reports/index.js';
import { baseContext, largeIcrJson } from '../../domain/reports/test-support.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyAsync } from '../../log/index.js';
import { runInSlices, sha256HexInSlices } from './intake.js';

/**
 * Issue 15 item 9: the whole-body work of a submission (its SHA-256, its Ed25519 signature) lets
 * other requests run while it goes on. A callback queued before the work must run before the work
 * answers: with the old one-call hash and synchronous verify it could not.
 */
const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);

describe('a big body does not hold the event loop', () => {
  it('hashes in slices, with the same digest', async () => {
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const hex = await sha256HexInSlices(big);
    expect(ran).toBe(true);
    expect(hex).toBe(createHash('sha256').update(big).digest('hex'));
    expect(await sha256HexInSlices(new Uint8Array())).toBe(createHash('sha256').digest('hex'));
  });

  it('verifies Ed25519 off the loop, with the same answers as the synchronous check', async () => {
    const seed = new Uint8Array(32).fill(7);
    const pk = ed25519PublicKey(seed);
    const sig = ed25519Sign(seed, big);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    expect(await ed25519VerifyAsync(pk, big, sig)).toBe(true);
    expect(ran).toBe(true);
    const wrong = new Uint8Array(sig);
    wrong[3] = (wrong[3] ?? 0) ^ 1;
    for (const [k, m, s] of [
      [pk, big, wrong],
      [pk, big.subarray(1), sig],
      [new Uint8Array(31), big, sig],
      [pk, big, sig.subarray(1)],
    ] as const) {
      expect(await ed25519VerifyAsync(k, m, s)).toBe(ed25519Verify(k, m, s));
      expect(await ed25519VerifyAsync(k, m, s)).toBe(false);
    }
  });
});

describe('a big report is read and checked in slices (decision 0034)', () => {
  const enc = new TextEncoder();
  const value = largeIcrJson(20_000);
  const json = enc.encode(JSON.stringify(value));
  const model = parseReportJson(json);
  if (!model.ok) throw new Error('the large ICR must parse');
  const csv = enc.encode(formatReportCsv(model.report, { delimiter: ';' }));
  // Every fifth line refers to a KMP and a batch the context does not know: many problems.
  const bad = enc.encode(
    formatReportCsv(model.report).replace(/,A,E,/g, (m, at: number) => (at % 5 === 0 ? ',Q,E,' : m)),
  );
  const ctx = baseContext({ mba: { code: model.report.mba, state: 'XA' } });

  it('lets timers run between slices, and answers as the synchronous functions', async () => {
    for (const [bytes, format] of [
      [csv, 'csv'],
      [bad, 'csv'],
      [enc.encode(formatReportJson(model.report)), 'json'],
    ] as const) {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const sliced = await runInSlices(
        format === 'csv' ? parseReportCsvSteps(bytes) : parseReportJsonSteps(bytes),
      );
      const whole = format === 'csv' ? parseReportCsv(bytes) : parseReportJson(bytes);
      expect(sliced).toStrictEqual(whole);
      const report = sliced.ok ? sliced.report : sliced.partial?.report;
      if (report === undefined) throw new Error('a report (or its readable part) is expected');
      const partial = sliced.ok ? undefined : sliced.partial;
      const options = partial === undefined ? {} : { partial };
      const checked = await runInSlices(validateReportSteps(report, ctx, options));
      clearInterval(timer);
      expect(checked).toStrictEqual(validateReport(report, ctx, options));
      expect(ticks).toBeGreaterThan(1);
      // The unknown KMPs are found (and only there): the comparison is not between two empty lists.
      expect(checked.errors.some((d) => d.code === 'UNKNOWN_KMP')).toBe(bytes === bad);
    }
  });
});
