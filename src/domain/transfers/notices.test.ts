import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, computeEkg, toDayNumber } from '../accounting/index.js';
import { checkNotices, compareNoticeOrder, NoticeFlowCheck, noticeRecheckSpan } from './notices.js';
import type { AdvanceNotice, TransferLine } from './transfer.types.js';

const line = (
  id: string,
  date: string,
  weightMg: number,
  over: Partial<TransferLine> = {},
): TransferLine => ({
  id,
  state: 'AA',
  mba: 'AA01',
  counterpart: { state: 'BB' },
  code: 'SF',
  batch: id,
  element: 'P',
  date,
  weightMg,
  ...over,
});
const notice = (reference: string, over: Partial<AdvanceNotice> = {}): AdvanceNotice => ({
  reference,
  kind: 'EXPORT',
  state: 'AA',
  otherState: 'BB',
  submitted: '2024-01-01',
  preparationDate: '2024-01-20',
  dispatchDate: '2024-01-25',
  arrivalDate: '2024-01-30',
  ...over,
});

describe('checkNotices (domain.md §2 advance notices)', () => {
  it('requires a notice above 1 ekg, not at or below it', () => {
    const f = checkNotices([line('a', '2024-02-01', 1_000_001), line('b', '2024-08-01', 1_000_000)], []);
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_MISSING', 'a', 'OVER_THRESHOLD'],
    ]);
  });

  it('aggregates shipments to one state within 3 months', () => {
    // 0.4 + 0.4 + 0.3 = 1.1 ekg between 1 Jan and 31 Mar; the April shipment falls outside the
    // window of the first (1 Apr is 3 months after 1 Jan) but with the two before it adds up
    // 0.4 + 0.3 + 0.4 = 1.1 again. The one to another state does not count.
    const f = checkNotices(
      [
        line('a', '2024-01-01', 400_000),
        line('b', '2024-02-01', 400_000),
        line('c', '2024-03-31', 300_000, { notice: 'N1' }),
        line('d', '2024-04-01', 400_000),
        line('x', '2024-02-01', 900_000, { counterpart: { state: 'CC' } }),
        line('z', '2024-12-01', 400_000),
      ],
      [notice('N1', { preparationDate: '2024-03-20', submitted: '2024-03-01' })],
    );
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_MISSING', 'a', 'AGGREGATE_OVER_THRESHOLD'],
      ['NOTICE_MISSING', 'b', 'AGGREGATE_OVER_THRESHOLD'],
      ['NOTICE_MISSING', 'd', 'AGGREGATE_OVER_THRESHOLD'],
    ]);
    expect(f[0]!.ekg).toBeCloseTo(1.1, 12);
  });

  it('flags a late export notice (< 14 days before preparation) and a late import notice', () => {
    const f = checkNotices(
      [
        line('ok', '2024-01-25', 2_000_000, { notice: 'E1' }),
        line('late', '2024-01-25', 2_000_000, { notice: 'E2' }),
        line('in', '2024-03-10', 2_000_000, { code: 'RF', notice: 'I1', counterpart: { state: 'BB' } }),
        line('in-ok', '2024-03-10', 2_000_000, { code: 'RF', notice: 'I2', counterpart: { state: 'BB' } }),
        line('wrong-kind', '2024-03-10', 2_000_000, {
          code: 'RF',
          notice: 'E1',
          counterpart: { state: 'BB' },
        }),
        line('domestic', '2024-03-10', 9_000_000, { code: 'SD' }),
      ],
      [
        notice('E1', { submitted: '2024-01-06' }),
        notice('E2', { submitted: '2024-01-07' }),
        notice('I1', { kind: 'IMPORT', submitted: '2024-03-11' }),
        notice('I2', { kind: 'IMPORT', submitted: '2024-03-10' }),
      ],
    );
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_LATE', 'late', 'EXPORT_LEAD_TIME'],
      ['NOTICE_LATE', 'in', 'IMPORT_AFTER_RECEIPT'],
      ['NOTICE_MISSING', 'wrong-kind', 'OVER_THRESHOLD'],
    ]);
  });

  it('counts uranium by effective kilograms', () => {
    // 10 t of LEU at 3 %: 10 000 kg × 0.03² = 9 ekg.
    const f = checkNotices(
      [line('u', '2024-01-01', 10_000_000_000, { element: 'E', fissileMg: 300_000_000 })],
      [],
    );
    expect(f[0]!.ekg).toBeCloseTo(9, 9);
  });
});

/**
 * The rule as domain.md states it, line by line with direct sums (quadratic; for the property
 * below): a line without a valid notice needs one when some window of 3 months holding it adds up
 * to more than 1 ekg; the total named is that of the first such window, the window of the first
 * line j at or after it (in (day, id) order) that is within its own window and whose window of
 * the lines back to 3 months before it adds up to more than 1 ekg.
 */
function naiveMissing(lines: readonly TransferLine[]): Map<string, number> {
  const sorted = [...lines].sort(compareNoticeOrder);
  const day = sorted.map((l) => toDayNumber(l.date));
  const end = sorted.map((l) => toDayNumber(addMonths(l.date, 3)));
  const ekg = sorted.map((l) => computeEkg(l.element, l.weightMg, l.fissileMg));
  const out = new Map<string, number>();
  for (let k = 0; k < sorted.length; k++) {
    for (let j = k; j < sorted.length && (day[j] as number) < (end[k] as number); j++) {
      let sum = 0;
      for (let i = 0; i <= j; i++) if ((end[i] as number) > (day[j] as number)) sum += ekg[i] as number;
      if (sum > 1 + 1e-9) {
        out.set((sorted[k] as TransferLine).id, sum);
        break;
      }
    }
  }
  return out;
}

describe('NoticeFlowCheck', () => {
  const flowLine = fc.record({
    day: fc.integer({ min: 0, max: 900 }),
    grams: fc.integer({ min: 1, max: 700 }),
  });

  it('finds what the rule finds, line by line, for any flow', () => {
    fc.assert(
      fc.property(fc.array(flowLine, { maxLength: 60 }), (spec) => {
        const lines = spec.map((s, i) =>
          line(`l${i}`, new Date(Date.UTC(2024, 0, 1 + s.day)).toISOString().slice(0, 10), s.grams * 1000),
        );
        const want = naiveMissing(lines);
        const got = new Map(checkNotices(lines, []).map((f) => [f.transfer.id, f]));
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [id, f] of got) {
          expect(f.code).toBe('NOTICE_MISSING');
          const single = computeEkg('P', f.transfer.weightMg, undefined) > 1;
          expect(f.reason).toBe(single ? 'OVER_THRESHOLD' : 'AGGREGATE_OVER_THRESHOLD');
          if (!single) expect(f.ekg).toBeCloseTo(want.get(id) as number, 9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('settles each line once its window has passed, so a flow of decades holds three months', () => {
    const check = new NoticeFlowCheck();
    let settled = 0;
    let most = 0;
    // Twenty years of a shipment every ten days, 0.4 ekg each: every line is in a window over 1 ekg.
    const n = 730;
    for (let i = 0; i < n; i++) {
      const date = new Date(Date.UTC(2000, 0, 1 + 10 * i)).toISOString().slice(0, 10);
      const out = check.push(line(`s${String(i).padStart(4, '0')}`, date, 400_000), undefined);
      for (const s of out) expect(s.finding?.code).toBe('NOTICE_MISSING');
      settled += out.length;
      most = Math.max(most, check.holding);
    }
    settled += check.end().length;
    expect(settled).toBe(n);
    // A window of 3 months holds at most ten lines ten days apart (92 days / 10, and the new one).
    expect(most).toBeLessThanOrEqual(10);
    expect(check.holding).toBe(0);
  });

  it('a change reaches only the lines its recheck span writes, and the span reads what they need', () => {
    const dateOf = (day: number) => new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
    const codes = (lines: readonly TransferLine[]) =>
      new Map(
        checkNotices(lines, []).map((f) => [f.transfer.id, `${f.code} ${f.reason} ${f.ekg.toFixed(6)}`]),
      );
    fc.assert(
      fc.property(
        // About one line a month of 0.05 to 0.7 ekg: windows cross the threshold a line more or
        // less, so every line a window holds counts.
        fc.array(
          fc.record({ day: fc.integer({ min: 0, max: 1100 }), grams: fc.integer({ min: 50, max: 700 }) }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 1100 }),
        fc.integer({ min: 50, max: 700 }),
        fc.boolean(),
        (spec, changeDay, changeGrams, remove) => {
          const before = spec.map((x, i) =>
            line(`l${String(i).padStart(3, '0')}`, dateOf(x.day), x.grams * 1000),
          );
          // The change: a line taken out (dated as it was), or one more on `changeDay`.
          const gone = before[changeDay % before.length] as TransferLine;
          const after = remove
            ? before.filter((l) => l !== gone)
            : [...before, line('new', dateOf(changeDay), changeGrams * 1000)];
          const changed = remove ? gone.date : dateOf(changeDay);
          const span = noticeRecheckSpan(changed, changed);
          const was = codes(before);
          const is = codes(after);
          // Outside the span the change moved no finding.
          for (const l of before) {
            if (l === gone && remove) continue;
            if (l.date >= span.write.from && l.date <= span.write.to) continue;
            expect(is.get(l.id), `${l.id} ${l.date}, change on ${changed}`).toBe(was.get(l.id));
          }
          // Inside it, the lines read settle as the whole flow does.
          const check = new NoticeFlowCheck();
          const got = new Map<string, string | undefined>();
          const read = after
            .filter((l) => l.date >= span.read.from && l.date < span.read.before)
            .sort(compareNoticeOrder);
          const keep = (
            settled: readonly {
              line: TransferLine;
              finding?: { code: string; reason: string; ekg: number } | undefined;
            }[],
          ) => {
            for (const x of settled)
              got.set(
                x.line.id,
                x.finding && `${x.finding.code} ${x.finding.reason} ${x.finding.ekg.toFixed(6)}`,
              );
          };
          for (const l of read) keep(check.push(l, undefined));
          keep(check.end());
          for (const l of after) {
            if (l.date < span.write.from || l.date > span.write.to) continue;
            expect(got.get(l.id), `${l.id} ${l.date}, change on ${changed}`).toBe(is.get(l.id));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads every line a written line depends on, at both edges of the span', () => {
    const span = noticeRecheckSpan('2024-09-15', '2024-09-15');
    const settle = (lines: readonly TransferLine[]) => {
      const check = new NoticeFlowCheck();
      const read = lines.filter((l) => l.date >= span.read.from && l.date < span.read.before);
      const out = [...read.flatMap((l) => check.push(l, undefined)), ...check.end()];
      return new Map(out.map((o) => [o.line.id, o.finding?.code]));
    };
    // The first line written needs a notice only with a line two and a half months before it…
    const first = line('first', span.write.from, 500_000);
    const before = line('before', addMonths(span.write.from, -3).replace(/-\d\d$/, '-28'), 600_000);
    expect(checkNotices([before, first], []).map((f) => f.transfer.id)).toEqual(['before', 'first']);
    expect(settle([before, first]).get('first')).toBe('NOTICE_MISSING');
    // …and the last one only with a line two and a half months after it.
    const last = line('last', span.write.to, 500_000);
    const after = line('after', addMonths(span.write.to, 3).replace(/-\d\d$/, '-01'), 600_000);
    expect(checkNotices([last, after], []).map((f) => f.transfer.id)).toEqual(['last', 'after']);
    expect(settle([last, after]).get('last')).toBe('NOTICE_MISSING');
  });
});
