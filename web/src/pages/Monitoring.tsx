/** Alarms, transfers, the state evaluation summary and the inbox: what needs attention now. */
import { ALARM_CODES, type AlarmCode } from '../../../src/domain/accounting/index.js';
import {
  type Alarm,
  evaluationApi,
  type InboxItem,
  inboxApi,
  type StateEvaluation,
  type Transfer,
  type TransferSide,
} from '../api.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, type PagedTable, ServerTable, Table, usePagedTable } from '../components/Table.js';
import { formatLocale } from '../i18n/format.js';
import { describeEvent, eventLink, mayChangeAlarms, useLive, useLiveReload } from '../live.js';
import { Link, useSearchParam } from '../router.js';

const ALARM_LABEL: Record<AlarmCode, string> = {
  MUF_3SIGMA: 'MUF beyond 3σMUF',
  MUF_SQ: 'MUF above 1 SQ',
  CUMUF_SQ: 'CUMUF above 1 SQ',
  PAGE: "Page's test",
  ITEM_MUF: 'Item MUF',
  SRD_3SIGMA: 'SRD beyond 3σ',
  TRANSFER_UNMATCHED: 'Transfer unmatched',
  NOTICE_MISSING: 'Notice missing',
  NOTICE_LATE: 'Notice late',
  DEVICE_SILENT: 'Device silent',
  DEVICE_CHAIN_BROKEN: 'Device chain broken',
  DEVICE_AUTH_FAILED: 'Device signature failed',
  SEAL_OPENED: 'Seal opened',
  CAMERA_UNDECLARED: 'Camera, undeclared activity',
  GATE_MISMATCH: 'Gate counts against declarations',
  ANNEX_II_UNMATCHED: 'Annex II export unconfirmed',
  ANNEX_II_DISCREPANT: 'Annex II quantities differ',
  SOURCE_MATERIAL_UNMATCHED: 'Source material unmatched',
  SOURCE_MATERIAL_DISCREPANT: 'Source material quantities differ',
};

export function alarmLabel(code: string): string {
  return (ALARM_CODES as readonly string[]).includes(code) ? ALARM_LABEL[code as AlarmCode] : code;
}

function evaluationLink(a: Alarm): string {
  return `/mbas/${encodeURIComponent(a.mba)}/evaluation${a.element ? `?element=${encodeURIComponent(a.element)}` : ''}`;
}

/** Alarm columns; `sortField` names the API's sort field (GET /api/alarms?sort=). */
const alarmColumns: Column<Alarm>[] = [
  { key: 'date', header: 'Date', render: (a) => a.date, sortField: 'date' },
  {
    key: 'code',
    header: 'Alarm',
    render: (a) => <span className="badge badge-bad">{alarmLabel(a.code)}</span>,
    sortField: 'code',
  },
  { key: 'state', header: 'State', render: (a) => a.state, sortField: 'state' },
  {
    key: 'mba',
    header: 'MBA',
    // A declaration cross-check alarm is about a declared item (its ref), not an MBA.
    render: (a) => (a.mba ? <Link to={evaluationLink(a)}>{a.mba}</Link> : (a.ref ?? '')),
    sortField: 'mba',
  },
  { key: 'el', header: 'Element', render: (a) => a.element ?? '', sortField: 'element' },
  {
    key: 'period',
    header: 'Period',
    render: (a) => (a.from ? `${a.from} – ${a.date}` : a.date),
  },
];

/**
 * Sets one of a screen's own filters (kept in the address beside the table's sort, q and page);
 * a changed filter goes back to the first page, as a changed sort or q does.
 */
function filterSetter(table: PagedTable<unknown>) {
  return (set: (v: string | undefined) => void, current: string, next: string) => {
    if (next === current) return;
    table.setPage(0);
    set(next);
  };
}

export function AlarmsPage() {
  const [state, setState] = useSearchParam('state');
  const [mba, setMba] = useSearchParam('mba');
  const [code, setCode] = useSearchParam('code');
  const table = usePagedTable(
    (req, signal) =>
      evaluationApi.alarms(
        { ...req, state: state || undefined, mba: mba || undefined, code: code || undefined },
        signal,
      ),
    [state, mba, code],
  );
  useLiveReload(mayChangeAlarms, table.loaded.reload);
  const refilter = filterSetter(table);
  return (
    <Page title="Alarms" lead="Test results that crossed a threshold in the evaluation of the reports.">
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label="Filter alarms">
        <div className="field">
          <label htmlFor="al-code">Alarm</label>
          <select id="al-code" value={code} onChange={(e) => refilter(setCode, code, e.target.value)}>
            <option value="">any</option>
            {ALARM_CODES.map((c) => (
              <option key={c} value={c}>
                {alarmLabel(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="al-state">State</label>
          <input
            id="al-state"
            defaultValue={state}
            onBlur={(e) => refilter(setState, state, e.target.value.trim().toUpperCase())}
          />
        </div>
        <div className="field">
          <label htmlFor="al-mba">MBA</label>
          <input
            id="al-mba"
            defaultValue={mba}
            onBlur={(e) => refilter(setMba, mba, e.target.value.trim())}
          />
        </div>
      </form>
      <ServerTable
        caption="Alarms"
        columns={alarmColumns}
        table={table}
        rowKey={(a) => a.key}
        filterLabel="Filter these alarms"
        what="alarms"
        empty={
          <EmptyState title="No alarms">
            <p>Nothing crossed a threshold{state || mba || code ? ' for these filters' : ''}.</p>
          </EmptyState>
        }
      />
    </Page>
  );
}

const kg = (g: number | undefined) =>
  g === undefined ? '' : `${(g / 1000).toLocaleString(formatLocale(), { maximumFractionDigits: 3 })} kg`;

/** A transfer side's line when the reader may see it; a side of another state shows its state only. */
function shown(s: TransferSide | null) {
  return s !== null && 'mba' in s ? s : undefined;
}

function side(s: TransferSide | null) {
  if (!s) return <span className="muted">none reported</span>;
  if (!('mba' in s)) return <span className="muted">{s.state} (not shown to you)</span>;
  return (
    <>
      {s.mba} · {s.code} {s.date} · {kg(s.weight)}
    </>
  );
}

/** Transfer columns; `sortField` names the API's sort field (GET /api/transfers?sort=). */
const transferColumns: Column<Transfer>[] = [
  {
    key: 'status',
    header: 'Status',
    render: (t) => (
      <span
        className={`badge ${t.status === 'matched' ? 'badge-ok' : t.status === 'pending' ? 'badge-wait' : 'badge-bad'}`}
      >
        {t.status}
      </span>
    ),
    sortField: 'status',
  },
  { key: 'batch', header: 'Batch', render: (t) => t.batch ?? '', sortField: 'batch' },
  {
    key: 'el',
    header: 'Element',
    render: (t) => shown(t.shipment)?.element ?? shown(t.receipt)?.element ?? '',
    sortField: 'element',
  },
  // The date sorted on is the shipment's, or the receipt's where the shipment is not shown.
  { key: 'ship', header: 'Shipment', render: (t) => side(t.shipment), sortField: 'date' },
  { key: 'rec', header: 'Receipt', render: (t) => side(t.receipt) },
  {
    key: 'srd',
    header: 'SRD ± σ (g)',
    render: (t) =>
      t.srd === null ? (
        <span className="muted">—</span>
      ) : (
        `${t.srd.toLocaleString(formatLocale(), { maximumFractionDigits: 1 })} ± ${(t.sigma ?? 0).toLocaleString(formatLocale(), { maximumFractionDigits: 1 })}`
      ),
    // The server sorts by |SRD| / σ, as the 3σ test judges it.
    sortField: 'srd',
    numeric: true,
  },
  {
    key: 'deadline',
    header: 'Deadline',
    render: (t) => t.deadline ?? '—',
    sortField: 'deadline',
  },
];

const TRANSFER_STATUSES = ['matched', 'discrepant', 'unmatched', 'pending'] as const;

export function TransfersPage() {
  const [status, setStatus] = useSearchParam('status');
  const [state, setState] = useSearchParam('state');
  const table = usePagedTable(
    (req, signal) =>
      evaluationApi.transfers({ ...req, status: status || undefined, state: state || undefined }, signal),
    [status, state],
  );
  // The counts per status: the server's total of each status (one row each), not the page's.
  const counts = useLoad(
    async (signal) => {
      const totals = await Promise.all(
        TRANSFER_STATUSES.map((s) =>
          evaluationApi
            .transfers({ status: s, state: state || undefined, limit: 1 }, signal)
            .then((p) => p.total),
        ),
      );
      return TRANSFER_STATUSES.map((s, i) => ({ status: s, total: totals[i] ?? 0 }));
    },
    [state],
  );
  const reload = () => {
    table.loaded.reload();
    counts.reload();
  };
  useLiveReload((e) => e.type === 'report.accepted', reload);
  const refilter = filterSetter(table);
  return (
    <Page
      title="Transfers"
      lead="Shipments matched with receipts between MBAs and states; shipper–receiver differences with their σ."
    >
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label="Filter transfers">
        <div className="field">
          <label htmlFor="tf-status">Status</label>
          <select id="tf-status" value={status} onChange={(e) => refilter(setStatus, status, e.target.value)}>
            <option value="">any</option>
            {['matched', 'unmatched', 'discrepant', 'pending'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tf-state">State</label>
          <input
            id="tf-state"
            defaultValue={state}
            onBlur={(e) => refilter(setState, state, e.target.value.trim().toUpperCase())}
          />
        </div>
      </form>
      {counts.data?.some((c) => c.total > 0) && (
        <ul className="stat-row" aria-label="Transfers by status">
          {counts.data.map((c) => (
            <li key={c.status}>
              <span className="stat">{c.total}</span> {c.status}
            </li>
          ))}
        </ul>
      )}
      <ServerTable
        caption="Transfers"
        columns={transferColumns}
        table={table}
        rowKey={(t) =>
          `${t.batch}:${shown(t.shipment)?.id ?? t.shipment?.state ?? ''}:${shown(t.receipt)?.id ?? t.receipt?.state ?? ''}`
        }
        filterLabel="Filter these transfers"
        what="transfers"
        empty={
          <EmptyState title="No transfers">
            <p>Transfers appear once shipments (SD) or receipts (RD) are reported.</p>
          </EmptyState>
        }
      />
    </Page>
  );
}

const CONCLUSION_CLASS: Record<string, string> = {
  BROADER: 'badge-ok',
  NO_DIVERSION: 'badge-ok',
  NOT_DRAWN: 'badge-bad',
};

export function EvaluationSummary({ e }: { e: StateEvaluation }) {
  return (
    <>
      <p>
        <span className={`badge ${CONCLUSION_CLASS[e.conclusion.category] ?? 'badge-wait'}`}>
          {e.conclusion.category.replace(/_/g, ' ').toLowerCase()}
        </span>{' '}
        {e.conclusion.statement}
      </p>
      {e.conclusion.reasons.length > 0 && (
        <ul>
          {e.conclusion.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <ul className="stat-row" aria-label={`Evaluation ${e.year}`}>
        <li>
          <span className="stat">{e.balancesClosed}</span> balances closed
        </li>
        <li>
          <span className="stat">{e.openAlarms.length}</span> open alarms
        </li>
        <li>
          <span className="stat">{e.timeliness.onTime ?? 0}</span> reports on time
        </li>
        <li>
          <span className="stat">{(e.timeliness.late ?? 0) + (e.timeliness.missing ?? 0)}</span> late or
          missing
        </li>
        <li>
          <span className="stat">{e.transfers.discrepant ?? 0}</span> discrepant transfers
        </li>
      </ul>
      {e.openAlarms.length > 0 && (
        <Table
          caption={`Open alarms ${e.year}`}
          columns={[
            { key: 'date', header: 'Date', render: (a) => a.date, sortValue: (a) => a.date },
            { key: 'code', header: 'Alarm', render: (a) => alarmLabel(a.code), sortValue: (a) => a.code },
            {
              key: 'mba',
              header: 'MBA',
              render: (a) => (
                <Link
                  to={`/mbas/${encodeURIComponent(a.mba)}/evaluation${a.element ? `?element=${a.element}` : ''}`}
                >
                  {a.mba}
                </Link>
              ),
              sortValue: (a) => a.mba,
            },
            { key: 'el', header: 'Element', render: (a) => a.element ?? '' },
          ]}
          rows={e.openAlarms}
          rowKey={(a) => a.key}
        />
      )}
    </>
  );
}

export function StateEvaluationSection({ state, year }: { state: string; year: number }) {
  const data = useLoad(() => evaluationApi.stateEvaluation(state, year), [state, year]);
  useLiveReload(mayChangeAlarms, data.reload);
  return (
    <Section title={`Evaluation ${year}`}>
      <Async value={data} what="the evaluation">
        {(e) => <EvaluationSummary e={e} />}
      </Async>
    </Section>
  );
}

const INBOX_PAGE = 25;

export function InboxPage() {
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
  const columns: Column<InboxItem>[] = [
    {
      key: 'at',
      header: 'When (UTC)',
      render: (i) => i.event.at.replace('T', ' ').slice(0, 16),
      sortValue: (i) => i.event.at,
    },
    {
      key: 'what',
      header: 'What happened',
      render: (i) => {
        const to = eventLink(i.event);
        const text = describeEvent(i.event);
        return (
          <>
            {i.readAt === null && <span className="badge badge-wait">unread</span>}{' '}
            {to ? <Link to={to}>{text}</Link> : text}
          </>
        );
      },
    },
    {
      key: 'read',
      header: 'Read',
      render: (i) =>
        i.readAt === null ? (
          <button
            type="button"
            onClick={() => void mark({ ids: [i.id] })}
            aria-label={`Mark “${describeEvent(i.event)}” read`}
          >
            Mark read
          </button>
        ) : (
          <span className="muted">{i.readAt.slice(0, 10)}</span>
        ),
    },
  ];
  return (
    <Page title="Inbox" lead="Notifications for you and your organisation; new ones arrive live.">
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
          Unread only
        </label>
        <button type="button" onClick={() => void mark({ all: true })}>
          Mark all read
        </button>
      </div>
      <Async value={data} what="the inbox">
        {(r) =>
          r.items.length === 0 ? (
            <EmptyState title="Nothing here">
              <p>Questions, answers, deadlines and receipts will appear here as they happen.</p>
            </EmptyState>
          ) : (
            <>
              <Table
                caption={`Notifications, ${r.unread} unread`}
                columns={columns}
                rows={r.items}
                rowKey={(i) => String(i.id)}
              />
              <nav className="pager" aria-label="Inbox pages">
                {before !== undefined && (
                  <button type="button" onClick={() => setBefore(undefined)}>
                    Newest
                  </button>
                )}
                {r.items.length === INBOX_PAGE && (
                  <button type="button" onClick={() => setBefore(String(r.items[r.items.length - 1]!.id))}>
                    Older
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
