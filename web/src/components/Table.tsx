import { type DependencyList, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Page, PageQuery } from '../api.js';
import { useT } from '../i18n/I18nProvider.js';
import { useSearchParam } from '../router.js';
import { Async, EmptyState, type Loaded, useLoad } from './async.js';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** The value sorted on; columns without it do not sort. */
  readonly sortValue?: (row: T) => string | number;
  /** In a server-paged table: the API's sort field for this column; columns without it do not sort. */
  readonly sortField?: string;
  readonly numeric?: boolean;
}

/** Rows an in-memory table draws at once. */
const WINDOW = 100;

/** A sort as the table shows it: a column key and a direction. */
interface SortState {
  readonly key: string;
  readonly dir: 1 | -1;
}

/**
 * An accessible data table: caption, column headers with scope, sort buttons that announce their
 * state (aria-sort), and a text filter over the sortable values.
 */
export function Table<T>({
  caption,
  columns,
  rows,
  rowKey,
  filterLabel,
  empty,
  windowRows = WINDOW,
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  filterLabel?: string;
  empty?: ReactNode;
  /** Rows drawn at a time; a table whose rows the server already pages shows them all. */
  windowRows?: number;
}) {
  const t = useT();
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [windowPage, setWindowPage] = useState(0);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    let out = f
      ? rows.filter((r) =>
          columns.some((c) => c.sortValue && String(c.sortValue(r)).toLowerCase().includes(f)),
        )
      : [...rows];
    const col = sort && columns.find((c) => c.key === sort.key);
    if (sort && col?.sortValue) {
      const v = col.sortValue;
      out = out.sort((a, b) => {
        const x = v(a);
        const y = v(b);
        return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
      });
    }
    return out;
  }, [rows, columns, sort, filter]);
  // Not derived from the caption: in Arabic or Chinese every caption would give the same id.
  const filterId = `filter${useId().replace(/:/g, '')}`;
  // A long list in memory is drawn a window of WINDOW rows at a time (issue 16 item 8): the DOM
  // stays small whatever the list holds; sorting and filtering still cover every row.
  const pages = Math.max(1, Math.ceil(shown.length / windowRows));
  const page = Math.min(windowPage, pages - 1);
  const visible = pages > 1 ? shown.slice(page * windowRows, (page + 1) * windowRows) : shown;
  return (
    <div className="table-block">
      {filterLabel && (
        <div className="table-tools">
          <label htmlFor={filterId}>{filterLabel}</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => {
              setWindowPage(0);
              setFilter(e.target.value);
            }}
            autoComplete="off"
          />
          <span className="muted" aria-live="polite">
            {t('table.shownOf', { shown: shown.length, total: rows.length })}
          </span>
        </div>
      )}
      <TableView
        caption={pages > 1 ? t('table.captionPage', { caption, page: page + 1, pages }) : caption}
        columns={columns}
        rows={visible}
        rowKey={rowKey}
        sort={sort}
        sortable={(c) => c.sortValue !== undefined}
        onSort={(key, dir) => {
          setWindowPage(0);
          setSort({ key, dir });
        }}
      />
      {shown.length === 0 && (empty ?? <p className="muted">{t('table.nothingMatches')}</p>)}
      {pages > 1 && (
        <Pager caption={caption} page={page} pages={pages} last={page + 1 >= pages} onPage={setWindowPage} />
      )}
    </div>
  );
}

/** Previous and next page of a table, and where one is. */
export function Pager({
  caption,
  page,
  pages,
  last,
  onPage,
}: {
  caption: string;
  page: number;
  pages: number;
  last: boolean;
  onPage: (page: number) => void;
}) {
  const t = useT();
  return (
    <nav aria-label={t('table.pagesOf', { caption })} className="row">
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {t('table.previous')}
      </button>
      <span>{t('table.pageOf', { page: page + 1, pages })}</span>
      <button type="button" disabled={last} onClick={() => onPage(page + 1)}>
        {t('table.next')}
      </button>
    </nav>
  );
}

/** The table itself: caption, headers with sort buttons that announce their state, rows. */
function TableView<T>({
  caption,
  columns,
  rows,
  rowKey,
  sort,
  sortable,
  onSort,
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  sort: SortState | undefined;
  sortable: (c: Column<T>) => boolean;
  onSort: (key: string, dir: 1 | -1) => void;
}) {
  return (
    <div className="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort?.key === c.key ? sort.dir : undefined;
              return (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={dir === 1 ? 'ascending' : dir === -1 ? 'descending' : undefined}
                >
                  {sortable(c) ? (
                    <button type="button" className="sort" onClick={() => onSort(c.key, dir === 1 ? -1 : 1)}>
                      {c.header}
                      <span aria-hidden="true">{dir === 1 ? ' ▲' : dir === -1 ? ' ▼' : ' ↕'}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a server-paged table asks the API for: its window, sort field and text filter. */
export type PageRequestOf = Required<Pick<PageQuery, 'limit' | 'offset'>> & Pick<PageQuery, 'sort' | 'q'>;

export interface PagedTable<T> {
  readonly loaded: Loaded<Page<T>>;
  /** `field` or `-field` (descending), '' for the list's natural order. */
  readonly sort: string;
  readonly setSort: (sort: string) => void;
  readonly q: string;
  readonly setQ: (q: string) => void;
  readonly page: number;
  readonly setPage: (page: number) => void;
  readonly pageSize: number;
}

/**
 * A list paged, sorted and filtered by the server (issue 8), its state in the address
 * (`?sort=-name&q=reactor&page=2`, with a prefix when a screen has two such tables), so a
 * sorted, filtered page can be bookmarked and Back returns to it. Changing the sort or the
 * filter goes back to the first page.
 */
export function usePagedTable<T>(
  load: (req: PageRequestOf, signal: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
  { pageSize = 25, prefix = '' }: { pageSize?: number; prefix?: string } = {},
): PagedTable<T> {
  const [sort, setSortParam] = useSearchParam(`${prefix}sort`);
  const [q, setQParam] = useSearchParam(`${prefix}q`);
  const [pageText, setPageParam] = useSearchParam(`${prefix}page`);
  const page = Math.max(0, Math.floor(Number(pageText)) || 0);
  const loaded = useLoad(
    (signal) =>
      load({ limit: pageSize, offset: page * pageSize, sort: sort || undefined, q: q || undefined }, signal),
    [...deps, sort, q, page, pageSize],
  );
  return {
    loaded,
    sort,
    setSort: (v) => {
      setPageParam(undefined);
      setSortParam(v);
    },
    q,
    setQ: (v) => {
      setPageParam(undefined);
      setQParam(v.trim());
    },
    page,
    setPage: (n) => setPageParam(n > 0 ? String(n) : undefined),
    pageSize,
  };
}

/**
 * The table of a server-paged list: the filter box (sent to the server as `q` after a short
 * pause in typing), sort buttons that ask the server for `sort=field` or `sort=-field`, the count
 * of matching rows, and previous / next page. The filter stays in place while a page loads, so
 * typing is never interrupted.
 */
export function ServerTable<T>({
  caption,
  columns,
  table,
  rowKey,
  filterLabel,
  what,
  empty,
}: {
  caption: string;
  columns: readonly Column<T>[];
  table: PagedTable<T>;
  rowKey: (row: T) => string;
  filterLabel?: string;
  /** Loading and error messages name it ("Loading material balance areas…"). */
  what: string;
  /** Shown when the list itself is empty (no filter; null: nothing); a filter that matches nothing says so. */
  empty?: ReactNode;
}) {
  const t = useT();
  const { loaded, page, pageSize } = table;
  const desc = table.sort.startsWith('-');
  const field = desc ? table.sort.slice(1) : table.sort;
  const sortedColumn = field ? columns.find((c) => c.sortField === field) : undefined;
  const sort: SortState | undefined = sortedColumn
    ? { key: sortedColumn.key, dir: desc ? -1 : 1 }
    : undefined;
  // Not derived from the caption: in Arabic or Chinese every caption would give the same id.
  const filterId = `filter${useId().replace(/:/g, '')}`;
  const total = loaded.data?.total;
  const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="table-block">
      {filterLabel && (
        <div className="table-tools">
          <label htmlFor={filterId}>{filterLabel}</label>
          <FilterInput id={filterId} value={table.q} onChange={table.setQ} />
          <span className="muted" aria-live="polite">
            {total === undefined ? '' : t('table.matches', { count: total })}
          </span>
        </div>
      )}
      <Async value={loaded} what={what}>
        {(p) =>
          p.total === 0 && !table.q && page === 0 ? (
            empty === undefined ? (
              <EmptyState title={t('table.nothingYet')} />
            ) : (
              empty
            )
          ) : (
            <>
              <TableView
                caption={pages > 1 ? t('table.captionPage', { caption, page: page + 1, pages }) : caption}
                columns={columns}
                rows={p.items}
                rowKey={rowKey}
                sort={sort}
                sortable={(c) => c.sortField !== undefined}
                onSort={(key, dir) => {
                  const c = columns.find((x) => x.key === key);
                  if (c?.sortField) table.setSort(`${dir === -1 ? '-' : ''}${c.sortField}`);
                }}
              />
              {p.items.length === 0 && (
                <p className="muted">
                  {table.q ? t('table.nothingMatchesQuery', { q: table.q }) : t('table.noRowsOnPage')}
                </p>
              )}
              {(pages > 1 || page > 0) && (
                <Pager
                  caption={caption}
                  page={page}
                  pages={pages}
                  last={(page + 1) * pageSize >= p.total}
                  onPage={table.setPage}
                />
              )}
            </>
          )
        }
      </Async>
    </div>
  );
}

/** A search box that hands its text on after 300 ms without typing (one request per pause). */
function FilterInput({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const latest = useRef(onChange);
  latest.current = onChange;
  // The address may change the filter (Back, a link): show what the server is filtering on.
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const t = setTimeout(() => latest.current(text), 300);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <input
      id={id}
      type="search"
      value={text}
      onChange={(e) => setText(e.target.value)}
      autoComplete="off"
      maxLength={100}
    />
  );
}
