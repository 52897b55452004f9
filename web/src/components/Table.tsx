import { type ReactNode, useMemo, useState } from 'react';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** The value sorted on; columns without it do not sort. */
  readonly sortValue?: (row: T) => string | number;
  readonly numeric?: boolean;
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
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  filterLabel?: string;
  empty?: ReactNode;
}) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | undefined>(undefined);
  const [filter, setFilter] = useState('');
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
  const filterId = `filter-${caption.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="table-block">
      {filterLabel && (
        <div className="table-tools">
          <label htmlFor={filterId}>{filterLabel}</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            autoComplete="off"
          />
          <span className="muted" aria-live="polite">
            {shown.length} of {rows.length}
          </span>
        </div>
      )}
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
                    {c.sortValue ? (
                      <button
                        type="button"
                        className="sort"
                        onClick={() => setSort({ key: c.key, dir: dir === 1 ? -1 : 1 })}
                      >
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
            {shown.map((r) => (
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
      {shown.length === 0 && (empty ?? <p className="muted">Nothing matches.</p>)}
    </div>
  );
}
