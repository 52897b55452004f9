import { type CaseDetail, type CaseEvent, casesApi } from '../../api.js';
import { formatDate } from '../../i18n/format.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import { statusLabel } from './status.js';

function eventTitle(e: CaseEvent, t: Translate): string {
  const who =
    e.actorKind === 'state'
      ? t('case.who.state', { org: e.actorOrg ?? '' })
      : (e.actorOrg ?? t('case.who.inspectorate'));
  if (e.type === 'opened') return t('case.event.opened', { who });
  if (e.type === 'transition')
    return t('case.event.transition', {
      from: statusLabel(e.from ?? '', t),
      to: statusLabel(e.to ?? '', t),
      who,
    });
  return t('case.event.message', { who });
}

export function Thread({ c }: { c: CaseDetail }) {
  const t = useT();
  return (
    <ol className="thread" aria-label={t('case.threadLabel')}>
      {c.history.map((e) => (
        <li key={e.seq} className={`thread-item thread-${e.actorKind}`}>
          <p className="thread-head">
            <strong>{eventTitle(e, t)}</strong> <span className="muted small">{formatDate(e.at, true)}</span>
            {e.note?.internal && <span className="badge badge-wait">{t('case.internal')}</span>}
            {e.dueDate && (
              <span className="badge badge-wait">{t('case.answerDue', { date: e.dueDate })}</span>
            )}
          </p>
          {e.note && e.note.text !== '' && <p className="thread-text">{e.note.text}</p>}
          {e.linkedReport && (
            <p className="small" data-testid="linked-report">
              {t('case.correctionReport')} <span className="mono">{e.linkedReport}</span>
            </p>
          )}
          {e.attachments && e.attachments.length > 0 && (
            <ul className="attachments" aria-label={t('case.attachments')}>
              {e.attachments.map((a) => (
                <li key={a.hash}>
                  <a href={casesApi.attachmentUrl(c.id, a.hash)} download={a.name}>
                    {a.name}
                  </a>{' '}
                  <span className="muted small">
                    {t('case.attachmentInfo', { type: a.contentType, size: a.size })}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
