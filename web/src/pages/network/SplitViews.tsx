/**
 * Split views of the logs this node exchanges records with (issue 17 item 5, decision 0043): the
 * evidence to download and check offline, and the administrator's decision — resume forwarding
 * with the log as it is now, or revoke the peer — each a logged record.
 */
import { federationApi, type Peer, type SplitView, type SplitViewAction } from '../../api/federation.js';
import { Async, EmptyState, ErrorState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';

const CAUSE = {
  'same-size': 'net.split.cause.same-size',
  'other-history': 'net.split.cause.other-history',
  'no-proof': 'net.split.cause.no-proof',
  'bad-proof': 'net.split.cause.bad-proof',
} as const;

const STATUS = {
  open: 'net.split.status.open',
  resumed: 'net.split.status.resumed',
  revoked: 'net.split.status.revoked',
} as const;

export function SplitViews({ peers, onChange }: { peers: readonly Peer[]; onChange: () => void }) {
  const t = useT();
  const data = useLoad(() => federationApi.splitViews(), []);
  const { busy, error, run } = useSubmit(async (s: SplitView, action: SplitViewAction) => {
    await federationApi.decideSplitView(s.id, action);
    data.reload();
    onChange();
  });
  const decide = async (s: SplitView, action: SplitViewAction) => {
    const ask = action === 'resume' ? 'net.split.resumeConfirm' : 'net.split.revokeConfirm';
    if (window.confirm(t(ask, { origin: s.origin }))) await run(s, action);
  };
  const columns: Column<SplitView>[] = [
    { key: 'origin', header: t('net.origin'), render: (s) => <span className="mono">{s.origin}</span> },
    {
      key: 'peer',
      header: t('net.col.peer'),
      render: (s) => (s.peer === null ? '—' : (peers.find((p) => p.id === s.peer)?.name ?? s.peer)),
    },
    { key: 'reason', header: t('net.col.reason'), render: (s) => t(CAUSE[s.cause]) },
    {
      key: 'detected',
      header: t('net.col.detected'),
      render: (s) => formatDate(s.detectedAt),
      sortValue: (s) => s.detectedAt,
    },
    {
      key: 'evidence',
      header: t('net.col.evidence'),
      render: (s) => (
        <>
          <a href={federationApi.splitViewEvidenceUrl(s.id)} download={`split-view-${s.id}.json`}>
            {t('net.split.download')}
          </a>{' '}
          <span className="muted">{s.proven ? t('net.split.proven') : t('net.split.unproven')}</span>
        </>
      ),
    },
    { key: 'status', header: t('net.col.status'), render: (s) => t(STATUS[s.status]) },
    {
      key: 'actions',
      header: t('net.col.actions'),
      render: (s) =>
        s.status === 'open' ? (
          <span className="row">
            <button
              type="button"
              disabled={busy}
              onClick={() => void decide(s, 'resume')}
              aria-label={t('net.split.resumeOf', { origin: s.origin })}
            >
              {t('net.split.resume')}
            </button>
            {s.peer !== null && (
              <button
                type="button"
                disabled={busy}
                onClick={() => void decide(s, 'revoke')}
                aria-label={t('net.split.revokeOf', { origin: s.origin })}
              >
                {t('net.split.revoke')}
              </button>
            )}
          </span>
        ) : s.decidedAt ? (
          formatDate(s.decidedAt)
        ) : (
          '—'
        ),
    },
  ];
  return (
    <Section title={t('net.splitViews')}>
      <p className="muted">{t('net.splitHint')}</p>
      {error !== undefined && <ErrorState error={error} />}
      <Async value={data} what={t('net.what.splitViews')}>
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState title={t('net.noSplitViews')} />
          ) : (
            <Table caption={t('net.splitCaption')} columns={columns} rows={rows} rowKey={(s) => s.id} />
          )
        }
      </Async>
    </Section>
  );
}
