/** The state portal's live sections: its deadlines, its recent receipts and the questions awaiting its answer. */

import { casesApi, reportsApi } from '../../api.js';
import { capabilityKey, useCapabilities } from '../../capabilities.js';
import { Async, EmptyState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { formatDate } from '../../i18n/format.js';
import { Msg, useT } from '../../i18n/I18nProvider.js';
import { isCaseEvent, useLiveReload } from '../../live.js';
import { Link } from '../../router.js';
import { caseTitle } from '../cases/status.js';
import { DeclarationDeadlines } from '../legal/DeclarationDeadlines.js';
import { OPEN_OBLIGATIONS, periodOf, TimelinessPanel } from '../reports/timeliness.js';

/** The state's deadlines and its five latest receipts, each shown only to a user who may read them. */
export function StateDeadlines({ state }: { state: string }) {
  const t = useT();
  const caps = useCapabilities();
  const canTimeliness = caps.has(capabilityKey('get', '/api/states/{code}/timeliness'));
  const canReports = caps.has(capabilityKey('get', '/api/reports'));
  const timeliness = useLoad(
    () => (canTimeliness ? reportsApi.timeliness(state, OPEN_OBLIGATIONS) : Promise.resolve(undefined)),
    [state, canTimeliness],
  );
  const recent = useLoad(
    () => (canReports ? reportsApi.list({ limit: 5 }) : Promise.resolve(undefined)),
    [canReports],
  );
  return (
    <>
      {canTimeliness && (
        <Section title={t('home.deadlines')}>
          <Async value={timeliness} what={t('home.what.deadlines')}>
            {(tl) =>
              tl ? (
                <>
                  <TimelinessPanel t={tl} />
                  <DeclarationDeadlines record={tl} />
                </>
              ) : null
            }
          </Async>
        </Section>
      )}
      {canReports && (
        <Section title={t('home.recentReceipts')}>
          <Async value={recent} what={t('home.what.recentReports')}>
            {(rows) =>
              !rows || rows.length === 0 ? (
                <EmptyState title={t('home.noReports')}>
                  <p>
                    <Msg
                      id="home.noReportsHint"
                      values={{ link: (chunks) => <Link to="/reports/new">{chunks}</Link> }}
                    />
                  </p>
                </EmptyState>
              ) : (
                <ul>
                  {rows.map((r) => (
                    <li key={r.id}>
                      <Msg
                        id="home.receiptLine"
                        values={{
                          id: r.id,
                          period: periodOf(r),
                          index: r.logIndex,
                          mono: (chunks) => <span className="mono">{chunks}</span>,
                          link: (chunks) => (
                            <Link to={`/reports?mba=${encodeURIComponent(r.mba)}`}>{chunks}</Link>
                          ),
                        }}
                      />
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </Section>
      )}
    </>
  );
}

/** Questions from the inspectorate awaiting this state's answer; new ones arrive live. */
export function OpenQuestions() {
  const t = useT();
  const caps = useCapabilities();
  const can = caps.has(capabilityKey('get', '/api/cases'));
  const data = useLoad(
    () => (can ? casesApi.list({ status: 'question-sent', limit: 20 }) : Promise.resolve(undefined)),
    [can],
  );
  useLiveReload(isCaseEvent, data.reload);
  if (!can) return null;
  return (
    <Section title={t('home.questions')}>
      <Async value={data} what={t('home.what.questions')}>
        {(r) =>
          !r || r.items.length === 0 ? (
            <EmptyState title={t('home.noQuestions')}>
              <p>{t('home.noQuestionsHint')}</p>
            </EmptyState>
          ) : (
            <ul aria-label={t('home.openQuestions')}>
              {r.items.map((c) => (
                <li key={c.id}>
                  <Link to={`/cases/${encodeURIComponent(c.id)}`}>{caseTitle(c, t)}</Link>
                  {c.mba ? ` (${c.mba})` : ''}{' '}
                  {c.dueDate
                    ? t('home.answerDue', { date: formatDate(c.dueDate) })
                    : t('home.answerDueNotSet')}
                  {c.overdue && <span className="badge badge-bad">{t('home.overdue')}</span>}
                </li>
              ))}
              {r.total > r.items.length && (
                <li>
                  <Link to="/cases?status=question-sent">{t('home.allQuestions', { count: r.total })}</Link>
                </li>
              )}
            </ul>
          )
        }
      </Async>
    </Section>
  );
}
