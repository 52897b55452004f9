import { type CaseDetail, type CaseEvent, casesApi } from '../../api.js';
import { statusLabel } from './status.js';

function eventTitle(e: CaseEvent): string {
  const who = e.actorKind === 'state' ? `state (${e.actorOrg ?? ''})` : (e.actorOrg ?? 'inspectorate');
  if (e.type === 'opened') return `Opened by ${who}`;
  if (e.type === 'transition') return `${statusLabel(e.from ?? '')} → ${statusLabel(e.to ?? '')} by ${who}`;
  return `Message from ${who}`;
}

export function Thread({ c }: { c: CaseDetail }) {
  return (
    <ol className="thread" aria-label="Case thread">
      {c.history.map((e) => (
        <li key={e.seq} className={`thread-item thread-${e.actorKind}`}>
          <p className="thread-head">
            <strong>{eventTitle(e)}</strong>{' '}
            <span className="muted small">{e.at.replace('T', ' ').slice(0, 16)} UTC</span>
            {e.note?.internal && <span className="badge badge-wait">internal</span>}
            {e.dueDate && <span className="badge badge-wait">answer due {e.dueDate}</span>}
          </p>
          {e.note && e.note.text !== '' && <p className="thread-text">{e.note.text}</p>}
          {e.linkedReport && (
            <p className="small" data-testid="linked-report">
              Correction report: <span className="mono">{e.linkedReport}</span>
            </p>
          )}
          {e.attachments && e.attachments.length > 0 && (
            <ul className="attachments" aria-label="Attachments">
              {e.attachments.map((a) => (
                <li key={a.hash}>
                  <a href={casesApi.attachmentUrl(c.id, a.hash)} download={a.name}>
                    {a.name}
                  </a>{' '}
                  <span className="muted small">
                    ({a.contentType}, {a.size} bytes)
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
