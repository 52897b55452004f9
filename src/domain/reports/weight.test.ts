import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWeight, formatWeightText, MAX_WEIGHT_MG, parseWeight } from './weight.js';

const code = (input: string | number, signed = false) => {
  const r = parseWeight(input, { signed });
  return r.ok ? r.mg : r.code;
};

describe('parseWeight', () => {
  it('reads decimal grams into exact milligrams', () => {
    expect(code('125000.5')).toBe(125000500);
    expect(code(125000.5)).toBe(125000500);
    expect(code(0.1)).toBe(100);
    expect(code(4500.25)).toBe(4500250);
    expect(code('0.001')).toBe(1);
    expect(code('1.5000')).toBe(1500); // trailing zeros are not precision
    expect(code('1.25e3')).toBe(1250000);
    expect(code('+2')).toBe(2000);
    expect(code('.5')).toBe(500);
    expect(code('-0')).toBe(0);
    expect(code(-0)).toBe(0);
    expect(code('999999999999.999')).toBe(MAX_WEIGHT_MG);
  });

  it('refuses sub-milligram digits, negatives where unsigned, out-of-range and non-numbers', () => {
    expect(code('1.0001')).toBe('WEIGHT_PRECISION');
    expect(code(1.0001)).toBe('WEIGHT_PRECISION');
    expect(code(1e-7)).toBe('WEIGHT_PRECISION');
    expect(code('0.0000001e3')).toBe('WEIGHT_PRECISION');
    expect(code('-1.5')).toBe('NEGATIVE_WEIGHT');
    expect(code(-1.5)).toBe('NEGATIVE_WEIGHT');
    expect(code('-1.5', true)).toBe(-1500);
    expect(code(-1.5, true)).toBe(-1500);
    expect(code('1000000000000')).toBe('OUT_OF_RANGE');
    expect(code(1e21)).toBe('OUT_OF_RANGE');
    expect(code('1e999999')).toBe('OUT_OF_RANGE');
    expect(code(2 ** 53)).toBe('OUT_OF_RANGE');
    for (const bad of ['', ' 1', '1 ', '1,5', 'abc', '0x10', '1e', '.', '-', 'Infinity', '1_000']) {
      expect(code(bad), bad).toBe('FIELD_FORMAT');
    }
    expect(code(Number.NaN)).toBe('FIELD_FORMAT');
    expect(parseWeight('1,5', { decimalComma: true })).toEqual({ ok: true, mg: 1500 });
  });

  it('round-trips every milligram value through JSON numbers and CSV text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_WEIGHT_MG, max: MAX_WEIGHT_MG }), (mg) => {
        expect(parseWeight(formatWeight(mg), { signed: true })).toEqual({ ok: true, mg: mg === 0 ? 0 : mg });
        expect(parseWeight(formatWeightText(mg), { signed: true })).toEqual({
          ok: true,
          mg: mg === 0 ? 0 : mg,
        });
        // through JSON text as well
        expect(parseWeight(JSON.parse(JSON.stringify(formatWeight(mg))) as number, { signed: true })).toEqual(
          {
            ok: true,
            mg: mg === 0 ? 0 : mg,
          },
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees between the number fast path and the decimal text of the number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseWeight(x, { signed: true })).toEqual(parseWeight(String(x), { signed: true }));
      }),
      { numRuns: 3000 },
    );
  });

  it('formats exact decimal text', () => {
    expect(formatWeightText(125000500)).toBe('125000.5');
    expect(formatWeightText(1)).toBe('0.001');
    expect(formatWeightText(-1500)).toBe('-1.5');
    expect(formatWeightText(0)).toBe('0');
    expect(formatWeight(4500250)).toBe(4500.25);
  });
});
