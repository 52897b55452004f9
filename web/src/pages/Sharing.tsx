/**
 * A state's sharing ledger (issue 17 item 2): which of its records this node sent to which node,
 * when, and the receiving node's signed acknowledgement (decision 0027).
 */
import { useState } from 'react';
import { federationApi, type LedgerEntry } from '../api/federation.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { formatDate } from '../i18n/format.js';
import { type MessageKey, useT } from '../i18n/I18nProvider.js';
import { recordKindName } from '../i18n/terms.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

const PAGE = 100;

const STATUS: Record<LedgerEntry['status'], MessageKey> = {
  pending: 'sharing.status.pending',
  delivered: 'sharing.status.delivered',
  dead: 'sharing.status.dead',
};

const ACK: Record<NonNullable<LedgerEntry['acknowledgement']>['status'], MessageKey> = {
  applied: 'sharing.ack.applied',
  duplicate: 'sharing.ack.duplicate',
  refused: 'sharing.ack.refused',
  retry: 'sharing.ack.retry',
};

export default function SharingPage() {
  const t = useT();
  const { me } = useSession();
  const state = me?.state ?? '';
  // Keyset pages: the `after` of each page shown, so Previous goes back exactly.
  const [afters, setAfters] = useState<number[]>([-1]);
  const after = afters[afters.length - 1] ?? -1;
  const data = useLoad(() => federationApi.sharing(state, after, PAGE), [state, after]);
  const columns: Column<LedgerEntry>[] = [
    {
      key: 'record',
      header: t('sharing.col.record'),
      render: (e) => (
        <Link to={`/records/${encodeURIComponent(e.recordId)}/provenance`} className="mono">
          {e.recordId}
        </Link>
      ),
    },
    {
      key: 'kind',
      header: t('sharing.col.kind'),
      // The kind in the user's language; its identifier (the API's and the CLI's) in the title.
      render: (e) => <span title={e.kind}>{recordKindName(t, e.kind)}</span>,
    },
    {
      key: 'peer',
      header: t('sharing.col.peer'),
      render: (e) => (
        <>
          {e.peerName} <span className="mono muted">{e.peerOrigin}</span>
        </>
      ),
    },
    { key: 'status', header: t('sharing.col.status'), render: (e) => t(STATUS[e.status]) },
    { key: 'queued', header: t('sharing.col.queued'), render: (e) => formatDate(e.queuedAt) },
    {
      key: 'delivered',
      header: t('sharing.col.delivered'),
      render: (e) => (e.deliveredAt ? formatDate(e.deliveredAt) : '—'),
    },
    {
      key: 'ack',
      header: t('sharing.col.ack'),
      render: (e) =>
        e.acknowledgement ? (
          <details>
            <summary>{t(ACK[e.acknowledgement.status])}</summary>
            <dl className="facts">
              <dt>{t('sharing.ack.receiver')}</dt>
              <dd className="mono">{e.acknowledgement.receiver}</dd>
              {e.acknowledgement.receivedIndex !== undefined && (
                <>
                  <dt>{t('sharing.ack.index')}</dt>
                  <dd className="mono">{e.acknowledgement.receivedIndex}</dd>
                </>
              )}
              {e.acknowledgement.leafHash && (
                <>
                  <dt>{t('sharing.ack.leafHash')}</dt>
                  <dd className="mono break">{e.acknowledgement.leafHash}</dd>
                </>
              )}
              {e.acknowledgement.code && (
                <>
                  <dt>{t('sharing.ack.code')}</dt>
                  <dd className="mono">{e.acknowledgement.code}</dd>
                </>
              )}
              <dt>{t('sharing.ack.at')}</dt>
              <dd>{formatDate(e.acknowledgement.at)}</dd>
              <dt>{t('sharing.ack.signature')}</dt>
              <dd className="mono break">{e.acknowledgement.signature}</dd>
            </dl>
          </details>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <Page title={t('sharing.title')} lead={t('sharing.lead', { state })}>
      <Async value={data} what={t('sharing.what')}>
        {(ledger) =>
          ledger.items.length === 0 && afters.length === 1 ? (
            <EmptyState title={t('sharing.none')}>
              <p>{t('sharing.noneHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Table
                caption={t('sharing.caption', { state })}
                columns={columns}
                rows={ledger.items}
                rowKey={(e) => `${e.peer}:${e.logIndex}`}
              />
              <nav aria-label={t('sharing.pages')} className="row">
                <button
                  type="button"
                  disabled={afters.length === 1}
                  onClick={() => setAfters(afters.slice(0, -1))}
                >
                  {t('table.previous')}
                </button>
                <button
                  type="button"
                  disabled={ledger.next === null}
                  onClick={() => ledger.next !== null && setAfters([...afters, ledger.next])}
                >
                  {t('table.next')}
                </button>
              </nav>
            </>
          )
        }
      </Async>
    </Page>
  );
}
