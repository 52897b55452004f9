import { canonicalizeRecord, ed25519Verify, tryDecodeBase64 } from '../../log/index.js';
import type { InspectionType } from './notice.js';

/**
 * The statement of inspection results one inspectorate signs (domain.md §7: each inspectorate
 * reaches and signs its own conclusions). The signed bytes are the RFC 8785 canonical JSON of
 * this object, UTF-8 encoded. Custos decides what it holds: the facts of the inspection as
 * recorded (so a statement cannot be about a different set of findings) plus the inspectorate's
 * own conclusion and the time it says it signed. Nothing in it names the partner's conclusion.
 *
 * Pure and browser-safe: the CLI (`custos inspection verify-statement`), the server and the web
 * app's statement view all verify with these two functions.
 */
export interface InspectionStatement {
  readonly v: 1;
  readonly type: 'custos/inspection-statement';
  readonly inspection: string;
  readonly inspectorate: string;
  readonly state: string;
  readonly facility: string;
  readonly mbas: readonly string[];
  /** The inspection's type; POST /api/inspections/:id/statements takes no other. */
  readonly inspectionType: InspectionType;
  readonly startsAt: string;
  /** Who did which activity ("one job, one person"), sorted by activity. */
  readonly activities: readonly { readonly activity: string; readonly inspectorate: string }[];
  /** The inspection's findings at signing, sorted by id. */
  readonly findings: readonly {
    readonly id: string;
    readonly type: string;
    readonly severity: string;
    readonly items: readonly string[];
    readonly mbas: readonly string[];
  }[];
  readonly conclusion: string;
  readonly signedAt: string;
}

/** The recorded facts a statement must repeat exactly: everything but conclusion and signedAt. */
export type StatementFacts = Omit<InspectionStatement, 'conclusion' | 'signedAt'>;

/** The exact bytes an inspectorate signs and anyone verifies. */
export function statementBytes(statement: InspectionStatement): Uint8Array {
  return canonicalizeRecord(statement);
}

/**
 * Offline check: the statement JSON, the base64 signature and the organisation's raw public
 * key (base64) are all a verifier needs. False for any malformed key or signature.
 */
export function verifyStatementSignature(
  statement: InspectionStatement,
  signatureBase64: string,
  publicKeyBase64: string,
): boolean {
  const sig = tryDecodeBase64(signatureBase64);
  const key = tryDecodeBase64(publicKeyBase64);
  if (sig === undefined || key === undefined || sig.length !== 64 || key.length !== 32) return false;
  try {
    return ed25519Verify(key, statementBytes(statement), sig);
  } catch {
    return false;
  }
}
