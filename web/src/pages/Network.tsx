/**
 * The node's network (issue 17 item 7), for the node's administrators: its identity as peers
 * register it, the peers with their delivery state and lag, arrangements, and the dead letters
 * with their reasons (decisions 0027, 0028), and split views of peers' logs (decision 0043).
 */
import { useState } from 'react';
import {
  type Arrangement,
  type ArrangementBody,
  type DeadLetter,
  type ForwardableKind,
  federationApi,
  type Peer,
} from '../api/federation.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { useSubmit } from '../components/useSubmit.js';
import { formatDate } from '../i18n/format.js';
import { type MessageKey, useT } from '../i18n/I18nProvider.js';
import { refusalText } from '../i18n/problems.js';
import { arrangementKindName } from '../i18n/terms.js';
import { SplitViews } from './network/SplitViews.js';

/** What an arrangement can name (the API's enum, decision 0044; a kind the form lacks is still listed). */
const KINDS: readonly ForwardableKind[] = [
  'key-registration',
  'report',
  'transfer-notice',
  'inspection-statement',
  'case-transition',
];

function useKindLabel() {
  const t = useT();
  return (k: string) => arrangementKindName(t, k);
}

export default function NetworkPage() {
  const t = useT();
  const peers = useLoad(() => federationApi.peers(), []);
  const arrangements = useLoad(() => federationApi.arrangements(), []);
  return (
    <Page title={t('net.title')} lead={t('net.lead')}>
      <Identity />
      <Section title={t('net.peers')}>
        <Async value={peers} what={t('net.what.peers')}>
          {(rows) => <PeerTable rows={rows} onChange={peers.reload} />}
        </Async>
        <PeerForm onCreated={peers.reload} />
      </Section>
      <Section title={t('net.arrangements')}>
        <Async value={arrangements} what={t('net.what.arrangements')}>
          {(rows) => <ArrangementTable rows={rows} peers={peers.data ?? []} onChange={arrangements.reload} />}
        </Async>
        {peers.data?.some((p) => p.status === 'active') && (
          <ArrangementForm
            peers={peers.data.filter((p) => p.status === 'active')}
            onCreated={arrangements.reload}
          />
        )}
      </Section>
      <SplitViews peers={peers.data ?? []} onChange={peers.reload} />
      <DeadLetters peers={peers.data ?? []} />
    </Page>
  );
}

function Identity() {
  const t = useT();
  const node = useLoad(() => federationApi.node(), []);
  return (
    <Section title={t('net.identity')}>
      <Async value={node} what={t('net.what.identity')}>
        {(n) => (
          <dl className="facts">
            <dt>{t('net.origin')}</dt>
            <dd className="mono">{n.origin}</dd>
            <dt>{t('net.logKey')}</dt>
            <dd className="mono break">{n.logKey}</dd>
            <dt>{t('net.nodeKey')}</dt>
            <dd className="mono break">{n.nodeKey}</dd>
            <dt>{t('net.keyId')}</dt>
            <dd className="mono">{n.keyId}</dd>
          </dl>
        )}
      </Async>
      <p className="muted">{t('net.identityHint')}</p>
    </Section>
  );
}

function lag(seconds: number, t: ReturnType<typeof useT>): string {
  if (seconds < 60) return t('net.lag.seconds', { n: seconds });
  if (seconds < 3600) return t('net.lag.minutes', { n: Math.floor(seconds / 60) });
  return t('net.lag.hours', { n: Math.floor(seconds / 3600) });
}

function PeerTable({ rows, onChange }: { rows: readonly Peer[]; onChange: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(undefined);
  const revoke = async (p: Peer) => {
    if (!window.confirm(t('net.revokeConfirm', { name: p.name }))) return;
    setError(undefined);
    try {
      await federationApi.revokePeer(p.id);
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  if (rows.length === 0) return <EmptyState title={t('net.noPeers')} />;
  const columns: Column<Peer>[] = [
    { key: 'name', header: t('net.col.name'), render: (p) => p.name, sortValue: (p) => p.name },
    { key: 'origin', header: t('net.origin'), render: (p) => <span className="mono">{p.origin}</span> },
    { key: 'url', header: t('net.col.url'), render: (p) => <span className="mono">{p.url}</span> },
    {
      key: 'status',
      header: t('net.col.status'),
      render: (p) => (p.status === 'active' ? t('net.status.active') : t('net.status.revoked')),
    },
    { key: 'pending', header: t('net.col.pending'), render: (p) => p.delivery.pending, numeric: true },
    { key: 'delivered', header: t('net.col.delivered'), render: (p) => p.delivery.delivered, numeric: true },
    { key: 'dead', header: t('net.col.dead'), render: (p) => p.delivery.dead, numeric: true },
    {
      key: 'lag',
      header: t('net.col.lag'),
      render: (p) => lag(p.delivery.lagSeconds, t),
      sortValue: (p) => p.delivery.lagSeconds,
      numeric: true,
    },
    {
      key: 'last',
      header: t('net.col.lastDelivered'),
      render: (p) => (p.delivery.lastDeliveredAt ? formatDate(p.delivery.lastDeliveredAt) : '—'),
    },
    {
      key: 'error',
      header: t('net.col.lastError'),
      // The code in the user's language; the node's English wording stays in the API for its readers.
      render: (p) =>
        p.delivery.lastError === null ? (
          '—'
        ) : p.delivery.lastErrorCode === null ? (
          t('net.failure.other')
        ) : (
          <>
            {refusalText(t, p.delivery.lastErrorCode)} <code dir="ltr">{p.delivery.lastErrorCode}</code>
          </>
        ),
    },
    {
      key: 'actions',
      header: t('net.col.actions'),
      render: (p) =>
        p.status === 'active' ? (
          <button
            type="button"
            onClick={() => void revoke(p)}
            aria-label={t('net.revokeOf', { name: p.name })}
          >
            {t('net.revoke')}
          </button>
        ) : p.revokedAt ? (
          formatDate(p.revokedAt)
        ) : null,
    },
  ];
  return (
    <>
      {error !== undefined && <ErrorState error={error} />}
      <Table caption={t('net.peersCaption')} columns={columns} rows={rows} rowKey={(p) => p.id} />
    </>
  );
}

function PeerForm({ onCreated }: { onCreated: () => void }) {
  const t = useT();
  const empty = { name: '', url: '', logKey: '', nodeKey: '' };
  const [v, setV] = useState(empty);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await federationApi.createPeer({
      name: v.name.trim(),
      url: v.url.trim(),
      logKey: v.logKey.trim(),
      nodeKey: v.nodeKey.trim(),
    });
    setV(empty);
    onCreated();
  });
  const field = (key: keyof typeof empty, label: MessageKey) => (
    <div className="field">
      <label htmlFor={`peer-${key}`}>{t(label)}</label>
      <input
        id={`peer-${key}`}
        value={v[key]}
        onChange={(e) => setV({ ...v, [key]: e.target.value })}
        required
        className={key === 'name' ? undefined : 'mono'}
      />
    </div>
  );
  return (
    <form onSubmit={onSubmit} className="stack" aria-label={t('net.addPeer')}>
      <h3>{t('net.addPeer')}</h3>
      <div className="form-grid">
        {field('name', 'net.col.name')}
        {field('url', 'net.col.url')}
        {field('logKey', 'net.logKey')}
        {field('nodeKey', 'net.nodeKey')}
      </div>
      {error !== undefined && <ErrorState error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {t('net.addPeerSubmit')}
        </button>
      </div>
    </form>
  );
}

/** Ends an open arrangement (decision 0044): now, or from a later day the administrator picks. */
function EndArrangement({ a, onEnded }: { a: Arrangement; onEnded: () => void }) {
  const t = useT();
  const [to, setTo] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await federationApi.endArrangement(a.id, to || undefined);
    onEnded();
  });
  return (
    <form onSubmit={onSubmit} className="row" aria-label={t('net.endArrangement')}>
      <label className="visually-hidden" htmlFor={`end-${a.id}`}>
        {t('net.endOn')}
      </label>
      <input id={`end-${a.id}`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      <button type="submit" disabled={busy}>
        {to ? t('net.endOnSubmit') : t('net.endNow')}
      </button>
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}

function ArrangementTable({
  rows,
  peers,
  onChange,
}: {
  rows: readonly Arrangement[];
  peers: readonly Peer[];
  onChange: () => void;
}) {
  const t = useT();
  const kindLabel = useKindLabel();
  if (rows.length === 0) return <EmptyState title={t('net.noArrangements')} />;
  const columns: Column<Arrangement>[] = [
    {
      key: 'peer',
      header: t('net.col.peer'),
      render: (a) => peers.find((p) => p.id === a.peer)?.name ?? a.peer,
    },
    {
      key: 'direction',
      header: t('net.col.direction'),
      render: (a) => (a.direction === 'send' ? t('net.direction.send') : t('net.direction.receive')),
    },
    { key: 'states', header: t('net.col.states'), render: (a) => a.states.join(', ') },
    { key: 'kinds', header: t('net.col.kinds'), render: (a) => a.kinds.map(kindLabel).join(', ') },
    {
      key: 'from',
      header: t('net.col.from'),
      render: (a) => (
        <>
          {formatDate(a.from)}
          {a.backlog && (
            // A new arrangement to send queues its earlier records a chunk at a time (decision 0094).
            <div className="muted">
              {t('net.backlog', {
                percent: a.backlog.until > 0 ? Math.floor((100 * a.backlog.next) / a.backlog.until) : 0,
              })}
            </div>
          )}
        </>
      ),
      sortValue: (a) => a.from,
    },
    {
      key: 'to',
      header: t('net.col.to'),
      render: (a) => (a.to ? formatDate(a.to) : t('net.open')),
      sortValue: (a) => a.to ?? '',
    },
    { key: 'created', header: t('net.col.recorded'), render: (a) => formatDate(a.createdAt) },
    {
      key: 'end',
      header: t('net.col.end'),
      render: (a) => (a.to === null ? <EndArrangement a={a} onEnded={onChange} /> : '—'),
    },
  ];
  return <Table caption={t('net.arrangementsCaption')} columns={columns} rows={rows} rowKey={(a) => a.id} />;
}

function ArrangementForm({ peers, onCreated }: { peers: readonly Peer[]; onCreated: () => void }) {
  const t = useT();
  const kindLabel = useKindLabel();
  const [peer, setPeer] = useState(peers[0]?.id ?? '');
  const [direction, setDirection] = useState<ArrangementBody['direction']>('send');
  const [states, setStates] = useState('');
  const [kinds, setKinds] = useState<ForwardableKind[]>([...KINDS]);
  const [from, setFrom] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await federationApi.createArrangement({
      peer,
      direction,
      states: states
        .split(/[\s,]+/)
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== ''),
      kinds,
      from,
    });
    setStates('');
    onCreated();
  });
  return (
    <form onSubmit={onSubmit} className="stack" aria-label={t('net.addArrangement')}>
      <h3>{t('net.addArrangement')}</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="arr-peer">{t('net.col.peer')}</label>
          <select id="arr-peer" value={peer} onChange={(e) => setPeer(e.target.value)}>
            {peers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="arr-direction">{t('net.col.direction')}</label>
          <select
            id="arr-direction"
            value={direction}
            onChange={(e) => setDirection(e.target.value === 'receive' ? 'receive' : 'send')}
          >
            <option value="send">{t('net.direction.send')}</option>
            <option value="receive">{t('net.direction.receive')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="arr-states">{t('net.col.states')}</label>
          <input
            id="arr-states"
            value={states}
            onChange={(e) => setStates(e.target.value)}
            required
            aria-describedby="arr-states-hint"
          />
          <span id="arr-states-hint" className="muted">
            {t('net.statesHint')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="arr-from">{t('net.col.from')}</label>
          <input id="arr-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </div>
      </div>
      <fieldset>
        <legend>{t('net.col.kinds')}</legend>
        {KINDS.map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={kinds.includes(k)}
              onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
            />{' '}
            {kindLabel(k)}
          </label>
        ))}
      </fieldset>
      {error !== undefined && <ErrorState error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={busy || kinds.length === 0 || peer === ''}>
          {t('net.addArrangementSubmit')}
        </button>
      </div>
    </form>
  );
}

const DEAD_PAGE = 50;

function DeadLetters({ peers }: { peers: readonly Peer[] }) {
  const t = useT();
  const [offset, setOffset] = useState(0);
  const data = useLoad(() => federationApi.deadLetters(DEAD_PAGE, offset), [offset]);
  const columns: Column<DeadLetter>[] = [
    {
      key: 'direction',
      header: t('net.col.direction'),
      render: (d) => (d.direction === 'outbound' ? t('net.dead.outbound') : t('net.dead.inbound')),
    },
    {
      key: 'peer',
      header: t('net.col.peer'),
      render: (d) => peers.find((p) => p.id === d.peer)?.name ?? d.peer,
    },
    {
      key: 'source',
      header: t('net.col.source'),
      render: (d) => (
        <span className="mono">
          {d.source} #{d.index}
        </span>
      ),
    },
    { key: 'record', header: t('net.col.record'), render: (d) => <span className="mono">{d.recordId}</span> },
    { key: 'code', header: t('net.col.code'), render: (d) => <span className="mono">{d.code}</span> },
    // The code (its own column) in the user's language; the node's English wording stays in the API.
    { key: 'reason', header: t('net.col.reason'), render: (d) => refusalText(t, d.code) },
    { key: 'at', header: t('net.col.at'), render: (d) => formatDate(d.at), sortValue: (d) => d.at },
  ];
  return (
    <Section title={t('net.deadLetters')}>
      <p className="muted">{t('net.deadHint')}</p>
      <Async value={data} what={t('net.what.deadLetters')}>
        {(page) =>
          page.total === 0 ? (
            <EmptyState title={t('net.noDeadLetters')} />
          ) : (
            <>
              <Table
                caption={t('net.deadCaption', { total: page.total })}
                columns={columns}
                rows={page.items}
                rowKey={(d) => `${d.direction}:${d.peer}:${d.source}:${d.index}`}
              />
              {page.total > DEAD_PAGE && (
                <nav aria-label={t('net.deadPages')} className="row">
                  <button type="button" disabled={offset === 0} onClick={() => setOffset(offset - DEAD_PAGE)}>
                    {t('table.previous')}
                  </button>
                  <button
                    type="button"
                    disabled={offset + DEAD_PAGE >= page.total}
                    onClick={() => setOffset(offset + DEAD_PAGE)}
                  >
                    {t('table.next')}
                  </button>
                </nav>
              )}
            </>
          )
        }
      </Async>
    </Section>
  );
}
