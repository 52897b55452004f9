import { type CaseStatus, decisionBytes, isDecisionStatus } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import { isKeyValidAt } from '../../domain/registry/keys.js';
import { ed25519Verify } from '../../log/index.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import type { ResolutionSignature, StoredCase } from './cases.types.js';

export interface DecisionToCheck {
  readonly to: CaseStatus;
  /** The note as the transition keeps it ('' when there is none). */
  readonly note: string;
  readonly linkedReport: string | null;
  readonly signature: ResolutionSignature | undefined;
  readonly at: string;
}

/**
 * Issue 6: a resolution or escalation carries the signature of the deciding inspectorate, so
 * neither side can deny it; nothing else is signed. The signature must verify, by the log's one
 * strict Ed25519 function (decision 0014), under a key registered to the case's inspectorate
 * and valid at `at`.
 */
export async function checkDecisionSignature(
  ports: Pick<Ports, 'db'>,
  c: StoredCase,
  d: DecisionToCheck,
): Promise<void> {
  const decision = isDecisionStatus(d.to);
  if (decision && d.signature === undefined) {
    throw new DomainError('VALIDATION_FAILED', `moving to ${d.to} needs the inspectorate's signature`, [
      {
        field: 'signature',
        ...problemOf('SIGNATURE_REQUIRED', {}),
        message:
          'sign decisionBytes(case, decision, inspectorate, note, linkedReport) with a key of the inspectorate',
      },
    ]);
  }
  if (d.signature === undefined) return;
  if (!decision) {
    throw new DomainError('VALIDATION_FAILED', 'only a decision (resolved, escalated) is signed', [
      {
        field: 'signature',
        ...problemOf('NOT_ALLOWED.onlyTo', { allowed: ['resolved', 'escalated'] }),
        message: 'signature needs to: resolved or escalated',
      },
    ]);
  }
  const sig = d.signature;
  const key = await createRegistryRepo(ports.db).getSigningKey(sig.keyId);
  if (!key || key.organisation !== c.inspectorate) {
    throw new DomainError('KEY_UNKNOWN', `key ${sig.keyId} is not a registered key of ${c.inspectorate}`);
  }
  if (!isKeyValidAt(key, d.at)) {
    throw new DomainError('KEY_NOT_VALID', `key ${sig.keyId} is not valid now`);
  }
  const bytes = decisionBytes({
    caseId: c.id,
    decision: d.to,
    inspectorate: c.inspectorate,
    note: d.note,
    linkedReport: d.linkedReport,
  });
  if (!ed25519Verify(Buffer.from(key.publicKey, 'base64'), bytes, Buffer.from(sig.signature, 'base64'))) {
    throw new DomainError('SIGNATURE_INVALID', 'the decision signature does not verify');
  }
}
