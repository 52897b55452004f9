/**
 * A state's sharing ledger (issue 17 item 2): which of its records this node sent to which node,
 * when, under which arrangements and for which period, and the receiving node's signed
 * acknowledgement, verified here in the browser with the same pure check the sender's delivery
 * runs (decisions 0027, 0044).
 */
import { useState } from 'react';
import { verifyAcknowledgement } from '../../../src/domain/federation/index.js';
import { federationApi, type LedgerEntry, type SharingPeriod } from '../api/federation.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { formatDate } from '../i18n/format.js';
import { type MessageKey, useT } from '../i18n/I18nProvider.js';
import { arrangementKindName, recordKindName } from '../i18n/terms.js';
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
      render: (e) => <AckCell entry={e} />,
    },
  ];
  return (
    <Page title={t('sharing.title')} lead={t('sharing.lead', { state })}>
      <Async value={data} what={t('sharing.what')}>
        {(ledger) =>
          ledger.items.length === 0 && afters.length === 1 && ledger.arrangements.length === 0 ? (
            <EmptyState title={t('sharing.none')}>
              <p>{t('sharing.noneHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Periods rows={ledger.arrangements} />
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

/** The receiver's signature on its acknowledgement, checked in this browser against its node key. */
function AckCheck({ entry }: { entry: LedgerEntry }) {
  const t = useT();
  const ok = verifyAcknowledgement(entry.acknowledgement, entry.peerNodeKey);
  return (
    <span className={ok ? 'ok' : 'error'} data-ack={ok ? 'verified' : 'failed'}>
      {ok ? t('sharing.ack.verified') : t('sharing.ack.failed')}
    </span>
  );
}

/** The arrangements that send the state's records: to whom, what, from when, until when. */
function Periods({ rows }: { rows: readonly SharingPeriod[] }) {
  const t = useT();
  const columns: Column<SharingPeriod>[] = [
    {
      key: 'peer',
      header: t('sharing.col.peer'),
      render: (a) => (
        <>
          {a.peerName} <span className="mono muted">{a.peerOrigin}</span>
        </>
      ),
    },
    {
      key: 'kinds',
      header: t('sharing.col.kinds'),
      render: (a) => a.kinds.map((k) => arrangementKindName(t, k)).join(', '),
    },
    { key: 'from', header: t('sharing.col.from'), render: (a) => formatDate(a.from) },
    {
      key: 'to',
      header: t('sharing.col.to'),
      render: (a) => (a.to ? formatDate(a.to) : t('sharing.open')),
    },
  ];
  return (
    <Section title={t('sharing.periods')}>
      {rows.length === 0 ? (
        <p className="muted">{t('sharing.noPeriods')}</p>
      ) : (
        <Table caption={t('sharing.periodsCaption')} columns={columns} rows={rows} rowKey={(a) => a.id} />
      )}
    </Section>
  );
}

/** The receiver's signed acknowledgement: verified here, then what it says, opened on demand. */
function AckCell({ entry: e }: { entry: LedgerEntry }) {
  const t = useT();
  const ack = e.acknowledgement;
  if (!ack) return <>—</>;
  return (
    <>
      <AckCheck entry={e} />
      <details>
        <summary>{t(ACK[ack.status])}</summary>
        <dl className="facts">
          <dt>{t('sharing.ack.receiver')}</dt>
          <dd className="mono">{ack.receiver}</dd>
          {ack.receivedIndex !== undefined && (
            <>
              <dt>{t('sharing.ack.index')}</dt>
              <dd className="mono">{ack.receivedIndex}</dd>
            </>
          )}
          {ack.leafHash && (
            <>
              <dt>{t('sharing.ack.leafHash')}</dt>
              <dd className="mono break">{ack.leafHash}</dd>
            </>
          )}
          {ack.code && (
            <>
              <dt>{t('sharing.ack.code')}</dt>
              <dd className="mono">{ack.code}</dd>
            </>
          )}
          <dt>{t('sharing.ack.at')}</dt>
          <dd>{formatDate(ack.at)}</dd>
          <dt>{t('sharing.ack.signature')}</dt>
          <dd className="mono break">{'batch' in ack ? ack.batch.signature : ack.signature}</dd>
          {'batch' in ack && (
            <>
              <dt>{t('sharing.ack.batchTitle')}</dt>
              <dd>{t('sharing.ack.batch', { position: ack.batch.position + 1, size: ack.batch.size })}</dd>
            </>
          )}
          <dt>{t('sharing.ack.nodeKey')}</dt>
          <dd className="mono break">{e.peerNodeKey}</dd>
        </dl>
      </details>
    </>
  );
}
