import { CASE_KINDS, CASE_STATUSES } from '../../../../src/domain/cases/index.js';
import { type CaseSummary, casesApi } from '../../api.js';
import { Async, EmptyState, useLoad } from '../../components/async.js';
import { Page } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { isCaseEvent, useLiveReload } from '../../live.js';
import { Link, useSearchParam } from '../../router.js';
import { StatusBadge, useStatusLabel } from './status.js';

const PAGE_SIZE = 25;
const BOARD_CARDS = 8;
const day = (iso: string) => iso.slice(0, 10);

const caseColumns: Column<CaseSummary>[] = [
  {
    key: 'title',
    header: 'Case',
    render: (c) => <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>,
  },
  { key: 'kind', header: 'Kind', render: (c) => c.kind },
  { key: 'state', header: 'State', render: (c) => c.state },
  { key: 'mba', header: 'MBA', render: (c) => c.mba ?? '—' },
  { key: 'status', header: 'Status', render: (c) => <StatusBadge status={c.status} overdue={c.overdue} /> },
  { key: 'due', header: 'Answer due', render: (c) => c.dueDate ?? '—' },
  { key: 'updated', header: 'Updated', render: (c) => day(c.updatedAt) },
];

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
  const label = useStatusLabel();
  return (
    <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label="Filter cases">
      <div className="field">
        <label htmlFor="cf-status">Status</label>
        <select id="cf-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">board (all statuses)</option>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-kind">Kind</label>
        <select id="cf-kind" value={filters.kind} onChange={(e) => set.kind(e.target.value)}>
          <option value="">any</option>
          {CASE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cf-state">State</label>
        <input
          id="cf-state"
          defaultValue={filters.state}
          placeholder="XA"
          onBlur={(e) => set.state(e.target.value.trim().toUpperCase())}
        />
      </div>
      <div className="field">
        <label htmlFor="cf-mba">MBA</label>
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
  return (
    <nav aria-label="Pages" className="row">
      <button
        type="button"
        disabled={page === 0}
        onClick={() => setPage(page > 1 ? String(page - 1) : undefined)}
      >
        Previous page
      </button>
      <span>
        Page {page + 1} of {Math.max(1, Math.ceil(total / PAGE_SIZE))}
      </span>
      <button
        type="button"
        disabled={(page + 1) * PAGE_SIZE >= total}
        onClick={() => setPage(String(page + 1))}
      >
        Next page
      </button>
    </nav>
  );
}

/** The board: one column per status with its total; a status filter turns it into a paged list. */
export default function CasesPage() {
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
    <Page title="Cases" lead="Anomalies, discrepancies and questions followed up with the states.">
      <CaseFilters
        filters={{ state, mba, kind }}
        set={{ state: resetPage(setState), mba: resetPage(setMba), kind: resetPage(setKind) }}
        status={status}
        setStatus={resetPage(setStatus)}
      />
      {status === '' ? (
        <Async value={board} what="the case board">
          {(cols) => (
            <div className="board">
              {(cols ?? []).map((col) => (
                <section key={col.status} className="board-col" aria-labelledby={`col-${col.status}`}>
                  <h2 id={`col-${col.status}`}>
                    {label(col.status)} <span className="count">{col.total}</span>
                  </h2>
                  {col.items.length === 0 ? (
                    <p className="muted small">None.</p>
                  ) : (
                    <ul className="cards">
                      {col.items.map((c) => (
                        <li key={c.id} className="card">
                          <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                          <span className="muted small">
                            {c.kind} · {c.state}
                            {c.mba ? ` · ${c.mba}` : ''}
                            {c.dueDate ? ` · due ${c.dueDate}` : ''}
                          </span>
                          {c.overdue && <span className="badge badge-bad">overdue</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                  {col.total > col.items.length && (
                    <button type="button" className="link-button" onClick={() => setStatus(col.status)}>
                      All {col.total} {label(col.status).toLowerCase()}
                    </button>
                  )}
                </section>
              ))}
            </div>
          )}
        </Async>
      ) : (
        <Async value={list} what="cases">
          {(r) =>
            !r || r.items.length === 0 ? (
              <EmptyState title={`No ${label(status).toLowerCase()} cases`}>
                <p>Clear a filter to see more.</p>
              </EmptyState>
            ) : (
              <>
                <Table
                  caption={`${label(status)} cases: ${r.total}, page ${page + 1}`}
                  columns={caseColumns}
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
