import { CASE_KINDS, CASE_STATUSES } from '../../../../src/domain/cases/index.js';
import { type CaseSummary, casesApi } from '../../api.js';
import { Async, EmptyState, useLoad } from '../../components/async.js';
import { Page } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { formatDate, formatLocale } from '../../i18n/format.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import { isCaseEvent, useLiveReload } from '../../live.js';
import { Link, useSearchParam } from '../../router.js';
import { caseTitle, kindLabel, StatusBadge, useStatusLabel } from './status.js';

const PAGE_SIZE = 25;
/** An example state code (ISO 3166-style codes are the same in every language). */
const EXAMPLE_STATE = 'XA';
/** A status label inside a sentence, lower-cased by the rules of the user's language. */
const lower = (s: string) => s.toLocaleLowerCase(formatLocale());
const BOARD_CARDS = 8;
function caseColumns(t: Translate): Column<CaseSummary>[] {
  return [
    {
      key: 'title',
      header: t('board.col.case'),
      render: (c) => <Link to={`/cases/${encodeURIComponent(c.id)}`}>{caseTitle(c, t)}</Link>,
    },
    { key: 'kind', header: t('case.fact.kind'), render: (c) => kindLabel(c.kind, t) },
    { key: 'state', header: t('case.fact.state'), render: (c) => c.state },
    { key: 'mba', header: t('reports.mba'), render: (c) => c.mba ?? '—' },
    {
      key: 'status',
      header: t('case.fact.status'),
      render: (c) => <StatusBadge status={c.status} overdue={c.overdue} />,
    },
    { key: 'due', header: t('board.col.due'), render: (c) => (c.dueDate ? formatDate(c.dueDate) : '—') },
    { key: 'updated', header: t('board.col.updated'), render: (c) => formatDate(c.updatedAt.slice(0, 10)) },
  ];
}

interface Filters {
  readonly state: string;
  readonly mba: string;
  readonly kind: string;
}

function CaseFilters({
  filters,
  set,
  status,
  setStatus,
}: {
  filters: Filters;
  set: { state(v: string): void; mba(v: string): void; kind(v: string): void };
  status: string;
  setStatus(v: string): void;
}) {
  const t = useT();
  const label = useStatusLabel();
  return (
    <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label={t('board.filter')}>
      <div className="field">
        <label htmlFor="cf-status">{t('case.fact.status')}</label>
        <select id="cf-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('board.allStatuses')}</option>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-kind">{t('case.fact.kind')}</label>
        <select id="cf-kind" value={filters.kind} onChange={(e) => set.kind(e.target.value)}>
          <option value="">{t('alarms.any')}</option>
          {CASE_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k, t)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-state">{t('case.fact.state')}</label>
        <input
          id="cf-state"
          defaultValue={filters.state}
          placeholder={EXAMPLE_STATE}
          onBlur={(e) => set.state(e.target.value.trim().toUpperCase())}
        />
      </div>
      <div className="field">
        <label htmlFor="cf-mba">{t('reports.mba')}</label>
        <input id="cf-mba" defaultValue={filters.mba} onBlur={(e) => set.mba(e.target.value.trim())} />
      </div>
    </form>
  );
}

/** Previous and next page of a status's list. */
function Pager({
  page,
  total,
  setPage,
}: {
  page: number;
  total: number;
  setPage(v: string | undefined): void;
}) {
  const t = useT();
  return (
    <nav aria-label={t('reports.pages')} className="row">
      <button
        type="button"
        disabled={page === 0}
        onClick={() => setPage(page > 1 ? String(page - 1) : undefined)}
      >
        {t('table.previous')}
      </button>
      <span>{t('table.pageOf', { page: page + 1, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) })}</span>
      <button
        type="button"
        disabled={(page + 1) * PAGE_SIZE >= total}
        onClick={() => setPage(String(page + 1))}
      >
        {t('table.next')}
      </button>
    </nav>
  );
}

/** The board: one column per status with its total; a status filter turns it into a paged list. */
export default function CasesPage() {
  const t = useT();
  const label = useStatusLabel();
  const [status, setStatus] = useSearchParam('status');
  const [state, setState] = useSearchParam('state');
  const [mba, setMba] = useSearchParam('mba');
  const [kind, setKind] = useSearchParam('kind');
  const [pageText, setPage] = useSearchParam('page');
  const page = Math.max(0, Number(pageText) || 0);
  // The URL may name a kind or status the domain does not know: then nothing matches it.
  const kindFilter = CASE_KINDS.find((k) => k === kind);
  const statusFilter = CASE_STATUSES.find((s) => s === status);
  const filters = { state: state || undefined, mba: mba || undefined, kind: kindFilter };
  const board = useLoad(
    async () =>
      status || (kind !== '' && !kindFilter)
        ? undefined
        : Promise.all(
            CASE_STATUSES.map(async (s) => ({
              status: s,
              ...(await casesApi.list({ ...filters, status: s, limit: BOARD_CARDS })),
            })),
          ),
    [status, state, mba, kind],
  );
  const list = useLoad(
    async () =>
      statusFilter && (kind === '' || kindFilter)
        ? casesApi.list({ ...filters, status: statusFilter, limit: PAGE_SIZE, offset: page * PAGE_SIZE })
        : undefined,
    [status, state, mba, kind, page],
  );
  useLiveReload(isCaseEvent, () => {
    board.reload();
    list.reload();
  });
  const resetPage = (f: (v: string) => void) => (v: string) => {
    setPage(undefined);
    f(v);
  };
  return (
    <Page title={t('nav.cases')} lead={t('board.lead')}>
      <CaseFilters
        filters={{ state, mba, kind }}
        set={{ state: resetPage(setState), mba: resetPage(setMba), kind: resetPage(setKind) }}
        status={status}
        setStatus={resetPage(setStatus)}
      />
      {status === '' ? (
        <Async value={board} what={t('board.what')}>
          {(cols) => (
            <div className="board">
              {(cols ?? []).map((col) => (
                <section key={col.status} className="board-col" aria-labelledby={`col-${col.status}`}>
                  <h2 id={`col-${col.status}`}>
                    {label(col.status)}{' '}
                    <span className="count">{col.total.toLocaleString(formatLocale())}</span>
                  </h2>
                  {col.items.length === 0 ? (
                    <p className="muted small">{t('board.noneInColumn')}</p>
                  ) : (
                    <ul className="cards">
                      {col.items.map((c) => (
                        <li key={c.id} className="card">
                          <Link to={`/cases/${encodeURIComponent(c.id)}`}>{caseTitle(c, t)}</Link>
                          <span className="muted small">
                            {kindLabel(c.kind, t)} · {c.state}
                            {c.mba ? ` · ${c.mba}` : ''}
                            {c.dueDate ? ` · ${t('board.due', { date: formatDate(c.dueDate) })}` : ''}
                          </span>
                          {c.overdue && <span className="badge badge-bad">{t('board.overdue')}</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {col.total > col.items.length && (
                    <button type="button" className="link-button" onClick={() => setStatus(col.status)}>
                      {t('board.all', { count: col.total, status: lower(label(col.status)) })}
                    </button>
                  )}
                </section>
              ))}
            </div>
          )}
        </Async>
      ) : (
        <Async value={list} what={t('common.what.cases')}>
          {(r) =>
            !r || r.items.length === 0 ? (
              <EmptyState title={t('board.noneWithStatus', { status: lower(label(status)) })}>
                <p>{t('board.clearFilter')}</p>
              </EmptyState>
            ) : (
              <>
                <Table
                  caption={t('board.caption', { status: label(status), total: r.total, page: page + 1 })}
                  columns={caseColumns(t)}
                  rows={r.items}
                  rowKey={(c) => c.id}
                />
                <Pager page={page} total={r.total} setPage={setPage} />
              </>
            )
          }
        </Async>
      )}
    </Page>
  );
}
