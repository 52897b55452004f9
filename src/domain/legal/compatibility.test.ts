import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  allowedNextSteps,
  type BindingProvision,
  buildMatrix,
  type CompatibilityEntry,
  checkCompatibilityInput,
  checkStepOrder,
  entryOfStep,
  isProvisionRef,
} from './compatibility.js';
import { parseStepBody, STEP_BODY_TYPE } from './compatibility-step.js';

const provisions: BindingProvision[] = [
  { ref: 'INFCIRC/153 para 7', instrument: 'CSA-XA', text: 'State system of accounting' },
  { ref: 'INFCIRC/153 para 62', instrument: 'CSA-XA', text: 'Initial report' },
  { ref: 'INFCIRC/540 Art. 2.a.(ix)', instrument: 'AP-XA', text: 'Annex II exports' },
];

function entry(provision: string, status: CompatibilityEntry['status'], version = 1): CompatibilityEntry {
  return {
    state: 'XA',
    provision,
    version,
    status,
    domestic: null,
    note: null,
    evidence: null,
    step: null,
    at: '2026-12-01T00:00:00.000Z',
    by: 'u1',
  };
}

function refusal(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('buildMatrix', () => {
  it('lists every binding provision, not reviewed where the state said nothing, and gaps', () => {
    const latest = new Map([
      ['INFCIRC/153 para 7', entry('INFCIRC/153 para 7', 'implemented')],
      ['INFCIRC/540 Art. 2.a.(ix)', entry('INFCIRC/540 Art. 2.a.(ix)', 'conflicting', 3)],
      // an entry for a provision the state is no longer bound by stays out of the matrix
      ['OLD para 1', entry('OLD para 1', 'missing')],
    ]);
    const m = buildMatrix('XA', provisions, latest);
    expect(m.rows.map((r) => [r.provision.ref, r.status])).toEqual([
      ['INFCIRC/153 para 7', 'implemented'],
      ['INFCIRC/153 para 62', 'not-reviewed'],
      ['INFCIRC/540 Art. 2.a.(ix)', 'conflicting'],
    ]);
    expect(m.gaps.map((r) => r.provision.ref)).toEqual(['INFCIRC/540 Art. 2.a.(ix)']);
    expect(m.summary).toEqual({ implemented: 1, partial: 0, missing: 0, conflicting: 1, 'not-reviewed': 1 });
  });
  it('counts partial and missing as gaps, implemented not', () => {
    const m = buildMatrix(
      'XA',
      provisions,
      new Map([
        ['INFCIRC/153 para 7', entry('INFCIRC/153 para 7', 'partial')],
        ['INFCIRC/153 para 62', entry('INFCIRC/153 para 62', 'missing')],
      ]),
    );
    expect(m.gaps.map((r) => r.status)).toEqual(['partial', 'missing']);
  });
});

describe('provision refs', () => {
  it('accept citations with spaces, slashes, dots and brackets; refuse control characters and padding', () => {
    expect(isProvisionRef('INFCIRC/540 Art. 2.a.(ix)')).toBe(true);
    expect(isProvisionRef('Act 12/2019 § 4(2)')).toBe(true);
    expect(isProvisionRef('')).toBe(false);
    expect(isProvisionRef(' para 1')).toBe(false);
    expect(isProvisionRef('para\n1')).toBe(false);
    expect(isProvisionRef('x'.repeat(121))).toBe(false);
  });
});

describe('checkCompatibilityInput', () => {
  it('refuses a domestic provision that ends before it starts', () => {
    const e = refusal(() =>
      checkCompatibilityInput({
        status: 'implemented',
        domestic: { act: 'A', section: '1', text: 't', inForceFrom: '2026-01-02', inForceTo: '2026-01-01' },
      }),
    );
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.details).toEqual([expect.objectContaining({ field: 'domestic.inForceTo', code: 'DATE_ORDER' })]);
  });
  it('accepts a one-day provision', () => {
    expect(() =>
      checkCompatibilityInput({
        status: 'partial',
        domestic: { act: 'A', section: '1', text: 't', inForceFrom: '2026-01-01', inForceTo: '2026-01-01' },
      }),
    ).not.toThrow();
  });
});

describe('the review workflow', () => {
  it('starts with a review, proposes after a review, adopts only a proposal', () => {
    expect(allowedNextSteps(undefined)).toEqual(['review']);
    expect(allowedNextSteps('review')).toEqual(['review', 'amendment']);
    expect(allowedNextSteps('amendment')).toEqual(['review', 'amendment', 'adoption']);
    expect(allowedNextSteps('adoption')).toEqual(['review']);
    expect(() => checkStepOrder('amendment', 'adoption')).not.toThrow();
    const e = refusal(() => checkStepOrder('review', 'adoption'));
    expect(e.code).toBe('INVALID_TRANSITION');
    expect(e.details).toEqual({ from: 'review', to: 'adoption', allowed: ['review', 'amendment'] });
    expect(refusal(() => checkStepOrder(undefined, 'amendment')).code).toBe('INVALID_TRANSITION');
  });
  it('a review sets what it found, a proposal sets nothing, an adoption makes the text law from its date', () => {
    const base = { v: 1, type: STEP_BODY_TYPE, state: 'XA', provision: 'P 1', seq: 1 } as const;
    const domestic = { act: 'Nuclear Act', section: '12', text: 'The regulator keeps records.' };
    expect(entryOfStep({ ...base, step: 'review', status: 'missing', note: 'no provision' })).toEqual({
      status: 'missing',
      note: 'no provision',
    });
    expect(entryOfStep({ ...base, step: 'amendment', domestic })).toBeUndefined();
    expect(entryOfStep({ ...base, step: 'adoption', domestic, adoptedOn: '2026-11-30' })).toEqual({
      status: 'implemented',
      domestic: { ...domestic, inForceFrom: '2026-11-30' },
    });
    expect(
      entryOfStep({
        ...base,
        step: 'adoption',
        status: 'partial',
        domestic: { ...domestic, inForceFrom: '2027-01-01' },
        adoptedOn: '2026-11-30',
      }),
    ).toEqual({ status: 'partial', domestic: { ...domestic, inForceFrom: '2027-01-01' } });
  });
});

describe('parseStepBody', () => {
  const where = { state: 'XA', provision: 'INFCIRC/153 para 62' };
  const bytes = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
  const good = {
    v: 1,
    type: STEP_BODY_TYPE,
    state: 'XA',
    provision: 'INFCIRC/153 para 62',
    seq: 2,
    step: 'adoption',
    adoptedOn: '2026-11-30',
    domestic: {
      act: 'Act 7/2026',
      section: '§ 3',
      text: 'Initial report within 30 days.',
      institution: 'regulator',
    },
  };
  it('reads a valid adoption', () => {
    expect(parseStepBody(bytes(good), where)).toEqual(good);
  });
  it('refuses what is not JSON', () => {
    const e = refusal(() => parseStepBody(bytes('{'), where));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.details).toEqual([expect.objectContaining({ code: 'MALFORMED' })]);
    expect(refusal(() => parseStepBody(new Uint8Array([0xff, 0xfe]), where)).code).toBe('VALIDATION_FAILED');
    expect(refusal(() => parseStepBody(bytes('[1]'), where)).code).toBe('VALIDATION_FAILED');
  });
  it('names every problem at once', () => {
    const e = refusal(() =>
      parseStepBody(
        bytes({
          v: 2,
          type: 'x',
          state: 'XB',
          provision: 'other',
          seq: 0,
          step: 'adoption',
          status: 'fine',
          domestic: {
            act: '',
            section: 's',
            text: 't',
            inForceFrom: '2026-02-30',
            extra: 1,
            institution: 'court',
          },
          adoptedOn: 'yesterday',
          note: 5,
          more: true,
        }),
        where,
      ),
    );
    const got = (e.details as readonly { field?: string; code: string }[])
      .map((d) => `${d.field}:${d.code}`)
      .sort();
    expect(got).toEqual(
      [
        'more:FIELD_UNKNOWN',
        'v:FIELD_INVALID',
        'type:FIELD_INVALID',
        'state:FIELD_CONFLICT',
        'provision:FIELD_CONFLICT',
        'seq:FIELD_INVALID',
        'status:FIELD_INVALID',
        'domestic.extra:FIELD_UNKNOWN',
        'domestic.act:REQUIRED',
        'domestic.inForceFrom:DATE_INVALID',
        'domestic.institution:FIELD_INVALID',
        'adoptedOn:DATE_INVALID',
        'note:FIELD_INVALID',
      ].sort(),
    );
  });
  it('holds each step to what it must carry', () => {
    const fields = (o: object) =>
      (
        refusal(() => parseStepBody(bytes(o), where)).details as readonly { field?: string; code: string }[]
      ).map((d) => `${d.field}:${d.code}`);
    const { adoptedOn: _a, domestic: _d, ...bare } = good;
    expect(fields({ ...bare, step: 'review' })).toEqual(['status:REQUIRED']);
    expect(fields({ ...bare, step: 'amendment', status: 'implemented' })).toEqual([
      'domestic:REQUIRED',
      'status:NOT_ALLOWED',
    ]);
    expect(fields({ ...bare, step: 'adoption' })).toEqual(['domestic:REQUIRED', 'adoptedOn:REQUIRED']);
    expect(fields({ ...good, step: 'review', status: 'missing' })).toEqual(['adoptedOn:NOT_ALLOWED']);
  });
});
