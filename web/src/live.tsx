/**
 * Live updates: one EventSource on `GET /api/events` (the session cookie authenticates it) shared
 * by every screen. The browser resumes a dropped stream itself with Last-Event-ID; screens reload
 * their data when an event that concerns them arrives, so nothing needs a manual refresh.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { NOTIFICATION_EVENTS } from '../../src/domain/notifications/events.js';
import { apiText, inboxApi, type LiveEvent } from './api.js';
import { capabilityKey, useCapabilities } from './capabilities.js';
import { formatDate } from './i18n/format.js';
import { type Translate, useT } from './i18n/I18nProvider.js';
import { Link } from './router.js';

/** The named SSE events the server sends: the one list, shared with the server (pure constants). */
const EVENT_TYPES: readonly string[] = NOTIFICATION_EVENTS;

type Listener = (e: LiveEvent) => void;

interface LiveValue {
  subscribe(listener: Listener): () => void;
  readonly connected: boolean;
  readonly unread: number;
  refreshUnread(): void;
}

const LiveContext = createContext<LiveValue>({
  subscribe: () => () => undefined,
  connected: false,
  unread: 0,
  refreshUnread: () => undefined,
});

/**
 * An Additional Protocol declaration's reminder (issue 19): its article, its due date and the
 * Article 3 provision the deadline comes from, as the state's home shows them.
 */
function declarationReminder(d: LiveEvent['data'], when: 'soon' | 'missed', t: Translate): string {
  const values = {
    article: typeof d.article === 'string' ? d.article : '',
    due: typeof d.dueDate === 'string' ? formatDate(d.dueDate) : '',
    provision: typeof d.provision === 'string' ? d.provision : '',
  };
  return when === 'soon' ? t('event.declarationSoon', values) : t('event.declarationMissed', values);
}

/** A sentence for a person, in their language: what happened, about what. */
export function describeEvent(e: LiveEvent, t: Translate): string {
  const d = e.data;
  const title = typeof d.title === 'string' ? d.title : typeof d.case === 'string' ? d.case : '';
  const about = typeof d.mba === 'string' ? `${title} (${d.mba})` : title;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'case.opened':
      return t('event.caseOpened', { about });
    case 'case.question-sent':
      return d.dueDate
        ? t('event.questionSentDue', { about, due: formatDate(String(d.dueDate)) })
        : t('event.questionSent', { about });
    case 'case.answered':
      return t('event.caseAnswered', { about });
    case 'case.resolved':
      return t('event.caseResolved', { about });
    case 'case.escalated':
      return t('event.caseEscalated', { about });
    case 'case.answer-overdue':
      return t('event.answerOverdue', { about });
    case 'case.message':
      return t('event.caseMessage', { about });
    case 'report.accepted':
      return typeof d.id === 'string' ? t('event.reportAcceptedId', { id: d.id }) : t('event.reportAccepted');
    case 'report.rejected':
      return t('event.reportRejected');
    case 'deadline.missed':
      if (d.reportType === 'AP_DECLARATION') return declarationReminder(d, 'missed', t);
      return typeof d.obligation === 'string'
        ? t('event.deadlineMissedOf', { obligation: text(d.obligation) })
        : t('event.deadlineMissed');
    case 'deadline.due-7d':
    case 'deadline.due-1d':
      if (d.reportType === 'AP_DECLARATION') return declarationReminder(d, 'soon', t);
      return typeof d.obligation === 'string'
        ? t('event.deadlineSoonOf', { obligation: text(d.obligation) })
        : t('event.deadlineSoon');
    case 'checkpoint.published':
      return t('event.checkpoint', { size: Number(d.size) });
    case 'inspection.notice':
      return t('event.inspectionNotice');
    case 'inspection.statement':
      return t('event.inspectionStatement');
    default:
      return e.type;
  }
}

/** Where a person goes to act on an event. */
export function eventLink(e: LiveEvent): string | undefined {
  if (e.type.startsWith('case.') && typeof e.data.case === 'string') {
    return `/cases/${encodeURIComponent(e.data.case)}`;
  }
  if (e.type.startsWith('report.')) return '/reports';
  if (e.type.startsWith('inspection.')) return '/inspections';
  if (e.type.startsWith('deadline.') && e.data.reportType === 'AP_DECLARATION' && e.state)
    return `/states/${encodeURIComponent(e.state)}/declarations`;
  return undefined;
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const caps = useCapabilities();
  const canStream = caps.has(capabilityKey('get', '/api/events'));
  const canInbox = caps.has(capabilityKey('get', '/api/inbox'));
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);
  const [unread, setUnread] = useState(0);
  const [toast, setToast] = useState<LiveEvent | undefined>(undefined);

  const refreshUnread = useCallback(() => {
    if (!canInbox) return;
    inboxApi.list({ unread: '1', limit: 1 }).then(
      (r) => setUnread(r.unread),
      () => undefined,
    );
  }, [canInbox]);

  useEffect(() => refreshUnread(), [refreshUnread]);

  useEffect(() => {
    if (!canStream || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/events');
    let unreadTimer: ReturnType<typeof setTimeout> | undefined;
    const onEvent = (msg: MessageEvent<string>) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(msg.data) as LiveEvent;
      } catch {
        return;
      }
      for (const l of listeners.current) l(e);
      if (e.type !== 'checkpoint.published') {
        setToast(e);
        clearTimeout(unreadTimer);
        unreadTimer = setTimeout(refreshUnread, 300);
      }
    };
    for (const t of EVENT_TYPES) source.addEventListener(t, onEvent as EventListener);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source.readyState === EventSource.OPEN);
    return () => {
      clearTimeout(unreadTimer);
      source.close();
      setConnected(false);
    };
  }, [canStream, refreshUnread]);

  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  }, []);
  const value = useMemo(
    () => ({ subscribe, connected, unread, refreshUnread }),
    [subscribe, connected, unread, refreshUnread],
  );
  const link = toast && eventLink(toast);
  const t = useT();
  return (
    <LiveContext.Provider value={value}>
      {children}
      <div className="live-toast" role="status" aria-live="polite" data-testid="live-toast">
        {toast && (
          <p>
            <span className="badge badge-wait">{t('live.new')}</span>{' '}
            {link ? <Link to={link}>{describeEvent(toast, t)}</Link> : describeEvent(toast, t)}{' '}
            <button type="button" className="link-button" onClick={() => setToast(undefined)}>
              {t('live.dismiss')}
            </button>
          </p>
        )}
      </div>
    </LiveContext.Provider>
  );
}

export function useLive(): LiveValue {
  return useContext(LiveContext);
}

/**
 * Calls `reload` (debounced) whenever an event matching `match` arrives: the screen refetches
 * from the API, so what it shows is always the server's current answer.
 */
export function useLiveReload(match: (e: LiveEvent) => boolean, reload: () => void): void {
  const { subscribe } = useLive();
  const matchRef = useRef(match);
  const reloadRef = useRef(reload);
  matchRef.current = match;
  reloadRef.current = reload;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = subscribe((e) => {
      if (!matchRef.current(e)) return;
      clearTimeout(timer);
      timer = setTimeout(() => reloadRef.current(), 150);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [subscribe]);
}

export const isCaseEvent = (e: LiveEvent) => e.type.startsWith('case.');
/** Alarms come from the evaluation of accepted reports; new alarms open cases. */
export const mayChangeAlarms = (e: LiveEvent) => e.type === 'report.accepted' || e.type === 'case.opened';

/** The size of the log's latest checkpoint, read from its note (the second line). */
async function currentLogSize(): Promise<number> {
  const note = await apiText('/log/checkpoint');
  return Number(note.split('\n')[1] ?? 0);
}

/**
 * Waits until a published checkpoint covers log entry `index` (issue 16 item 9): a statement,
 * decision or receipt verified right after it was made is verified once the log has signed it,
 * instead of failing with "beyond the tree". It listens to `checkpoint.published` on the event
 * stream; without a stream it asks again each few seconds. `onWaiting` is told once when it must
 * wait, so the page can say so.
 */
export function useCheckpointWait(): (index: number, onWaiting?: () => void) => Promise<void> {
  const { subscribe, connected } = useLive();
  const connectedRef = useRef(connected);
  connectedRef.current = connected;
  return useCallback(
    (index, onWaiting) =>
      new Promise<void>((resolve, reject) => {
        let done = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const finish = (err?: unknown) => {
          if (done) return;
          done = true;
          off();
          clearTimeout(timer);
          if (err === undefined) resolve();
          else reject(err);
        };
        // Subscribed before the first look, so a checkpoint published in between is not missed.
        const off = subscribe((e) => {
          if (e.type === 'checkpoint.published' && Number(e.data.size) > index) finish();
        });
        let told = false;
        const look = () =>
          currentLogSize().then((size) => {
            if (size > index) return finish();
            if (!told) {
              told = true;
              onWaiting?.();
            }
            // The stream is the way; the slow look is only for a dropped or absent stream.
            timer = setTimeout(look, connectedRef.current ? 15_000 : 3_000);
          }, finish);
        void look();
      }),
    [subscribe],
  );
}
