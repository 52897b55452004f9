import { describe, expect, it } from 'vitest';
import { DECLARATION_ARTICLES } from './articles.js';
import { parseDeclarationJson, quarterOf, toMilli, validateDeclaration } from './validate.js';

const exportItem = {
  annexRef: '5.1',
  description: 'Gas centrifuge rotor assemblies',
  quantity: 12,
  destinationState: 'XB',
  intendedUseLocation: 'Borduria Enrichment Plant',
  exportDate: '2026-02-10',
};
const q1 = { from: '2026-01-01', to: '2026-03-31' };

describe('validateDeclaration', () => {
  it('accepts an Annex II export declaration and keeps the fields in schema order', () => {
    const r = validateDeclaration({ state: 'XA', article: '2.a.ix', period: q1, items: [exportItem] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(Object.keys(r.declaration.items[0] ?? {})).toEqual(Object.keys(exportItem));
  });

  it('accepts an empty declaration (nothing to declare, or no change: Art. 3.b)', () => {
    expect(
      validateDeclaration({
        state: 'XA',
        article: '2.a.i',
        period: { from: '2026-01-01', to: '2026-12-31' },
        items: [],
      }).ok,
    ).toBe(true);
  });

  it('lists every problem at once, each with its item index and field', () => {
    const r = validateDeclaration({
      state: 'XA',
      article: '2.a.ix',
      period: q1,
      extra: 1,
      items: [
        exportItem,
        { ...exportItem, annexRef: '9.9', quantity: -1, destinationState: 'XA', exportDate: '2026-04-01' },
        { ...exportItem, quantity: 1.2345, colour: 'red', intendedUseLocation: undefined },
        'not an object',
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const got = r.details.map((d) => [d.item, d.field, d.code]);
    expect(got).toEqual([
      [undefined, 'extra', 'FIELD_UNKNOWN'],
      [1, 'annexRef', 'ANNEX_REF_UNKNOWN'],
      [1, 'quantity', 'OUT_OF_RANGE'],
      [1, 'destinationState', 'COUNTERPART_INVALID'],
      [1, 'exportDate', 'DATE_OUTSIDE_PERIOD'],
      [2, 'colour', 'FIELD_UNKNOWN'],
      [2, 'quantity', 'FIELD_FORMAT'],
      [2, 'intendedUseLocation', 'FIELD_MISSING'],
      [3, '', 'FIELD_TYPE'],
    ]);
  });

  it('wants an Annex II export declaration to cover one calendar quarter', () => {
    const r = validateDeclaration({
      state: 'XA',
      article: '2.a.ix',
      period: { from: '2026-01-01', to: '2026-04-30' },
      items: [],
    });
    expect(r.ok ? [] : r.details.map((d) => d.code)).toEqual(['PERIOD_INVALID']);
  });

  it('checks the envelope: state, article, period order and the supplement id', () => {
    const r = validateDeclaration({
      state: 'xa',
      article: '2.c',
      period: { from: '2026-02-01', to: '2026-01-01' },
      items: {},
      supplements: '',
    });
    expect(r.ok ? [] : r.details.map((d) => `${d.field}:${d.code}`)).toEqual([
      'state:FIELD_FORMAT',
      'article:UNKNOWN',
      'period:DATE_ORDER',
      'supplements:FIELD_FORMAT',
      'items:FIELD_TYPE',
    ]);
  });

  it('checks the confirmation of an import (2.a.ix.b) and source-material trade (2.a.vi.b)', () => {
    const ok = validateDeclaration({
      state: 'XB',
      article: '2.a.ix.b',
      period: q1,
      items: [{ annexRef: '5.1', quantity: 12, originState: 'XA', importDate: '2026-03-01' }],
    });
    expect(ok.ok).toBe(true);
    const bad = validateDeclaration({
      state: 'XA',
      article: '2.a.vi.b',
      period: { from: '2026-01-01', to: '2026-12-31' },
      items: [
        {
          element: 'Pu',
          chemicalComposition: 'UOC',
          quantityKg: '5',
          destinationState: 'XB',
          exportDate: '2026-13-01',
        },
      ],
    });
    expect(bad.ok ? [] : bad.details.map((d) => `${d.field}:${d.code}`)).toEqual([
      'element:FIELD_FORMAT',
      'quantityKg:FIELD_TYPE',
      'exportDate:FIELD_FORMAT',
    ]);
  });

  it('wants one site map per site (2.a.iii) and ten-year plans within ten years (2.a.x)', () => {
    const map1 = `sha256:${'a'.repeat(64)}`;
    const map2 = `sha256:${'b'.repeat(64)}`;
    const r = validateDeclaration({
      state: 'XA',
      article: '2.a.iii',
      period: { from: '2026-01-01', to: '2026-12-31' },
      items: [
        { site: 'XA-NPP', building: 'B1', description: 'reactor hall', siteMap: map1 },
        { site: 'XA-NPP', building: 'B2', description: 'workshop', siteMap: map2 },
        { site: 'XA-FAB', building: 'F1', description: 'pellet line', siteMap: 'map.pdf' },
      ],
    });
    expect(r.ok ? [] : r.details.map((d) => [d.item, d.field, d.code])).toEqual([
      [2, 'siteMap', 'FIELD_FORMAT'],
      [1, 'siteMap', 'FIELD_CONFLICT'],
    ]);
    const plans = validateDeclaration({
      state: 'XA',
      article: '2.a.x',
      period: { from: '2026-01-01', to: '2026-12-31' },
      items: [{ subject: 'enrichment', plan: 'none', fromYear: '2027', toYear: '2040' }],
    });
    expect(plans.ok ? [] : plans.details.map((d) => d.code)).toEqual(['DATE_ORDER']);
  });

  it('has a schema for every article', () => {
    for (const article of DECLARATION_ARTICLES) {
      const r = validateDeclaration({ state: 'XA', article, period: q1, items: [{}] });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.details.every((d) => d.item === 0 && d.code === 'FIELD_MISSING')).toBe(true);
    }
  });
});

describe('parseDeclarationJson', () => {
  it('says MALFORMED for bytes that are not UTF-8 JSON', () => {
    const r = parseDeclarationJson(new Uint8Array([0x7b, 0xff]));
    expect(r.ok ? [] : r.details.map((d) => d.code)).toEqual(['MALFORMED']);
  });
});

describe('quarters and quantities', () => {
  it('recognises exactly the calendar quarters, leap years included', () => {
    expect(quarterOf('2028-01-01', '2028-03-31')).toEqual({ year: 2028, quarter: 1 });
    expect(quarterOf('2026-10-01', '2026-12-31')).toEqual({ year: 2026, quarter: 4 });
    expect(quarterOf('2026-01-01', '2026-03-30')).toBeUndefined();
    expect(quarterOf('2026-02-01', '2026-04-30')).toBeUndefined();
  });
  it('compares quantities exactly in thousandths', () => {
    expect(toMilli(0.1 + 0.2)).toBe(300);
    expect(toMilli(12)).toBe(12_000);
  });
});
