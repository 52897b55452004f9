/** The inbox: notifications for the user and their organisation, newest first, paged by the server. */
import { type InboxItem, inboxApi } from '../api.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { formatDate } from '../i18n/format.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';
import { describeEvent, eventLink, useLive, useLiveReload } from '../live.js';
import { Link, useSearchParam } from '../router.js';

const INBOX_PAGE = 25;

function inboxColumns(t: Translate, mark: (body: { ids: number[] }) => void): Column<InboxItem>[] {
  return [
    {
      key: 'at',
      header: t('inbox.col.when'),
      render: (i) => formatDate(i.event.at, true),
      sortValue: (i) => i.event.at,
    },
    {
      key: 'what',
      header: t('inbox.col.what'),
      render: (i) => {
        const to = eventLink(i.event);
        const text = describeEvent(i.event, t);
        return (
          <>
            {i.readAt === null && <span className="badge badge-wait">{t('inbox.unread')}</span>}{' '}
            {to ? <Link to={to}>{text}</Link> : text}
          </>
        );
      },
    },
    {
      key: 'read',
      header: t('inbox.col.read'),
      render: (i) =>
        i.readAt === null ? (
          <button
            type="button"
            onClick={() => mark({ ids: [i.id] })}
            aria-label={t('inbox.markOneRead', { what: describeEvent(i.event, t) })}
          >
            {t('inbox.markRead')}
          </button>
        ) : (
          <span className="muted">{formatDate(i.readAt.slice(0, 10))}</span>
        ),
    },
  ];
}

export function InboxPage() {
  const t = useT();
  const { refreshUnread } = useLive();
  const [unreadOnly, setUnreadOnly] = useSearchParam('unread');
  // Paged by the server, newest first (issue 16 item 10: a demo inbox holds 100+ notices): a page
  // of INBOX_PAGE, then older ones before the last id shown.
  const [beforeText, setBefore] = useSearchParam('before');
  const before = /^\d+$/.test(beforeText) ? Number(beforeText) : undefined;
  const data = useLoad(
    () =>
      inboxApi.list({
        limit: INBOX_PAGE,
        ...(unreadOnly ? { unread: '1' } : {}),
        ...(before === undefined ? {} : { before }),
      }),
    [unreadOnly, before],
  );
  useLiveReload((e) => e.type !== 'checkpoint.published', data.reload);
  const mark = async (body: { ids?: number[]; all?: boolean }) => {
    await inboxApi.read(body);
    data.reload();
    refreshUnread();
  };
  const columns = inboxColumns(t, (body) => void mark(body));
  return (
    <Page title={t('inbox.title')} lead={t('inbox.lead')}>
      <div className="row">
        <label className="check">
          <input
            type="checkbox"
            checked={unreadOnly !== ''}
            onChange={(e) => {
              setBefore(undefined);
              setUnreadOnly(e.target.checked ? '1' : undefined);
            }}
          />{' '}
          {t('inbox.unreadOnly')}
        </label>
        <button type="button" onClick={() => void mark({ all: true })}>
          {t('inbox.markAllRead')}
        </button>
      </div>
      <Async value={data} what={t('inbox.what')}>
        {(r) =>
          r.items.length === 0 ? (
            <EmptyState title={t('inbox.none')}>
              <p>{t('inbox.noneHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Table
                caption={t('inbox.caption', { unread: r.unread })}
                columns={columns}
                rows={r.items}
                rowKey={(i) => String(i.id)}
              />
              <nav className="pager" aria-label={t('inbox.pages')}>
                {before !== undefined && (
                  <button type="button" onClick={() => setBefore(undefined)}>
                    {t('inbox.newest')}
                  </button>
                )}
                {r.items.length === INBOX_PAGE && (
                  <button type="button" onClick={() => setBefore(String(r.items[r.items.length - 1]!.id))}>
                    {t('inbox.older')}
                  </button>
                )}
              </nav>
            </>
          )
        }
      </Async>
    </Page>
  );
}
