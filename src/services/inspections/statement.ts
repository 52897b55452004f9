import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import type { InspectionStatement, StatementFacts } from '../../domain/inspections/index.js';
import { canonicalizeRecord } from '../../log/index.js';

// The statement and its signature check are pure (the web app verifies with them too).
export {
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from '../../domain/inspections/index.js';

/** Refuses a statement whose facts differ from the record, naming each differing field. */
export function checkStatementFacts(statement: InspectionStatement, facts: StatementFacts): void {
  const given = canonicalizeRecord({ ...statement, conclusion: undefined, signedAt: undefined });
  const expected = canonicalizeRecord(facts);
  if (Buffer.from(given).equals(Buffer.from(expected))) return;
  const details = (Object.keys(facts) as (keyof StatementFacts)[])
    .filter(
      (k) =>
        !Buffer.from(canonicalizeRecord(statement[k] ?? null)).equals(
          Buffer.from(canonicalizeRecord(facts[k] ?? null)),
        ),
    )
    .map(
      (k): ErrorDetail => ({
        field: `statement.${k}`,
        code: 'NOT_AS_RECORDED',
        message: 'differs from the record',
      }),
    );
  throw new DomainError(
    'VALIDATION_FAILED',
    'the statement does not match the recorded inspection; fetch the draft again',
    details,
  );
}
