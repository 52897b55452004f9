import { useState } from 'react';
import { REPORT_DETAIL_CODES } from '../../../src/domain/errors.js';
import type { Reply } from '../api/wire.js';
import { api } from '../api.js';
import { ErrorState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { useSubmit } from '../components/useSubmit.js';
import { hasMessage, type MessageKey, useT } from '../i18n/I18nProvider.js';
import { useMe } from '../session.js';
import { EXAMPLE_TYPES, type ExamplePlace, type ExampleType, exampleReport } from './practice/examples.js';
import { ProblemsTable } from './submit/ProblemsTable.js';
import type { Format } from './submit/ReportInput.js';
import { DraftFields, useSignedDraft } from './submit/useSignedDraft.js';

type Verdict = Reply<'/api/reports/practice', 'post'>;

/** The id of a code's explanation in the guide, so a problem can link to it. */
const explanationId = (code: string) => `explain-${code}`;

/**
 * Practice mode (issue 16 item 13, decision 0026): sign and check a report against the real
 * registry exactly as submitting would, with nothing recorded; every problem links to what its
 * code means and how to fix it, and each report type has a worked example to load and check.
 */
export default function PracticePage() {
  const t = useT();
  const [verdict, setVerdict] = useState<Verdict | undefined>(undefined);
  const {
    busy,
    error: failure,
    onSubmit: check,
    clear,
  } = useSubmit(async () => {
    setVerdict(undefined);
    setVerdict(await draft.send<Verdict>('/api/reports/practice'));
  });
  const draft = useSignedDraft(() => {
    setVerdict(undefined);
    clear();
  });
  const { format, lines, showText } = draft;

  return (
    <Page title={t('practice.title')} lead={t('practice.lead')}>
      <p className="notice practice-banner" role="note">
        <strong>{t('practice.badge')}</strong> {t('practice.banner')}
      </p>
      <form onSubmit={check}>
        <DraftFields draft={draft} />
        <div className="row">
          <button type="submit" className="primary" disabled={!draft.ready || busy}>
            {busy ? t('practice.checking') : t('practice.check')}
          </button>
        </div>
      </form>
      {failure !== undefined && <ErrorState error={failure} />}
      {verdict && <VerdictView verdict={verdict} format={format} lines={lines} />}
      <Examples onLoad={(type, body) => showText(`${type.toLowerCase()}-example.json`, body)} />
      <Guide />
    </Page>
  );
}

function VerdictView({ verdict, format, lines }: { verdict: Verdict; format: Format; lines: string[] }) {
  const t = useT();
  const count = verdict.errors.length;
  const signatureKey = `practice.signature.${verdict.signature}` as MessageKey;
  return (
    <section aria-labelledby="practice-verdict" className="section">
      <h2 id="practice-verdict">{t('practice.verdictTitle')}</h2>
      <p className={`notice ${verdict.wouldBeAccepted ? 'notice-ok' : 'notice-error'}`} role="status">
        <strong>{t('practice.badge')}</strong>{' '}
        {verdict.wouldBeAccepted
          ? verdict.reportId
            ? t('practice.wouldAccept', { id: verdict.reportId })
            : t('practice.wouldAcceptNoId')
          : t('practice.wouldRefuse', { count })}{' '}
        {t('practice.nothingRecorded')}
      </p>
      <p>{t(signatureKey, { keyId: verdict.keyId ?? '' })}</p>
      {count > 0 && (
        <ProblemsTable
          details={verdict.errors}
          format={format}
          lines={lines}
          explain={(code) => (
            <a
              href={`#${explanationId(code)}`}
              className="mono"
              dir="ltr"
              aria-label={t('practice.explainLink', { code })}
            >
              {code}
            </a>
          )}
        />
      )}
      {verdict.warnings.length > 0 && (
        <>
          <h3>{t('submit.warnings')}</h3>
          <ProblemsTable details={verdict.warnings} format={format} lines={lines} />
        </>
      )}
    </section>
  );
}

/** The operator's own MBA and KMP and a partner state, so the examples ask about real places. */
function usePlace(): ExamplePlace | undefined {
  const me = useMe();
  const loaded = useLoad(async () => {
    const own = me.state ? { state: me.state } : {};
    const [mbas, states] = await Promise.all([api.mbas(own), api.states()]);
    const mba = mbas[0]?.code ?? `${me.state ?? 'XA'}-F1`;
    const kmps = mbas[0] ? await api.kmps(mba) : [];
    const other = states.find((s) => s.code !== me.state)?.code ?? 'XB';
    return { mba, kmp: kmps[0]?.code.split(':').pop() ?? 'A', otherState: other, otherMba: `${other}-F1` };
  }, [me.state]);
  return loaded.data;
}

function Examples({ onLoad }: { onLoad: (type: ExampleType, body: string) => void }) {
  const t = useT();
  const place = usePlace();
  return (
    <Section title={t('practice.examplesTitle')} id="s-examples">
      <p>{t('practice.examplesIntro', { mba: place?.mba ?? '…' })}</p>
      <dl className="examples">
        {EXAMPLE_TYPES.map((type) => (
          <div key={type}>
            <dt>
              <span dir="ltr">{type}</span>
            </dt>
            <dd>
              <p>{t(`example.${type}` as MessageKey)}</p>
              <button
                type="button"
                disabled={place === undefined}
                onClick={() =>
                  place && onLoad(type, `${JSON.stringify(exampleReport(type, place), null, 2)}\n`)
                }
              >
                {t('practice.load', { type })}
              </button>
            </dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

/** What each report problem code means and how to fix it. */
function Guide() {
  const t = useT();
  return (
    <Section title={t('practice.guideTitle')} id="s-guide">
      <p>{t('practice.guideIntro')}</p>
      <dl className="code-guide">
        {REPORT_DETAIL_CODES.map((code) => {
          const meaning = `detail.${code}`;
          const fix = `guide.fix.${code}`;
          return (
            <div key={code} id={explanationId(code)} tabIndex={-1}>
              <dt>
                <code dir="ltr">{code}</code>
              </dt>
              <dd>
                {hasMessage(meaning) && <p>{t(meaning)}</p>}
                {hasMessage(fix) && (
                  <p>
                    <strong>{t('practice.fix')}</strong> {t(fix)}
                  </p>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </Section>
  );
}
