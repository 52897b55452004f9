import { compatibilityApi, type MatrixRow } from '../../api/compatibility.js';
import { api } from '../../api.js';
import { Async, EmptyState, useLoad } from '../../components/async.js';
import { Page, Section } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';
import { CompatibilityBadge, entryPath, harmonizationPath, StatusSummary } from './status.js';

function columns(t: Translate, state: string): Column<MatrixRow>[] {
  return [
    {
      key: 'ref',
      header: t('compat.col.provision'),
      render: (r) => <Link to={entryPath(state, r.provision.ref)}>{r.provision.ref}</Link>,
      sortValue: (r) => r.provision.ref,
    },
    {
      key: 'instrument',
      header: t('compat.col.instrument'),
      render: (r) => r.provision.instrument,
      sortValue: (r) => r.provision.instrument,
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
      key: 'updated',
      header: t('compat.col.updated'),
      render: (r) => (r.entry ? formatDate(r.entry.at) : ''),
      sortValue: (r) => r.entry?.at ?? '',
    },
    {
      key: 'across',
      header: t('compat.col.across'),
      render: (r) => (
        <Link
          to={harmonizationPath(r.provision.ref)}
          aria-label={t('compat.acrossOf', { ref: r.provision.ref })}
        >
          {t('compat.across')}
        </Link>
      ),
    },
  ];
}

/** A state's compatibility matrix: its coverage, its gaps, every binding provision, the exports. */
export function CompatibilityMatrixPage({ state }: { state: string }) {
  const t = useT();
  const data = useLoad(() => compatibilityApi.matrix(state), [state]);
  const cols = columns(t, state);
  return (
    <Page
      title={t('compat.title', { state })}
      lead={t('compat.lead')}
      actions={
        <>
          <a href={compatibilityApi.exportUrl(state, 'csv')} download>
            {t('compat.exportCsv')}
          </a>{' '}
          <a href={compatibilityApi.exportUrl(state, 'html')} target="_blank" rel="noreferrer">
            {t('compat.printable')}
          </a>
        </>
      }
    >
      <Async value={data} what={t('common.what.compatibility')}>
        {(m) =>
          m.rows.length === 0 ? (
            <EmptyState title={t('compat.noProvisions')}>
              <p>{t('compat.noProvisionsHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Section title={t('compat.summary')}>
                <StatusSummary summary={m.summary} />
              </Section>
              <Section title={t('compat.gaps', { count: m.gaps.length })}>
                {m.gaps.length === 0 ? (
                  <p>{t('compat.noGaps')}</p>
                ) : (
                  <Table
                    caption={t('compat.gapsCaption')}
                    columns={cols}
                    rows={m.gaps}
                    rowKey={(r) => r.provision.ref}
                  />
                )}
              </Section>
              <Section title={t('compat.all', { count: m.rows.length })}>
                <Table
                  caption={t('compat.allCaption')}
                  columns={cols}
                  rows={m.rows}
                  rowKey={(r) => r.provision.ref}
                  filterLabel={t('compat.filter')}
                />
              </Section>
            </>
          )
        }
      </Async>
    </Page>
  );
}

/** `/compatibility`: a state goes to its own matrix; an inspectorate picks a state. */
export default function CompatibilityHome() {
  const t = useT();
  const { me } = useSession();
  const states = useLoad(() => api.states(), []);
  if (me?.state) return <CompatibilityMatrixPage state={me.state} />;
  return (
    <Page title={t('compat.homeTitle')} lead={t('compat.homeLead')}>
      <Async value={states} what={t('common.what.states')}>
        {(list) => (
          <ul className="link-list">
            {list.map((s) => (
              <li key={s.code}>
                <Link to={`/states/${encodeURIComponent(s.code)}/compatibility`}>
                  <span className="mono">{s.code}</span> {s.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Page>
  );
}
