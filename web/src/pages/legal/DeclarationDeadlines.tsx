import type { Timeliness } from '../../api/reports.js';
import { Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';

/** The Article 3 deadlines the state owes, where its report deadlines show (issue 19 item 4). */
export function DeclarationDeadlines({ record }: { record: Timeliness }) {
  const t = useT();
  const d = record.declarations;
  if (!d) return null;
  const open = d.obligations.filter((o) => o.status !== 'met').slice(0, 12);
  return (
    <>
      <h3>{t('decl.deadlines', { agreement: d.agreement })}</h3>
      {open.length === 0 ? (
        <p>{t('decl.deadlinesNone')}</p>
      ) : (
        <Table
          caption={t('decl.deadlinesCaption')}
          columns={[
            {
              key: 'article',
              header: t('decl.col.article'),
              render: (o) => o.article,
              sortValue: (o) => o.article,
            },
            { key: 'kind', header: t('decl.col.kind'), render: (o) => t(`decl.kind.${o.kind}`) },
            {
              key: 'due',
              header: t('decl.col.due'),
              render: (o) => formatDate(o.dueDate),
              sortValue: (o) => o.dueDate,
            },
            { key: 'status', header: t('decl.col.status'), render: (o) => t(`deadlines.status.${o.status}`) },
            {
              key: 'basis',
              header: t('decl.col.basis'),
              render: (o) => <span className="mono">{o.ref}</span>,
            },
          ]}
          rows={open}
          rowKey={(o) => o.id}
        />
      )}
    </>
  );
}
