import { useEffect, useState } from 'react';
import { type Accepted, type ApiError, apiText, type ErrorDetail, isApiError } from '../api.js';
import { ErrorState } from '../components/async.js';
import { Checks, Verdict, WitnessNote } from '../components/Checks.js';
import { Page } from '../components/Page.js';
import { useSubmit } from '../components/useSubmit.js';
import { Msg, useT } from '../i18n/I18nProvider.js';
import { detailsOf, errorText, problemText } from '../i18n/problems.js';
import { useCheckpointWait } from '../live.js';
import { capProblems } from '../report-file.js';
import { Link } from '../router.js';
import { checkReceipt, fetchLogKey, type ReceiptCheck, verifierOf } from '../verify.js';
import { ProblemsTable } from './submit/ProblemsTable.js';
import type { Format } from './submit/ReportInput.js';
import { DraftFields, useSignedDraft } from './submit/useSignedDraft.js';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * Submitting a report (state story 1): drop a JSON or CSV file, sign it here with the organisation's
 * key file or paste the CLI's signature, see every validation problem tied to its line and field,
 * edit and resubmit, then watch the receipt verify in this browser.
 */
export default function SubmitReport() {
  const t = useT();
  const [rejected, setRejected] = useState<{ error: ApiError; details: ErrorDetail[] } | undefined>(
    undefined,
  );
  const [accepted, setAccepted] = useState<Accepted | undefined>(undefined);
  const {
    busy,
    error: failure,
    onSubmit: submit,
    clear,
  } = useSubmit(async () => {
    setRejected(undefined);
    setAccepted(undefined);
    try {
      setAccepted(await draft.send<Accepted>('/api/reports'));
    } catch (err) {
      // A refusal with problems is shown line by line, not as a failure.
      if (isApiError(err) && err.status === 422) setRejected({ error: err, details: detailsOf(err) });
      else throw err;
    }
  });
  const draft = useSignedDraft(() => {
    setRejected(undefined);
    setAccepted(undefined);
    clear();
  });

  const { format, lines } = draft;

  return (
    <Page title={t('submit.title')} lead={t('submit.lead')}>
      <p className="muted">
        <Msg id="submit.tryPractice" values={{ link: (c) => <Link to="/reports/practice">{c}</Link> }} />
      </p>
      <form onSubmit={submit}>
        <DraftFields draft={draft} />

        <div className="row">
          <button type="submit" className="primary" disabled={!draft.ready || busy}>
            {busy ? t('submit.submitting') : rejected ? t('submit.resubmit') : t('submit.submit')}
          </button>
        </div>
      </form>

      {failure !== undefined && <ErrorState error={failure} />}
      {rejected && <Rejection rejected={rejected} format={format} lines={lines} />}
      {accepted && <AcceptedView accepted={accepted} />}
    </Page>
  );
}

function Rejection({
  rejected,
  format,
  lines,
}: {
  rejected: { error: ApiError; details: ErrorDetail[] };
  format: Format;
  lines: string[];
}) {
  const t = useT();
  const { total } = capProblems(rejected.details);
  return (
    <section aria-labelledby="rejected-title" className="section">
      <h2 id="rejected-title">{t('submit.rejectedTitle')}</h2>
      <p className="notice notice-error" role="alert">
        <strong>
          {total === 0 ? errorText(t, rejected.error.code) : t('submit.problemsToFix', { count: total })}
        </strong>{' '}
        {t('submit.nothingStored')}
      </p>
      <ProblemsTable details={rejected.details} format={format} lines={lines} />
    </section>
  );
}

function AcceptedView({ accepted }: { accepted: Accepted }) {
  const t = useT();
  const [receipt, setReceipt] = useState<string | undefined>(undefined);
  const [check, setCheck] = useState<ReceiptCheck | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [waiting, setWaiting] = useState(false);
  const waitCovered = useCheckpointWait();
  useEffect(() => {
    let live = true;
    (async () => {
      // The receipt exists once a checkpoint covers the entry: wait for it, live (issue 16 item 9).
      await waitCovered(accepted.logIndex, () => live && setWaiting(true));
      if (!live) return;
      setWaiting(false);
      const text = await apiText(accepted.receiptUrl);
      if (!live) return;
      setReceipt(text);
      const verifier = verifierOf(await fetchLogKey());
      const result = await checkReceipt(text, verifier);
      if (live) setCheck(result);
    })().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [accepted.receiptUrl, accepted.logIndex, waitCovered]);
  const download = receipt ? URL.createObjectURL(new Blob([receipt], { type: 'text/plain' })) : undefined;
  return (
    <section aria-labelledby="accepted-title" className="section">
      <h2 id="accepted-title">{t('submit.acceptedTitle')}</h2>
      <p className="notice notice-ok" role="status">
        <Msg
          id="submit.acceptedAs"
          values={{ id: accepted.id, index: accepted.logIndex, b: (c) => <strong>{c}</strong> }}
        />
      </p>
      {accepted.warnings.length > 0 && (
        <ul aria-label={t('submit.warnings')}>
          {accepted.warnings.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: warnings have no identity of their own
            <li key={i}>
              {w.line !== undefined && <>{t('problem.line', { line: str(w.line) })}: </>}
              {problemText(t, w) ?? str(w.code)}
            </li>
          ))}
        </ul>
      )}
      <h3>{t('submit.receipt')}</h3>
      {error !== undefined && <ErrorState error={error} />}
      {!check && error === undefined && (
        <p role="status">
          {waiting
            ? t('submit.waitingForCheckpoint', { index: accepted.logIndex })
            : t('submit.fetchingReceipt')}
        </p>
      )}
      {check && (
        <>
          <Verdict ok={check.ok} good={t('submit.receiptOk')} bad={t('submit.receiptBad')} />
          <Checks steps={check.steps} label={t('submit.receiptChecks')} />
          {check.witnesses && <WitnessNote summary={check.witnesses} />}
        </>
      )}
      {receipt && download && (
        <p>
          <a href={download} download={`${accepted.id}.proof`}>
            {t('submit.downloadReceipt')}
          </a>{' '}
          <span className="muted small">
            <Msg id="submit.verifyOffline" values={{ code: (c) => <code dir="ltr">{c}</code> }} />
          </span>
        </p>
      )}
    </section>
  );
}
