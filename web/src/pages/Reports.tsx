import { useState } from 'react';
import { apiText, type Obligation, type ReportSummary, reportsApi, type Timeliness } from '../api.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page } from '../components/Page.js';
import { ReportLink } from '../components/ReportLink.js';
import { type Column, Table } from '../components/Table.js';
import { useCheckpointWait } from '../live.js';
import { useSearchParam } from '../router.js';

const PAGE_SIZE = 25;
const TYPES = ['ICR', 'PIL', 'MBR', 'INITIAL', 'EXPORT_NOTICE', 'IMPORT_NOTICE'];

export function periodOf(r: ReportSummary): string {
  return r.period ? `${r.period.from} – ${r.period.to}` : (r.pit ?? '');
}

/** Submitted reports, filtered and paged by the server; each receipt can be verified here. */
export default function ReportsPage() {
  const [mba, setMba] = useSearchParam('mba');
  const [type, setType] = useSearchParam('type');
  const [pageText, setPage] = useSearchParam('page');
  const page = Math.max(0, Number(pageText) || 0);
  const data = useLoad(
    () =>
      reportsApi.list({
        mba: mba || undefined,
        type: type || undefined,
        limit: PAGE_SIZE + 1,
        offset: page * PAGE_SIZE,
      }),
    [mba, type, page],
  );
  const columns: Column<ReportSummary>[] = [
    { key: 'id', header: 'Report', render: (r) => <ReportLink id={r.id} /> },
    { key: 'type', header: 'Type', render: (r) => r.type },
    { key: 'mba', header: 'MBA', render: (r) => r.mba },
    { key: 'period', header: 'Period / as of', render: periodOf },
    { key: 'lines', header: 'Lines', render: (r) => r.lineCount, numeric: true },
    { key: 'at', header: 'Submitted (UTC)', render: (r) => r.submittedAt.replace('T', ' ').slice(0, 19) },
    { key: 'receipt', header: 'Receipt', render: (r) => <ReceiptButton report={r} /> },
  ];
  return (
    <Page title="Reports" lead="Accepted reports, newest first. Each has a receipt from the log.">
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label="Filter reports">
        <div className="field">
          <label htmlFor="f-mba">MBA</label>
          <input
            id="f-mba"
            defaultValue={mba}
            onBlur={(e) => {
              setPage(undefined);
              setMba(e.target.value.trim());
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="f-type">Type</label>
          <select
            id="f-type"
            value={type}
            onChange={(e) => {
              setPage(undefined);
              setType(e.target.value);
            }}
          >
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      </form>
      <Async value={data} what="reports">
        {(rows) =>
          rows.length === 0 && page === 0 ? (
            <EmptyState title="No reports yet">
              <p>Submitted reports appear here with their receipts.</p>
            </EmptyState>
          ) : (
            <>
              <Table
                caption={`Reports, page ${page + 1}`}
                columns={columns}
                rows={rows.slice(0, PAGE_SIZE)}
                rowKey={(r) => r.id}
              />
              <nav aria-label="Pages" className="row">
                <button
                  type="button"
                  disabled={page === 0}
                  onClick={() => setPage(page > 1 ? String(page - 1) : undefined)}
                >
                  Previous page
                </button>
                <span>Page {page + 1}</span>
                <button
                  type="button"
                  disabled={rows.length <= PAGE_SIZE}
                  onClick={() => setPage(String(page + 1))}
                >
                  Next page
                </button>
              </nav>
            </>
          )
        }
      </Async>
    </Page>
  );
}

function ReceiptButton({ report }: { report: ReportSummary }) {
  const [state, setState] = useState<'idle' | 'busy' | 'waiting' | 'ok' | 'bad'>('idle');
  const [detail, setDetail] = useState('');
  const waitCovered = useCheckpointWait();
  const run = async () => {
    setState('busy');
    try {
      // A report accepted a moment ago has its receipt once a checkpoint covers it (issue 16 item 9).
      await waitCovered(report.logIndex, () => setState('waiting'));
      setState('busy');
      const v = await import('../verify.js');
      const check = await v.checkReceipt(
        await apiText(report.receiptUrl),
        v.verifierOf(await v.fetchLogKey()),
      );
      setState(check.ok ? 'ok' : 'bad');
      setDetail(check.steps.find((s) => !s.ok)?.label ?? '');
    } catch (e) {
      setState('bad');
      setDetail(e instanceof Error ? e.message : String(e));
    }
  };
  if (state === 'ok') return <span className="badge badge-ok">✓ verified</span>;
  if (state === 'bad')
    return (
      <span className="badge badge-bad" title={detail}>
        ✗ {detail || 'failed'}
      </span>
    );
  return (
    <button
      type="button"
      onClick={run}
      disabled={state === 'busy' || state === 'waiting'}
      aria-label={`Verify the receipt of ${report.id}`}
    >
      {state === 'busy' ? 'Verifying…' : state === 'waiting' ? 'Waiting for the log checkpoint…' : 'Verify'}
    </button>
  );
}

const obligationColumns: Column<Obligation>[] = [
  { key: 'due', header: 'Due', render: (o) => o.dueDate, sortValue: (o) => o.dueDate },
  {
    key: 'type',
    header: 'Obligation',
    render: (o) => `${o.type}${o.month ? ` ${o.month}` : ''}`,
    sortValue: (o) => o.type,
  },
  { key: 'mba', header: 'MBA', render: (o) => o.mba ?? '', sortValue: (o) => o.mba ?? '' },
  {
    key: 'status',
    header: 'Status',
    render: (o) => (
      <span
        className={`badge ${o.status === 'met' ? 'badge-ok' : o.status === 'upcoming' ? 'badge-wait' : 'badge-bad'}`}
      >
        {o.status}
        {o.daysOverdue ? ` (${o.daysOverdue} days overdue)` : o.daysLate ? ` (${o.daysLate} days late)` : ''}
      </span>
    ),
    sortValue: (o) => o.status,
  },
];

/** Deadlines first: what is due soon and what is missing, then the record so far. */
export function TimelinessPanel({ t }: { t: Timeliness }) {
  const open = t.obligations
    .filter((o) => o.status === 'upcoming' || o.status === 'missing' || o.status === 'late')
    .sort(
      (a, b) =>
        (a.status === 'upcoming' ? -1 : 0) - (b.status === 'upcoming' ? -1 : 0) ||
        b.dueDate.localeCompare(a.dueDate),
    );
  return (
    <>
      <ul className="stat-row" aria-label="Timeliness record">
        {(['upcoming', 'met', 'late', 'missing'] as const).map((k) => (
          <li key={k}>
            <span className="stat">{t.counts[k]}</span> {k}
          </li>
        ))}
      </ul>
      {open.length === 0 ? (
        <EmptyState title="Nothing due or missing" />
      ) : (
        <Table
          caption={`Upcoming and missed deadlines (as of ${t.today})`}
          columns={obligationColumns}
          rows={open.slice(0, 12)}
          rowKey={(o) => o.id}
        />
      )}
    </>
  );
}
