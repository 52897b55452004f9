/**
 * A report's period and the deadlines panel, shared by the reports page (lazy-loaded) and the
 * state portal's home page: kept apart from Reports.tsx so importing them does not pull the
 * lazy page into the main chunk (Vite warned of the double import).
 */
import type { Obligation, ReportSummary, Timeliness } from '../../api.js';
import { EmptyState } from '../../components/async.js';
import { type Column, Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { type MessageKey, type Translate, useT } from '../../i18n/I18nProvider.js';

export function periodOf(r: ReportSummary): string {
  return r.period ? `${r.period.from} – ${r.period.to}` : (r.pit ?? '');
}

function obligationColumns(t: Translate): Column<Obligation>[] {
  return [
    {
      key: 'due',
      header: t('deadlines.col.due'),
      render: (o) => formatDate(o.dueDate),
      sortValue: (o) => o.dueDate,
    },
    {
      key: 'basis',
      header: t('deadlines.col.basis'),
      // Issue 19: every deadline cites the provision it comes from.
      render: (o) => (
        <span title={t('deadlines.basisTitle', { instrument: o.basis.instrument, version: o.basis.version })}>
          {o.basis.ref}
        </span>
      ),
      sortValue: (o) => o.basis.ref,
    },
    {
      key: 'type',
      header: t('deadlines.col.obligation'),
      render: (o) => `${o.type}${o.month ? ` ${o.month}` : ''}`,
      sortValue: (o) => o.type,
    },
    { key: 'mba', header: t('reports.mba'), render: (o) => o.mba ?? '', sortValue: (o) => o.mba ?? '' },
    {
      key: 'status',
      header: t('deadlines.col.status'),
      render: (o) => (
        <span
          className={`badge ${o.status === 'met' ? 'badge-ok' : o.status === 'upcoming' ? 'badge-wait' : 'badge-bad'}`}
        >
          {t(`deadlines.status.${o.status}` as MessageKey)}
          {o.daysOverdue
            ? ` ${t('deadlines.overdue', { days: o.daysOverdue })}`
            : o.daysLate
              ? ` ${t('deadlines.lateBy', { days: o.daysLate })}`
              : ''}
        </span>
      ),
      sortValue: (o) => o.status,
    },
  ];
}

/**
 * What the panel asks the server for: the open obligations, latest due date first, so what is due
 * soon (its due date is still ahead) comes before what is missing or was late.
 */
export const OPEN_OBLIGATIONS = { status: 'upcoming,missing,late', order: 'desc', limit: 12 } as const;

/** Deadlines first: what is due soon and what is missing, then the record so far. */
export function TimelinessPanel({ t: record }: { t: Timeliness }) {
  const t = useT();
  const open = record.obligations;
  return (
    <>
      <ul className="stat-row" aria-label={t('deadlines.record')}>
        {(['upcoming', 'met', 'late', 'missing'] as const).map((k) => (
          <li key={k}>
            <span className="stat">{record.counts[k]}</span> {t(`deadlines.status.${k}`)}
          </li>
        ))}
      </ul>
      {open.length === 0 ? (
        <EmptyState title={t('deadlines.nothing')} />
      ) : (
        <Table
          caption={t('deadlines.caption', { today: formatDate(record.today) })}
          columns={obligationColumns(t)}
          rows={open}
          rowKey={(o) => o.id}
        />
      )}
    </>
  );
}
