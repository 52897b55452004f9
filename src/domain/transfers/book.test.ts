import { describe, expect, it } from 'vitest';
import {
  allMatches,
  clearTransferLines,
  createTransferBook,
  putTransferLine,
  setTransferNotices,
  settleTransfers,
  transferAlarmsOf,
} from './book.js';
import { collectTransferAlarms, matchTransfers } from './match.js';
import { checkNotices } from './notices.js';
import type { AdvanceNotice, TransferLine } from './transfer.types.js';

function generator(seed: number) {
  let x = seed >>> 0;
  return (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 4294967296) * n);
  };
}

const MBAS = [
  { mba: 'AA-1', state: 'AA' },
  { mba: 'AA-2', state: 'AA' },
  { mba: 'BB-1', state: 'BB' },
  { mba: 'CC-1', state: 'CC' },
];

function randomLine(rnd: (n: number) => number, at: { mba: string; state: string }, k: number): TransferLine {
  const other = MBAS[rnd(MBAS.length)]!;
  const foreign = other.state !== at.state;
  const shipment = rnd(2) === 0;
  return {
    id: `${at.mba}/${k}`,
    state: at.state,
    mba: at.mba,
    counterpart: rnd(4) === 0 ? { state: other.state } : { state: other.state, mba: other.mba },
    code: shipment ? (foreign ? 'SF' : 'SD') : foreign ? 'RF' : 'RD',
    batch: `B${rnd(6)}`,
    element: rnd(3) === 0 ? 'P' : 'E',
    date: `2024-0${1 + rnd(6)}-1${rnd(9)}`,
    weightMg: 1_000_000 * (1 + rnd(3)) + rnd(20_000),
    fissileMg: 40_000,
    ...(rnd(3) === 0 ? { notice: `N${rnd(3)}` } : {}),
    basis: ['M', 'N', 'F'][rnd(3)]!,
    random: 0.002,
    systematic: 0.001,
    ...(rnd(2) === 0 ? { measuredMg: 1_000_000 + rnd(20_000) } : {}),
  };
}

/** What the whole-world functions give for the lines in world order. */
function expected(lines: Map<string, Map<number, TransferLine>>, asOf: string, notices: AdvanceNotice[]) {
  const ordered: TransferLine[] = [];
  for (const { mba } of MBAS) {
    const m = lines.get(mba);
    if (m) for (const seq of [...m.keys()].sort((a, b) => a - b)) ordered.push(m.get(seq)!);
  }
  const shipments = ordered.filter((l) => l.code.startsWith('S'));
  const receipts = ordered.filter((l) => l.code.startsWith('R'));
  const { matches } = matchTransfers(shipments, receipts, { asOf });
  const findings = checkNotices(ordered, notices);
  const alarms = (mba: string) =>
    [
      ...collectTransferAlarms(matches)
        .filter((a) => a.mba === mba)
        .map((a) => a.alarm),
      ...findings
        .filter((f) => f.transfer.mba === mba)
        .map((f) => ({
          date: f.transfer.date,
          code: f.code,
          element: f.transfer.element,
          ref: f.transfer.id,
        })),
    ].sort((a, b) => (a.ref + a.code < b.ref + b.code ? -1 : 1));
  return { matches, alarms };
}

describe('TransferBook (incremental matching and notice checks)', () => {
  it('gives after every change what matching and checking the whole world gives', () => {
    const notices: AdvanceNotice[] = [0, 1, 2].map((i) => ({
      reference: `N${i}`,
      kind: i === 1 ? 'IMPORT' : 'EXPORT',
      state: i === 1 ? 'BB' : 'AA',
      otherState: 'BB',
      submitted: `2024-0${2 + i}-01`,
      preparationDate: '2024-03-01',
      dispatchDate: '2024-03-05',
      arrivalDate: '2024-03-10',
    }));
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = generator(seed);
      const book = createTransferBook();
      setTransferNotices(book, notices);
      const lines = new Map<string, Map<number, TransferLine>>();
      let k = 0;
      for (let step = 0; step < 40; step++) {
        const at = MBAS[rnd(MBAS.length)]!;
        const seq = rnd(12);
        const m = lines.get(at.mba) ?? new Map<number, TransferLine>();
        lines.set(at.mba, m);
        if (rnd(10) === 0) {
          clearTransferLines(book, at.mba);
          m.clear();
        } else if (m.has(seq) && rnd(3) === 0) {
          putTransferLine(book, at.mba, seq, undefined);
          m.delete(seq);
        } else {
          const line = randomLine(rnd, at, k++);
          putTransferLine(book, at.mba, seq, line);
          m.set(seq, line);
        }
        const asOf = `2024-${String(3 + rnd(8)).padStart(2, '0')}-15`;
        settleTransfers(book, asOf);
        const want = expected(lines, asOf, notices);
        expect(
          allMatches(
            book,
            MBAS.map((x) => x.mba),
          ),
        ).toEqual(want.matches);
        for (const x of MBAS) {
          const got = transferAlarmsOf(book, x.mba).sort((a, b) =>
            a.ref! + a.code < b.ref! + b.code ? -1 : 1,
          );
          expect(got).toEqual(want.alarms(x.mba));
        }
      }
    }
  });

  it('reports the MBAs whose alarms change when the date passes a grace period', () => {
    const book = createTransferBook();
    const rnd = generator(3);
    const line = { ...randomLine(rnd, MBAS[0]!, 1), code: 'SD', date: '2024-01-10' };
    putTransferLine(book, 'AA-1', 0, line);
    expect(settleTransfers(book, '2024-01-20')).toEqual(new Set(['AA-1']));
    expect(transferAlarmsOf(book, 'AA-1')).toEqual([]);
    expect(settleTransfers(book, '2024-02-01')).toEqual(new Set());
    // The receiver's ICR deadline of a January line is 2 March.
    expect(settleTransfers(book, '2024-03-02')).toEqual(new Set(['AA-1']));
    expect(transferAlarmsOf(book, 'AA-1').map((a) => a.code)).toEqual(['TRANSFER_UNMATCHED']);
  });
});
