/** One case: its facts, decision, thread and the forms its reader may use. */
import { useEffect } from 'react';
import { type CaseDetail, casesApi, type Me } from '../../api.js';
import { Async, useLoad } from '../../components/async.js';
import { Page, Section } from '../../components/Page.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';
import { isCaseEvent, useLiveReload } from '../../live.js';
import { Link } from '../../router.js';
import { audienceOf, useMe } from '../../session.js';
import { Decision } from './Decision.js';
import { AnswerForm, MessageForm } from './ReplyForms.js';
import { caseTitle, kindLabel, StatusBadge } from './status.js';
import { Thread } from './Thread.js';
import { TransitionForm } from './TransitionForm.js';

function actorOf(me: Me, c: CaseDetail): 'owner' | 'state' | 'reader' {
  const audience = audienceOf(me);
  if (audience === 'inspectorate' && me.organisation === c.inspectorate) return 'owner';
  if (audience === 'state' && me.state === c.state) return 'state';
  return 'reader';
}

/**
 * Transitions arrive as events, but the server publishes none for a plain message: while the
 * case is on screen and the tab visible, it is re-read every 20 s so a new message still appears.
 */
function useMessagePoll(reload: () => void) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, 20_000);
    return () => clearInterval(timer);
  }, [reload]);
}

export function CaseDetailPage({ id }: { id: string }) {
  const t = useT();
  const me = useMe();
  const data = useLoad(() => casesApi.get(id), [id]);
  useLiveReload((e) => isCaseEvent(e) && e.data.case === id, data.reload);
  useMessagePoll(data.reload);
  return (
    <Page
      title={data.data ? caseTitle(data.data, t) : t('case.title', { id })}
      lead={<Link to="/cases">{t('case.allCases')}</Link>}
    >
      <Async value={data} what={t('common.what.case')}>
        {(c) => {
          const actor = actorOf(me, c);
          return (
            <>
              <dl className="facts">
                <dt>{t('case.fact.status')}</dt>
                <dd data-testid="case-status">
                  <StatusBadge status={c.status} overdue={c.overdue} />
                  {c.dueDate ? ` ${t('case.answerDue', { date: c.dueDate })}` : ''}
                </dd>
                <dt>{t('case.fact.kind')}</dt>
                <dd>{kindLabel(c.kind, t)}</dd>
                <dt>{t('case.fact.state')}</dt>
                <dd>{c.state}</dd>
                {c.mba && (
                  <>
                    <dt>{t('reports.mba')}</dt>
                    <dd>
                      <Link to={`/mbas/${encodeURIComponent(c.mba)}/evaluation`}>{c.mba}</Link>
                    </dd>
                  </>
                )}
                <dt>{t('case.fact.owner')}</dt>
                <dd>
                  {c.inspectorate}
                  {c.sharedWith.length ? ` ${t('case.sharedWith', { orgs: c.sharedWith.join(', ') })}` : ''}
                </dd>
                <dt>{t('case.fact.opened')}</dt>
                <dd>{formatDate(c.openedAt, true)}</dd>
              </dl>
              <Decision c={c} />
              <Section title={t('case.thread')}>
                <Thread c={c} />
              </Section>
              {actor === 'state' && c.status === 'question-sent' && <AnswerForm c={c} onDone={data.reload} />}
              {actor === 'owner' && <TransitionForm key={c.status} c={c} onDone={data.reload} />}
              {actor !== 'reader' && <MessageForm c={c} owner={actor === 'owner'} onDone={data.reload} />}
            </>
          );
        }}
      </Async>
    </Page>
  );
}
