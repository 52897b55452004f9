import type { ReactNode } from 'react';
import { decisionBytes } from '../../../../src/domain/cases/index.js';
import { isKeyValidAt } from '../../../../src/domain/registry/index.js';
import { api, type CaseDetail, type CaseEvent, casesApi } from '../../api.js';
import { Async, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { formatDate } from '../../i18n/format.js';
import { Msg, useT } from '../../i18n/I18nProvider.js';
import { Link } from '../../router.js';
import { verifySignature } from '../../signing.js';
import { StatusBadge } from './status.js';

/** Why a decision's signature does not verify (shown in the user's language). */
type FailureReason = 'no-key' | 'not-valid' | 'mismatch';

type SignatureCheck =
  | { readonly kind: 'verified'; readonly keyId: string }
  | { readonly kind: 'failed'; readonly keyId: string; readonly reason: FailureReason }
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
  if (!key) return { kind: 'failed', keyId: sig.keyId, reason: 'no-key' };
  if (!isKeyValidAt(key, e.at)) {
    return { kind: 'failed', keyId: sig.keyId, reason: 'not-valid' };
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
    : { kind: 'failed', keyId: sig.keyId, reason: 'mismatch' };
}

const mono = (chunks: ReactNode[]) => <span className="mono">{chunks}</span>;

function SignatureStatus({ check, inspectorate }: { check: SignatureCheck; inspectorate: string }) {
  const t = useT();
  switch (check.kind) {
    case 'verified':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-ok">{t('case.sig.verifiedBadge')}</span>{' '}
          <Msg id="case.sig.verified" values={{ org: inspectorate, key: check.keyId, mono }} />
        </p>
      );
    case 'failed': {
      const reason =
        check.reason === 'no-key'
          ? t('case.sig.noKey', { org: inspectorate, key: check.keyId })
          : check.reason === 'not-valid'
            ? t('case.sig.notValid')
            : t('case.sig.mismatch');
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-bad">{t('case.sig.failedBadge')}</span>{' '}
          <Msg id="case.sig.failed" values={{ key: check.keyId, reason, mono }} />
        </p>
      );
    }
    case 'hidden':
      return (
        <p data-testid="decision-signature">
          <span className="badge badge-wait">{t('case.sig.signedBadge')}</span>{' '}
          <Msg id="case.sig.hidden" values={{ org: inspectorate, key: check.keyId, mono }} />
        </p>
      );
    default:
      return (
        <p data-testid="decision-signature" className="muted">
          {t('case.sig.unsigned')}
        </p>
      );
  }
}

/** The decision is a logged, signed case transition: both are verified here, in the browser. */
export function Decision({ c }: { c: CaseDetail }) {
  const t = useT();
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
    <Section title={t('case.decision')}>
      <p>
        <StatusBadge status={decision.status} />{' '}
        {event ? t('case.decision.on', { date: formatDate(event.at.slice(0, 10)) }) : ''}
        {event?.note && !event.note.internal ? ` — ${event.note.text}` : ''}
      </p>
      {event?.linkedReport && (
        <p>
          {t('case.correctionReport')} <span className="mono">{event.linkedReport}</span>
        </p>
      )}
      <Async value={signature} what={t('common.what.decisionSignature')}>
        {(check) => <SignatureStatus check={check} inspectorate={c.inspectorate} />}
      </Async>
      <Async value={record} what={t('common.what.decisionRecord')}>
        {(r) =>
          r ? (
            <p>
              <Msg
                id="case.record"
                values={{
                  id: r.id,
                  index: r.logIndex,
                  mono,
                  entry: (chunks) => <span data-testid="decision-log-index">{chunks}</span>,
                }}
              />{' '}
              <Link to={`/log?entry=${r.logIndex}`}>{t('case.verifyInLog')}</Link>
            </p>
          ) : null
        }
      </Async>
    </Section>
  );
}
