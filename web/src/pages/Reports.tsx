import { useState } from 'react';
import { apiText, type ReportSummary, reportsApi } from '../api.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { sayStep } from '../components/Checks.js';
import { Page } from '../components/Page.js';
import { ReportLink } from '../components/ReportLink.js';
import { type Column, Table } from '../components/Table.js';
import { formatDate } from '../i18n/format.js';
import { useT } from '../i18n/I18nProvider.js';
import { failureText } from '../i18n/problems.js';
import { useCheckpointWait } from '../live.js';
import { Link, useSearchParam } from '../router.js';
import { periodOf } from './reports/timeliness.js';

const PAGE_SIZE = 25;
const TYPES = ['ICR', 'PIL', 'MBR', 'INITIAL', 'EXPORT_NOTICE', 'IMPORT_NOTICE'];

/** Submitted reports, filtered and paged by the server; each receipt can be verified here. */
export default function ReportsPage() {
  const t = useT();
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
    { key: 'id', header: t('reports.col.report'), render: (r) => <ReportLink id={r.id} /> },
    { key: 'type', header: t('reports.type'), render: (r) => r.type },
    { key: 'mba', header: t('reports.mba'), render: (r) => r.mba },
    { key: 'period', header: t('reports.col.period'), render: periodOf },
    { key: 'lines', header: t('reports.col.lines'), render: (r) => r.lineCount, numeric: true },
    { key: 'at', header: t('reports.col.submitted'), render: (r) => formatDate(r.submittedAt) },
    {
      key: 'receipt',
      header: t('reports.col.receipt'),
      render: (r) => (
        <>
          <ReceiptButton report={r} />{' '}
          <Link
            to={`/records/${encodeURIComponent(r.id)}/provenance`}
            aria-label={t('reports.provenanceOf', { id: r.id })}
          >
            {t('reports.provenance')}
          </Link>
        </>
      ),
    },
  ];
  return (
    <Page title={t('reports.title')} lead={t('reports.lead')}>
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label={t('reports.filter')}>
        <div className="field">
          <label htmlFor="f-mba">{t('reports.mba')}</label>
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
          <label htmlFor="f-type">{t('reports.type')}</label>
          <select
            id="f-type"
            value={type}
            onChange={(e) => {
              setPage(undefined);
              setType(e.target.value);
            }}
          >
            <option value="">{t('reports.anyType')}</option>
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
      </form>
      <Async value={data} what={t('common.what.reports')}>
        {(rows) =>
          rows.length === 0 && page === 0 ? (
            <EmptyState title={t('reports.none')}>
              <p>{t('reports.noneHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Table
                caption={t('reports.caption', { page: page + 1 })}
                columns={columns}
                rows={rows.slice(0, PAGE_SIZE)}
                rowKey={(r) => r.id}
              />
              <nav aria-label={t('reports.pages')} className="row">
                <button
                  type="button"
                  disabled={page === 0}
                  onClick={() => setPage(page > 1 ? String(page - 1) : undefined)}
                >
                  {t('table.previous')}
                </button>
                <span>{t('reports.page', { page: page + 1 })}</span>
                <button
                  type="button"
                  disabled={rows.length <= PAGE_SIZE}
                  onClick={() => setPage(String(page + 1))}
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

function ReceiptButton({ report }: { report: ReportSummary }) {
  const t = useT();
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
      const failed = check.steps.find((s) => !s.ok);
      setDetail(failed ? sayStep(t, failed.label) : '');
    } catch (e) {
      setState('bad');
      setDetail(failureText(t, e));
    }
  };
  if (state === 'ok') return <span className="badge badge-ok">{t('reports.verified')}</span>;
  if (state === 'bad')
    return (
      <span className="badge badge-bad" title={detail}>
        ✗ {detail || t('reports.failed')}
      </span>
    );
  return (
    <button
      type="button"
      onClick={run}
      disabled={state === 'busy' || state === 'waiting'}
      aria-label={t('reports.verifyReceiptOf', { id: report.id })}
    >
      {state === 'busy'
        ? t('reports.verifying')
        : state === 'waiting'
          ? t('reports.waitingCheckpoint')
          : t('reports.verify')}
    </button>
  );
}
