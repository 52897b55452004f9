import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionBytes, isDecisionStatus } from './decision.js';

describe('decisionBytes', () => {
  it('are the RFC 8785 canonical JSON of the decision (keys sorted, no whitespace)', () => {
    const bytes = decisionBytes({
      caseId: 'case-1',
      decision: 'resolved',
      inspectorate: 'EURATOM',
      note: 'Explained: a weighing error, corrected — café',
      linkedReport: null,
    });
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"case":"case-1","decision":"resolved","inspectorate":"EURATOM","linkedReport":null,' +
        '"note":"Explained: a weighing error, corrected — café","type":"custos.case-decision/v1"}',
    );
  });

  it('say exactly what was decided, for any note and linked report', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('resolved', 'escalated'),
        fc.string(),
        fc.string(),
        fc.option(fc.string(), { nil: null }),
        (caseId, decision, inspectorate, note, linkedReport) => {
          const parsed: unknown = JSON.parse(
            new TextDecoder().decode(decisionBytes({ caseId, decision, inspectorate, note, linkedReport })),
          );
          expect(parsed).toEqual({
            type: 'custos.case-decision/v1',
            case: caseId,
            decision,
            inspectorate,
            note,
            linkedReport,
          });
        },
      ),
    );
  });
});

describe('isDecisionStatus', () => {
  it('is true for resolving and escalating only', () => {
    expect(
      ['open', 'question-sent', 'answered', 'under-review', 'resolved', 'escalated'].filter(isDecisionStatus),
    ).toEqual(['resolved', 'escalated']);
  });
});
