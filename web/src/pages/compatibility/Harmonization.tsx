import { compatibilityApi, type Harmonization } from '../../api/compatibility.js';
import { Async, useLoad } from '../../components/async.js';
import { Page, Section } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';
import { Link } from '../../router.js';
import { CompatibilityBadge, entryPath, StatusSummary } from './status.js';

type Row = Harmonization['rows'][number];

/** The harmonization view: how every state bound by one provision implements it (those you may read). */
export function HarmonizationPage({ refName }: { refName: string }) {
  const t = useT();
  const data = useLoad(() => compatibilityApi.harmonization(refName), [refName]);
  const columns: Column<Row>[] = [
    {
      key: 'state',
      header: t('compat.col.state'),
      render: (r) => <Link to={entryPath(r.state, refName)}>{r.state}</Link>,
      sortValue: (r) => r.state,
    },
    {
      key: 'status',
      header: t('compat.col.status'),
      render: (r) => <CompatibilityBadge status={r.status} />,
      sortValue: (r) => r.status,
    },
    {
      key: 'domestic',
      header: t('compat.col.domestic'),
      render: (r) => (r.entry?.domestic ? `${r.entry.domestic.act} ${r.entry.domestic.section}` : ''),
      sortValue: (r) => r.entry?.domestic?.act ?? '',
    },
    {
      key: 'institution',
      header: t('compat.col.institution'),
      render: (r) => r.entry?.domestic?.institution ?? '',
    },
    {
      key: 'updated',
      header: t('compat.col.updated'),
      render: (r) => (r.entry ? formatDate(r.entry.at) : ''),
      sortValue: (r) => r.entry?.at ?? '',
    },
  ];
  return (
    <Page title={t('compat.harmonizationTitle', { ref: refName })} lead={t('compat.harmonizationLead')}>
      <Async value={data} what={t('common.what.compatibility')}>
        {(h) => (
          <>
            <Section title={t('compat.provision')}>
              <p>
                <strong>{h.provision.ref}</strong> ({h.provision.instrument})
              </p>
              <p>{h.provision.text}</p>
            </Section>
            <Section title={t('compat.summary')}>
              <StatusSummary summary={h.summary} />
            </Section>
            <Table
              caption={t('compat.harmonizationCaption')}
              columns={columns}
              rows={h.rows}
              rowKey={(r) => r.state}
            />
          </>
        )}
      </Async>
    </Page>
  );
}
