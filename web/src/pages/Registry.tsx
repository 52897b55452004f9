import { lazy, type ReactNode, Suspense } from 'react';
import { type AccountLine, api, type Facility, type Kmp, type Mba, reportsApi } from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, Loading, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { ReportLink } from '../components/ReportLink.js';
import { type Column, ServerTable, usePagedTable } from '../components/Table.js';
import { formatLocale } from '../i18n/format.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';
import { useFacilityType } from '../i18n/terms.js';
import { Link } from '../router.js';

export const WorldMap = lazy(() => import('../components/WorldMap.js'));

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** MBA columns; `sortField` names the API's sort field (GET /api/mbas?sort=). */
function mbaColumns(t: Translate): Column<Mba>[] {
  return [
    {
      key: 'code',
      header: t('reg.col.mba'),
      render: (m) => <Link to={`/mbas/${encodeURIComponent(m.code)}`}>{m.code}</Link>,
      sortField: 'code',
    },
    {
      key: 'facility',
      header: t('reg.col.facility'),
      render: (m) => m.facilityName ?? m.facility,
      sortField: 'facilityName',
    },
    { key: 'state', header: t('reg.col.state'), render: (m) => m.state ?? '', sortField: 'state' },
    { key: 'desc', header: t('reg.col.description'), render: (m) => m.description, sortField: 'description' },
    {
      key: 'kind',
      header: t('reg.col.accountancy'),
      render: (m) => (m.itemMba ? t('reg.item') : t('reg.bulk')),
      sortField: 'itemMba',
    },
  ];
}

function facilityColumns(t: Translate, typeName: (type: string) => string): Column<Facility>[] {
  return [
    {
      key: 'code',
      header: t('reg.col.code'),
      render: (f) => <Link to={`/facilities/${encodeURIComponent(f.code)}`}>{f.code}</Link>,
      sortField: 'code',
    },
    { key: 'name', header: t('reg.col.name'), render: (f) => f.name, sortField: 'name' },
    { key: 'type', header: t('reg.col.type'), render: (f) => typeName(f.type), sortField: 'type' },
    { key: 'state', header: t('reg.col.state'), render: (f) => f.state, sortField: 'state' },
    {
      key: 'pos',
      header: t('reg.col.position'),
      render: (f) => `${f.latitude.toFixed(2)}°, ${f.longitude.toFixed(2)}°`,
      sortField: 'latitude',
    },
  ];
}

function NoMbas() {
  const t = useT();
  return (
    <EmptyState title={t('reg.noMbas')}>
      <p>{t('reg.noMbasHint')}</p>
    </EmptyState>
  );
}

/** MBAs paged, sorted and filtered by the server; `filter` narrows to a facility or a state. */
export function MbaTable({
  caption,
  filter = {},
  filterLabel,
  empty = <NoMbas />,
}: {
  caption: string;
  filter?: { facility?: string; state?: string };
  filterLabel?: string;
  empty?: ReactNode;
}) {
  const t = useT();
  const table = usePagedTable((req) => api.mbasPage({ ...req, ...filter }), [filter.facility, filter.state]);
  return (
    <ServerTable
      caption={caption}
      columns={mbaColumns(t)}
      table={table}
      rowKey={(m) => m.code}
      filterLabel={filterLabel}
      what={t('reg.what.mbas')}
      empty={empty}
    />
  );
}

export function MbasPage() {
  const t = useT();
  return (
    <Page title={t('reg.mbasTitle')} lead={t('reg.mbasLead')}>
      <MbaTable caption={t('reg.mbasTitle')} filterLabel={t('reg.filterMbas')} />
    </Page>
  );
}

function kmpColumns(t: Translate): Column<Kmp>[] {
  return [
    { key: 'code', header: 'KMP', render: (k) => k.code, sortField: 'code' },
    { key: 'kind', header: t('reg.col.kind'), render: (k) => k.kind, sortField: 'kind' },
    { key: 'method', header: t('reg.col.method'), render: (k) => k.method, sortField: 'method' },
    {
      key: 'r',
      header: t('reg.col.randomRsd'),
      render: (k) => pct(k.randomRsd),
      sortField: 'randomRsd',
      numeric: true,
    },
    {
      key: 's',
      header: t('reg.col.systematicRsd'),
      render: (k) => pct(k.systematicRsd),
      sortField: 'systematicRsd',
      numeric: true,
    },
  ];
}

function KmpTable({ mba }: { mba: string }) {
  const t = useT();
  const table = usePagedTable((req) => api.kmpsPage({ ...req, mba }), [mba]);
  return (
    <ServerTable
      caption={t('reg.kmpsOf', { mba })}
      columns={kmpColumns(t)}
      table={table}
      rowKey={(k) => k.code}
      what={t('reg.what.kmps')}
      empty={
        <EmptyState title={t('reg.noKmps')}>
          <p>{t('reg.noKmpsHint')}</p>
        </EmptyState>
      }
    />
  );
}

export function MbaPage({ code }: { code: string }) {
  const t = useT();
  const typeName = useFacilityType();
  const canEvaluate = useCapabilities().has(capabilityKey('get', '/api/mbas/{code}/balances'));
  const data = useLoad(async () => {
    const mba = await api.mba(code);
    return { mba, facility: await api.facility(mba.facility) };
  }, [code]);
  return (
    <Page
      title={t('reg.mbaTitle', { code })}
      lead={data.data?.mba.description}
      actions={
        canEvaluate ? (
          <Link to={`/mbas/${encodeURIComponent(code)}/evaluation`}>{t('reg.evaluationLink')}</Link>
        ) : undefined
      }
    >
      <Async value={data} what={t('reg.what.mba')}>
        {({ mba, facility }) => (
          <>
            <dl className="facts">
              <dt>{t('reg.col.facility')}</dt>
              <dd>
                <Link to={`/facilities/${encodeURIComponent(facility.code)}`}>{facility.name}</Link> (
                {typeName(facility.type)})
              </dd>
              <dt>{t('reg.col.state')}</dt>
              <dd>{facility.state}</dd>
              <dt>{t('reg.col.accountancy')}</dt>
              <dd>{mba.itemMba ? t('reg.itemCounting') : t('reg.bulkMeasured')}</dd>
            </dl>
            <Section title={t('reg.kmpsTitle')}>
              <KmpTable mba={mba.code} />
            </Section>
            <MbaLines code={mba.code} />
          </>
        )}
      </Async>
    </Page>
  );
}

const grams = (w: number | undefined) =>
  w === undefined
    ? ''
    : w.toLocaleString(formatLocale(), { minimumFractionDigits: 0, maximumFractionDigits: 3 });

/** Account line columns; `sortField` names the API's sort field (GET /api/mbas/:code/lines?sort=). */
export const lineColumns: Column<AccountLine>[] = [
  {
    key: 'report',
    header: 'Report',
    render: (l) =>
      l.reportId ? <ReportLink id={l.reportId} /> : <span className="mono">{l.reportNumber}</span>,
    sortValue: (l) => l.reportId ?? '',
    sortField: 'reportNumber',
  },
  { key: 'line', header: 'Line', render: (l) => l.line, sortValue: (l) => l.line, numeric: true },
  {
    key: 'date',
    header: 'Date',
    render: (l) => l.date ?? '',
    sortValue: (l) => l.date ?? '',
    sortField: 'date',
  },
  {
    key: 'code',
    header: 'Code',
    render: (l) => l.code ?? '',
    sortValue: (l) => l.code ?? '',
    sortField: 'code',
  },
  {
    key: 'batch',
    header: 'Batch',
    render: (l) => l.batch ?? '',
    sortValue: (l) => l.batch ?? '',
    sortField: 'batch',
  },
  { key: 'kmp', header: 'KMP', render: (l) => l.kmp ?? '', sortValue: (l) => l.kmp ?? '', sortField: 'kmp' },
  {
    key: 'el',
    header: 'Element',
    render: (l) => l.element ?? '',
    sortValue: (l) => l.element ?? '',
    sortField: 'element',
  },
  {
    key: 'w',
    header: 'Weight (g)',
    render: (l) => grams(l.weight),
    sortValue: (l) => l.weight ?? 0,
    sortField: 'weight',
    numeric: true,
  },
  {
    key: 'fw',
    header: 'Fissile (g)',
    render: (l) => grams(l.fissileWeight),
    sortValue: (l) => l.fissileWeight ?? 0,
    numeric: true,
  },
];

/** The correction history's columns: the lines' own, in effective order (it is not sorted). */
const historyColumns: readonly Column<AccountLine>[] = lineColumns.map(({ sortField: _sorted, ...c }) => c);

/** The book: the effective inventory changes (paged by the server), and the lines later corrections replaced. */
function MbaLines({ code }: { code: string }) {
  const t = useT();
  const caps = useCapabilities();
  const can = caps.has(capabilityKey('get', '/api/mbas/{code}/lines'));
  const table = usePagedTable(
    (req, signal) =>
      can
        ? reportsApi.linesPage(code, { ...req, effective: 'true' }, signal)
        : Promise.resolve({ items: [], total: 0, limit: req.limit, offset: req.offset }),
    [code, can],
    { prefix: 'lines-' },
  );
  // A page of corrected originals at a time, each with its history (the server pages by original).
  const corrections = usePagedTable(
    (req, signal) =>
      can
        ? reportsApi.correctionsPage(code, req, signal)
        : Promise.resolve({ items: [], total: 0, limit: req.limit, offset: req.offset }),
    [code, can],
    { prefix: 'corrections-' },
  );
  if (!can) return null;
  return (
    <Section title={t('reg.linesTitle')}>
      <ServerTable
        caption={t('reg.linesCaption', { code })}
        columns={lineColumns}
        table={table}
        rowKey={(l) => `${l.reportId}:${l.line}`}
        filterLabel={t('reg.filterLines')}
        what={t('reg.what.lines')}
        empty={<EmptyState title={t('reg.noLines')} />}
      />
      <ServerTable
        caption={t('reg.historyCaption')}
        columns={historyColumns}
        table={corrections}
        rowKey={(l) => `c:${l.reportId}:${l.line}`}
        what={t('reg.what.history')}
        empty={null}
      />
    </Section>
  );
}

export function FacilitiesPage() {
  const t = useT();
  const typeName = useFacilityType();
  // The map draws every facility; the table below pages, sorts and filters on the server.
  const all = useLoad(() => api.facilities(), []);
  const table = usePagedTable((req) => api.facilitiesPage(req), []);
  return (
    <Page title={t('reg.facilitiesTitle')} lead={t('reg.facilitiesLead')}>
      <Async value={all} what={t('reg.what.facilities')}>
        {(facilities) =>
          facilities.length === 0 ? (
            <EmptyState title={t('reg.noFacilities')}>
              <p>{t('reg.noFacilitiesHint')}</p>
            </EmptyState>
          ) : (
            <>
              <Suspense fallback={<Loading what={t('reg.what.map')} />}>
                <WorldMap facilities={facilities} label={t('reg.mapLabel')} />
              </Suspense>
              <ServerTable
                caption={t('reg.facilitiesTitle')}
                columns={facilityColumns(t, typeName)}
                table={table}
                rowKey={(f) => f.code}
                filterLabel={t('reg.filterFacilities')}
                what={t('reg.what.facilities')}
              />
            </>
          )
        }
      </Async>
    </Page>
  );
}

export function FacilityPage({ code }: { code: string }) {
  const t = useT();
  const typeName = useFacilityType();
  const data = useLoad(() => api.facility(code), [code]);
  return (
    <Page title={data.data?.name ?? t('reg.facilityTitle', { code })} lead={t('reg.facilityTitle', { code })}>
      <Async value={data} what={t('reg.what.facility')}>
        {(facility) => (
          <>
            <dl className="facts">
              <dt>{t('reg.col.type')}</dt>
              <dd>{typeName(facility.type)}</dd>
              <dt>{t('reg.col.state')}</dt>
              <dd>{facility.state}</dd>
              <dt>{t('reg.col.position')}</dt>
              <dd>
                {facility.latitude.toFixed(3)}°, {facility.longitude.toFixed(3)}°
              </dd>
            </dl>
            <Section title={t('reg.mbasTitle')}>
              <MbaTable
                caption={t('reg.mbasOf', { code: facility.code })}
                filter={{ facility: facility.code }}
                empty={<EmptyState title={t('reg.noMbasHere')} />}
              />
            </Section>
          </>
        )}
      </Async>
    </Page>
  );
}
