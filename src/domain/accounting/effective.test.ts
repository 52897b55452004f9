import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeEffectiveLines, type SourcedIcrLine } from './effective.js';
import { icr } from './golden.fixture.js';

describe('computeEffectiveLines (domain.md §2 corrections)', () => {
  const base = [
    icr(1, 1, '2024-01-05', 'RD', 'K', 'P', 1000),
    icr(1, 2, '2024-01-06', 'SD', 'K', 'P', 400),
    icr(1, 3, '2024-01-07', 'LD', 'K', 'P', 7),
  ];

  it('replaces a corrected line, removes a deleted one and keeps the history', () => {
    const view = computeEffectiveLines([
      ...base,
      icr(2, 1, '2024-01-05', 'RD', 'K', 'P', 1001, { corrects: { reportNumber: 1, line: 1 } }),
      icr(2, 2, '2024-01-07', 'LD', 'K', 'P', 0, { deletes: { reportNumber: 1, line: 3 } }),
    ]);
    expect(view.lines.map((l) => [l.reportNumber, l.line, l.weightMg])).toEqual([
      [2, 1, 1001],
      [1, 2, 400],
    ]);
    expect(view.entries).toHaveLength(3);
    expect(view.entries[0]!.history.map((l) => l.weightMg)).toEqual([1000, 1001]);
    expect(view.entries[2]!.current).toBeUndefined();
    expect(view.entries[2]!.history).toHaveLength(2);
    expect(view.orphans).toEqual([]);
  });

  it('follows chains: a correction of a correction replaces the original', () => {
    const view = computeEffectiveLines([
      ...base,
      icr(2, 1, '2024-01-05', 'RD', 'K', 'P', 1001, { corrects: { reportNumber: 1, line: 1 } }),
      icr(3, 4, '2024-01-05', 'RD', 'K', 'P', 1002, { corrects: { reportNumber: 2, line: 1 } }),
      icr(4, 1, '2024-01-06', 'SD', 'K', 'P', 0, { deletes: { reportNumber: 1, line: 2 } }),
      // Correcting the deletion reinstates the line with new content.
      icr(5, 1, '2024-01-06', 'SD', 'K', 'P', 399, { corrects: { reportNumber: 4, line: 1 } }),
    ]);
    expect(view.lines.map((l) => l.weightMg)).toEqual([1002, 399, 7]);
    expect(view.entries[0]!.history.map((l) => l.reportNumber)).toEqual([1, 2, 3]);
  });

  it('reports a correction of an unknown or later line and a repeated line as orphans', () => {
    const view = computeEffectiveLines([
      ...base,
      icr(2, 1, '2024-01-05', 'RD', 'K', 'P', 5, { corrects: { reportNumber: 9, line: 1 } }),
      icr(1, 3, '2024-01-07', 'LD', 'K', 'P', 8),
    ]);
    expect(view.orphans.map((o) => o.reason).sort()).toEqual(['DUPLICATE_LINE', 'TARGET_UNKNOWN']);
    expect(view.lines.map((l) => l.weightMg)).toEqual([1000, 400, 7]);
  });

  it('does not depend on arrival order (property)', () => {
    const lines: SourcedIcrLine[] = [
      ...base,
      icr(2, 1, '2024-01-05', 'RD', 'K', 'P', 1001, { corrects: { reportNumber: 1, line: 1 } }),
      icr(3, 1, '2024-01-05', 'RD', 'K', 'P', 1003, { corrects: { reportNumber: 2, line: 1 } }),
      icr(3, 2, '2024-01-07', 'LD', 'K', 'P', 0, { deletes: { reportNumber: 1, line: 3 } }),
      icr(4, 1, '2024-01-09', 'RD', 'K', 'P', 50),
    ];
    const expected = computeEffectiveLines(lines);
    fc.assert(
      fc.property(fc.shuffledSubarray(lines, { minLength: lines.length }), (shuffled) => {
        expect(computeEffectiveLines(shuffled)).toEqual(expected);
      }),
    );
  });
});
