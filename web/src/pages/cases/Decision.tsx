import { decisionBytes } from '../../../../src/domain/cases/index.js';
import { isKeyValidAt } from '../../../../src/domain/registry/index.js';
import { api, type CaseDetail, type CaseEvent, casesApi } from '../../api.js';
import { Async, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { Link } from '../../router.js';
import { verifySignature } from '../../signing.js';
import { StatusBadge } from './status.js';

type SignatureCheck =
  | { readonly kind: 'verified'; readonly keyId: string }
  | { readonly kind: 'failed'; readonly keyId: string; readonly reason: string }
  | { readonly kind: 'hidden'; readonly keyId: string }
  | { readonly kind: 'unsigned' };

/**
 * Verifies a decision's signature in the browser: the bytes are rebuilt from the case as shown
 * and checked against the inspectorate's registered public key (never trusting the server's word).
 */
async function checkDecisionSignature(c: CaseDetail, e: CaseEvent | undefined): Promise<SignatureCheck> {
  const sig = e?.signature;
  if (!e || !sig) return { kind: 'unsigned' };
  // A decision always carries a note; without one here it is internal to the inspectorate.
  if (!e.note) return { kind: 'hidden', keyId: sig.keyId };
  const keys = await api.keys(c.inspectorate);
  const key = keys.find((k) => k.id === sig.keyId);
  if (!key)
    return {
      kind: 'failed',
      keyId: sig.keyId,
      reason: `${c.inspectorate} has no registered key ${sig.keyId}`,
    };
  if (!isKeyValidAt(key, e.at)) {
    return { kind: 'failed', keyId: sig.keyId, reason: 'the key was not valid when the decision was taken' };
  }
  const bytes = decisionBytes({
    caseId: c.id,
    decision: e.to ?? '',
    inspectorate: c.inspectorate,
    note: e.note.text,
    linkedReport: e.linkedReport ?? null,
  });
  return verifySignature(key.publicKey, bytes, sig.signature)
    ? { kind: 'verified', keyId: sig.keyId }
    : { kind: 'failed', keyId: sig.keyId, reason: 'the signature does not match the decision' };
}

function SignatureStatus({ check, inspectorate }: { check: SignatureCheck; inspectorate: string }) {
  switch (check.kind) {
    case 'verified':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-ok">Signature verified</span> Signed by {inspectorate} with key{' '}
          <span className="mono">{check.keyId}</span>, checked in this browser against its registered public
          key.
        </p>
      );
    case 'failed':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-bad">Signature does not verify</span> Key{' '}
          <span className="mono">{check.keyId}</span>: {check.reason}.
        </p>
      );
    case 'hidden':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-wait">Signed</span> by {inspectorate} with key{' '}
          <span className="mono">{check.keyId}</span>; its note is internal to the inspectorate, so the
          signature cannot be checked here.
        </p>
      );
    default:
      return (
        <p data-testid="decision-signature" className="muted">
          Not signed: a decision taken before signatures were required, attested by the log only.
        </p>
      );
  }
}

/** The decision is a logged, signed case transition: both are verified here, in the browser. */
export function Decision({ c }: { c: CaseDetail }) {
  const decision = c.decision;
  const recordId = decision ? `case-transition:${c.id}:${decision.seq}` : '';
  const event = decision ? c.history.find((e) => e.seq === decision.seq) : undefined;
  const record = useLoad(
    () => (decision ? casesApi.record(recordId) : Promise.resolve(undefined)),
    [recordId],
  );
  const signature = useLoad(() => checkDecisionSignature(c, event), [recordId, event?.signature?.signature]);
  if (!decision) return null;
  return (
    <Section title="Decision">
      <p>
        <StatusBadge status={decision.status} /> {event ? `on ${event.at.slice(0, 10)}` : ''}
        {event?.note && !event.note.internal ? ` — ${event.note.text}` : ''}
      </p>
      {event?.linkedReport && (
        <p>
          Correction report: <span className="mono">{event.linkedReport}</span>
        </p>
      )}
      <Async value={signature} what="the decision's signature">
        {(check) => <SignatureStatus check={check} inspectorate={c.inspectorate} />}
      </Async>
      <Async value={record} what="the decision's log record">
        {(r) =>
          r ? (
            <p>
              Recorded in the log as <span className="mono">{r.id}</span>, entry{' '}
              <span data-testid="decision-log-index">{r.logIndex}</span>.{' '}
              <Link to={`/log?entry=${r.logIndex}`}>Verify it in the log explorer</Link>
            </p>
          ) : null
        }
      </Async>
    </Section>
  );
}
