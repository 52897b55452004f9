import { describe, expect, it } from 'vitest';
import type { DomainError, ErrorDetail } from '../../domain/errors.js';
import { ed25519PublicKey, ed25519Sign } from '../../log/index.js';
import {
  checkStatementFacts,
  type InspectionStatement,
  statementBytes,
  verifyStatementSignature,
} from './statement.js';

const facts = {
  v: 1,
  type: 'custos/inspection-statement',
  inspection: 'ins-1',
  inspectorate: 'agency',
  state: 'XA',
  facility: 'XA-FAB',
  mbas: ['XA-F1'],
  inspectionType: 'routine',
  startsAt: '2026-11-25T09:00:00Z',
  activities: [{ activity: 'nda-measurement', inspectorate: 'agency' }],
  findings: [{ id: 'fnd-1', type: 'partial-defect', severity: 'medium', items: ['A-1'], mbas: ['XA-F1'] }],
} as const;
const statement: InspectionStatement = {
  ...facts,
  conclusion: 'one partial defect',
  signedAt: '2026-11-28T09:00:00Z',
};
const seedA = new Uint8Array(32).fill(1);
const seedB = new Uint8Array(32).fill(2);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('inspection statements', () => {
  it('signs RFC 8785 bytes: member order does not matter', () => {
    const { signedAt, ...rest } = statement;
    const reordered = JSON.parse(JSON.stringify({ signedAt, ...rest })) as InspectionStatement;
    expect(Buffer.from(statementBytes(reordered)).toString()).toBe(
      Buffer.from(statementBytes(statement)).toString(),
    );
    expect(Buffer.from(statementBytes(statement)).toString()).toMatch(/^\{"activities":/);
  });

  it('verifies offline with the signer key only', () => {
    const sig = b64(ed25519Sign(seedA, statementBytes(statement)));
    expect(verifyStatementSignature(statement, sig, b64(ed25519PublicKey(seedA)))).toBe(true);
    expect(verifyStatementSignature(statement, sig, b64(ed25519PublicKey(seedB)))).toBe(false);
    expect(
      verifyStatementSignature({ ...statement, conclusion: 'none' }, sig, b64(ed25519PublicKey(seedA))),
    ).toBe(false);
    expect(verifyStatementSignature(statement, 'not base64', b64(ed25519PublicKey(seedA)))).toBe(false);
  });

  it('names every fact that differs from the record', () => {
    expect(() => checkStatementFacts(statement, facts)).not.toThrow();
    try {
      checkStatementFacts({ ...statement, findings: [], state: 'XB' }, facts);
      expect.unreachable();
    } catch (err) {
      expect((err as DomainError).code).toBe('VALIDATION_FAILED');
      const fields = ((err as DomainError).details as readonly ErrorDetail[]).map((d) => d.field).sort();
      expect(fields).toEqual(['statement.findings', 'statement.state']);
    }
  });
});
