import { lazy, type ReactNode, Suspense } from 'react';
import { type AccountLine, api, type Facility, type Kmp, type Mba, reportsApi } from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, Loading, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { ReportLink } from '../components/ReportLink.js';
import { type Column, ServerTable, Table, usePagedTable } from '../components/Table.js';
import { formatLocale } from '../i18n/format.js';
import { Link } from '../router.js';

export const WorldMap = lazy(() => import('../components/WorldMap.js'));

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** MBA columns; `sortField` names the API's sort field (GET /api/mbas?sort=). */
export const mbaColumns: Column<Mba>[] = [
  {
    key: 'code',
    header: 'MBA',
    render: (m) => <Link to={`/mbas/${encodeURIComponent(m.code)}`}>{m.code}</Link>,
    sortField: 'code',
  },
  {
    key: 'facility',
    header: 'Facility',
    render: (m) => m.facilityName ?? m.facility,
    sortField: 'facilityName',
  },
  { key: 'state', header: 'State', render: (m) => m.state ?? '', sortField: 'state' },
  { key: 'desc', header: 'Description', render: (m) => m.description, sortField: 'description' },
  {
    key: 'kind',
    header: 'Accountancy',
    render: (m) => (m.itemMba ? 'item' : 'bulk'),
    sortField: 'itemMba',
  },
];

export const facilityColumns: Column<Facility>[] = [
  {
    key: 'code',
    header: 'Code',
    render: (f) => <Link to={`/facilities/${encodeURIComponent(f.code)}`}>{f.code}</Link>,
    sortField: 'code',
  },
  { key: 'name', header: 'Name', render: (f) => f.name, sortField: 'name' },
  { key: 'type', header: 'Type', render: (f) => f.type.replace('-', ' '), sortField: 'type' },
  { key: 'state', header: 'State', render: (f) => f.state, sortField: 'state' },
  {
    key: 'pos',
    header: 'Position',
    render: (f) => `${f.latitude.toFixed(2)}°, ${f.longitude.toFixed(2)}°`,
    sortField: 'latitude',
  },
];

const NO_MBAS = (
  <EmptyState title="No MBAs yet">
    <p>An administrator registers MBAs with POST /api/mbas or the CLI.</p>
  </EmptyState>
);

/** MBAs paged, sorted and filtered by the server; `filter` narrows to a facility or a state. */
export function MbaTable({
  caption,
  filter = {},
  filterLabel,
  empty = NO_MBAS,
}: {
  caption: string;
  filter?: { facility?: string; state?: string };
  filterLabel?: string;
  empty?: ReactNode;
}) {
  const table = usePagedTable((req) => api.mbasPage({ ...req, ...filter }), [filter.facility, filter.state]);
  return (
    <ServerTable
      caption={caption}
      columns={mbaColumns}
      table={table}
      rowKey={(m) => m.code}
      filterLabel={filterLabel}
      what="material balance areas"
      empty={empty}
    />
  );
}

export function MbasPage() {
  return (
    <Page
      title="Material balance areas"
      lead="Every MBA you may see, with its facility and accountancy type."
    >
      <MbaTable caption="Material balance areas" filterLabel="Filter MBAs" />
    </Page>
  );
}

const kmpColumns: Column<Kmp>[] = [
  { key: 'code', header: 'KMP', render: (k) => k.code, sortField: 'code' },
  { key: 'kind', header: 'Kind', render: (k) => k.kind, sortField: 'kind' },
  { key: 'method', header: 'Measurement method', render: (k) => k.method, sortField: 'method' },
  {
    key: 'r',
    header: 'Random RSD',
    render: (k) => pct(k.randomRsd),
    sortField: 'randomRsd',
    numeric: true,
  },
  {
    key: 's',
    header: 'Systematic RSD',
    render: (k) => pct(k.systematicRsd),
    sortField: 'systematicRsd',
    numeric: true,
  },
];

function KmpTable({ mba }: { mba: string }) {
  const table = usePagedTable((req) => api.kmpsPage({ ...req, mba }), [mba]);
  return (
    <ServerTable
      caption={`Key measurement points of ${mba}`}
      columns={kmpColumns}
      table={table}
      rowKey={(k) => k.code}
      what="key measurement points"
      empty={
        <EmptyState title="No KMPs registered">
          <p>Reports can name only registered KMPs; ask an administrator to add them.</p>
        </EmptyState>
      }
    />
  );
}

export function MbaPage({ code }: { code: string }) {
  const canEvaluate = useCapabilities().has(capabilityKey('get', '/api/mbas/{code}/balances'));
  const data = useLoad(async () => {
    const mba = await api.mba(code);
    return { mba, facility: await api.facility(mba.facility) };
  }, [code]);
  return (
    <Page
      title={`MBA ${code}`}
      lead={data.data?.mba.description}
      actions={
        canEvaluate ? (
          <Link to={`/mbas/${encodeURIComponent(code)}/evaluation`}>Evaluation: MUF, CUMUF, Page</Link>
        ) : undefined
      }
    >
      <Async value={data} what="the MBA">
        {({ mba, facility }) => (
          <>
            <dl className="facts">
              <dt>Facility</dt>
              <dd>
                <Link to={`/facilities/${encodeURIComponent(facility.code)}`}>{facility.name}</Link> (
                {facility.type.replace('-', ' ')})
              </dd>
              <dt>State</dt>
              <dd>{facility.state}</dd>
              <dt>Accountancy</dt>
              <dd>{mba.itemMba ? 'item counting' : 'bulk (measured)'}</dd>
            </dl>
            <Section title="Key measurement points">
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

/** The book: the effective inventory changes (paged by the server), and the lines later corrections replaced. */
function MbaLines({ code }: { code: string }) {
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
  const corrected = useLoad(
    (signal) =>
      can ? reportsApi.lines(code, { effective: 'true', limit: 1 }, signal) : Promise.resolve(undefined),
    [code, can],
  );
  if (!can) return null;
  return (
    <Section title="Inventory change lines">
      <ServerTable
        caption={`Effective inventory change lines of ${code}`}
        columns={lineColumns}
        table={table}
        rowKey={(l) => `${l.reportId}:${l.line}`}
        filterLabel="Filter lines"
        what="the account lines"
        empty={<EmptyState title="No inventory changes reported yet" />}
      />
      <Async value={corrected} what="the correction history">
        {(d) =>
          d?.corrected && d.corrected.length > 0 ? (
            <Table
              caption="History: lines replaced or deleted by later corrections"
              columns={lineColumns}
              rows={d.corrected.flatMap((c) => c.history)}
              rowKey={(l) => `c:${l.reportId}:${l.line}`}
            />
          ) : null
        }
      </Async>
    </Section>
  );
}

export function FacilitiesPage() {
  // The map draws every facility; the table below pages, sorts and filters on the server.
  const all = useLoad(() => api.facilities(), []);
  const table = usePagedTable((req) => api.facilitiesPage(req), []);
  return (
    <Page title="Facilities" lead="Facilities under safeguards that you may see.">
      <Async value={all} what="facilities">
        {(facilities) =>
          facilities.length === 0 ? (
            <EmptyState title="No facilities yet">
              <p>An administrator registers facilities with POST /api/facilities or the CLI.</p>
            </EmptyState>
          ) : (
            <>
              <Suspense fallback={<Loading what="the map" />}>
                <WorldMap facilities={facilities} label="Map of facilities" />
              </Suspense>
              <ServerTable
                caption="Facilities"
                columns={facilityColumns}
                table={table}
                rowKey={(f) => f.code}
                filterLabel="Filter facilities"
                what="facilities"
              />
            </>
          )
        }
      </Async>
    </Page>
  );
}

export function FacilityPage({ code }: { code: string }) {
  const data = useLoad(() => api.facility(code), [code]);
  return (
    <Page title={data.data?.name ?? `Facility ${code}`} lead={`Facility ${code}`}>
      <Async value={data} what="the facility">
        {(facility) => (
          <>
            <dl className="facts">
              <dt>Type</dt>
              <dd>{facility.type.replace('-', ' ')}</dd>
              <dt>State</dt>
              <dd>{facility.state}</dd>
              <dt>Position</dt>
              <dd>
                {facility.latitude.toFixed(3)}°, {facility.longitude.toFixed(3)}°
              </dd>
            </dl>
            <Section title="Material balance areas">
              <MbaTable
                caption={`MBAs of ${facility.code}`}
                filter={{ facility: facility.code }}
                empty={<EmptyState title="No MBAs at this facility" />}
              />
            </Section>
          </>
        )}
      </Async>
    </Page>
  );
}
