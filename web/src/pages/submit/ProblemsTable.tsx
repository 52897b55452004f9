import type { ReactNode } from 'react';
import type { ErrorDetail } from '../../api.js';
import { type Column, Table } from '../../components/Table.js';
import { useT } from '../../i18n/I18nProvider.js';
import { problemText } from '../../i18n/problems.js';
import { capProblems, truncateRow } from '../../report-file.js';
import type { Format } from './ReportInput.js';

/**
 * Validation details name the report line (the `line` column), not the file row: find the row of
 * each report line in a CSV file (docs/csv-format.md: the line block starts at the row whose first
 * cell is `line`) so the table can show what the user wrote.
 */
export function csvRowsByLine(rows: readonly string[]): Map<number, { row: number; text: string }> {
  const out = new Map<number, { row: number; text: string }>();
  const first = (r: string) =>
    r
      .split(/[,;]/)[0]
      ?.replace(/^\uFEFF/, '')
      .replace(/"/g, '')
      .trim() ?? '';
  const start = rows.findIndex((r) => first(r) === 'line');
  if (start < 0) return out;
  for (let i = start + 1; i < rows.length; i++) {
    const cell = first(rows[i]!);
    if (/^\d+$/.test(cell) && !out.has(Number(cell))) out.set(Number(cell), { row: i + 1, text: rows[i]! });
  }
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * Every problem of a refused (or practised) report, in the user's language with the code, line
 * and field; `explain` adds a link to a code's explanation (practice).
 * Capped (issue 16 item 8): a row of 200 000 cells gives a thousand problems; the first ones are
 * listed, the rest counted, and each file row shown beside a problem is cut short.
 */
export function ProblemsTable({
  details,
  format,
  lines,
  explain,
}: {
  details: readonly ErrorDetail[];
  format: Format;
  lines: readonly string[];
  explain?: (code: string) => ReactNode;
}) {
  const t = useT();
  const all = details.map((d, i) => ({ ...d, n: i }));
  const { shown: rows, hidden } = capProblems(all);
  const columns: Column<ErrorDetail & { n: number }>[] = [
    {
      key: 'line',
      header: t('submit.col.line'),
      render: (d) => str(d.line),
      sortValue: (d) => Number(d.line ?? 0),
      numeric: true,
    },
    {
      key: 'field',
      header: t('submit.col.field'),
      render: (d) => (
        <span className="mono" dir="ltr">
          {str(d.field)}
        </span>
      ),
      sortValue: (d) => str(d.field),
    },
    {
      key: 'code',
      header: t('submit.col.code'),
      render: (d) =>
        explain && d.code ? (
          explain(d.code)
        ) : (
          <span className="mono" dir="ltr">
            {str(d.code)}
          </span>
        ),
      sortValue: (d) => str(d.code),
    },
    {
      key: 'message',
      header: t('submit.col.problem'),
      // Worded from the problem's code and particulars (decision 0052); a code this page does
      // not know yet is named by its code in the next column.
      render: (d) => problemText(t, d) ?? t('error.UNKNOWN', { code: str(d.code) }),
      sortValue: (d) => str(d.code),
    },
  ];
  if (format === 'csv') {
    const byLine = csvRowsByLine(lines);
    const at = (d: ErrorDetail) => (typeof d.line === 'number' ? byLine.get(d.line) : undefined);
    columns.push({
      key: 'source',
      header: t('submit.col.inFile'),
      render: (d) => {
        const src = at(d);
        return src === undefined ? (
          ''
        ) : (
          <>
            <span className="muted small">{t('submit.row', { row: src.row })} </span>
            <code dir="ltr">{truncateRow(src.text)}</code>
          </>
        );
      },
    });
  }
  return (
    <>
      {rows.length > 0 && (
        <Table
          caption={t('submit.problemsCaption')}
          columns={columns}
          rows={rows}
          rowKey={(d) => String(d.n)}
        />
      )}
      {hidden > 0 && (
        <p className="muted" role="note">
          {t('submit.hiddenProblems', { shown: rows.length, hidden })}
        </p>
      )}
    </>
  );
}
