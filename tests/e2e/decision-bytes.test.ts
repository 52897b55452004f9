/**
 * The web app signs case decisions over bytes it builds itself (web/src/signing.ts): they must be
 * exactly the server's (src/services/cases decisionBytes), for any note and linked report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionBytes as serverBytes } from '../../src/services/cases/index.js';
import { decisionBytes as browserBytes } from '../../web/src/signing.js';

describe('decision bytes', () => {
  it('are identical in the browser and on the server', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('resolved', 'escalated'),
        fc.string(),
        fc.string(),
        fc.option(fc.string(), { nil: null }),
        (caseId, decision, inspectorate, note, linkedReport) => {
          const input = { caseId, decision, inspectorate, note, linkedReport };
          expect(browserBytes(input)).toEqual(serverBytes(input));
        },
      ),
    );
  });
});
