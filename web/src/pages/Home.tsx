import { Suspense } from 'react';
import {
  type Agreement,
  type AlarmSummary,
  api,
  casesApi,
  evaluationApi,
  type Facility,
  type Mba,
  reportsApi,
  type State,
  type StateEvaluation,
} from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, Loading, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, ServerTable, usePagedTable } from '../components/Table.js';
import { isCaseEvent, mayChangeAlarms, useLiveReload } from '../live.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';
import { alarmLabel, StateEvaluationSection } from './Monitoring.js';
import { MbaTable, WorldMap } from './Registry.js';
import { periodOf, TimelinessPanel } from './Reports.js';

const agreementColumns: Column<Agreement>[] = [
  { key: 'id', header: 'Agreement', render: (a) => a.id, sortField: 'id' },
  { key: 'type', header: 'Type', render: (a) => a.type, sortField: 'type' },
  { key: 'title', header: 'Title', render: (a) => a.title, sortField: 'title' },
  {
    key: 'eif',
    header: 'In force since',
    render: (a) => a.entryIntoForce,
    sortField: 'entryIntoForce',
  },
  { key: 'status', header: 'Status', render: (a) => a.status, sortField: 'status' },
];

/** A state authority's home: what it accounts for and under which agreements. */
export function StateHome() {
  const me = useMe();
  const party = me.state ? { state: me.state } : {};
  // Counts only: the tables below page on the server.
  const data = useLoad(async () => {
    const [states, mbas, facilities, agreements] = await Promise.all([
      api.states(),
      api.mbasPage({ limit: 1 }),
      api.facilitiesPage({ limit: 1 }),
      api.agreements(party),
    ]);
    return { states, mbas: mbas.total, facilities: facilities.total, agreements };
  }, []);
  const agreementTable = usePagedTable((req) => api.agreementsPage({ ...req, ...party }), [me.state], {
    prefix: 'a',
    pageSize: 10,
  });
  const stateName = data.data?.states.find((s) => s.code === me.state)?.name;
  return (
    <Page
      title={stateName ? `${stateName} — state portal` : 'State portal'}
      lead={`Signed in as ${me.login} (${me.organisation ?? 'no organisation'}).`}
    >
      <Async value={data} what="your state's registry">
        {({ mbas, facilities, agreements }) => (
          <>
            <ul className="stat-row" aria-label="Summary">
              <li>
                <span className="stat">{facilities}</span> facilities
              </li>
              <li>
                <span className="stat">{mbas}</span> material balance areas
              </li>
              <li>
                <span className="stat">{agreements.filter((a) => a.status === 'in-force').length}</span>{' '}
                agreements in force
              </li>
            </ul>
            {me.state && <OpenQuestions />}
            {me.state && <StateDeadlines state={me.state} />}
            <Section title="Your material balance areas">
              <MbaTable
                caption="Your MBAs"
                empty={
                  <EmptyState title="No MBAs registered for your state">
                    <p>Ask the registry administrator to register your facilities and MBAs.</p>
                  </EmptyState>
                }
              />
            </Section>
            <Section title="Agreements">
              <ServerTable
                caption="Agreements your state is party to"
                columns={agreementColumns}
                table={agreementTable}
                rowKey={(a) => a.id}
                what="agreements"
                empty={<EmptyState title="No agreements recorded" />}
              />
            </Section>
          </>
        )}
      </Async>
    </Page>
  );
}

interface StateRow {
  readonly state: State;
  readonly facilities: number;
  readonly mbas: number;
  readonly agreements: string[];
  /** This state's alarm count and its codes, or undefined when the counts could not be read. */
  readonly alarms: { readonly total: number; readonly codes: readonly string[] } | undefined;
  readonly evaluation: StateEvaluation | undefined;
}

/** One state's line of the alarm summary (none: no alarms). */
function alarmsOf(summary: AlarmSummary, state: string): { total: number; codes: string[] } {
  const line = summary.states.find((x) => x.state === state);
  return { total: line?.total ?? 0, codes: Object.keys(line?.codes ?? {}) };
}

function stateRows(
  states: State[],
  facilities: Facility[],
  mbas: Mba[],
  agreements: Agreement[],
  alarms: AlarmSummary | undefined,
  evaluations: Map<string, StateEvaluation>,
): StateRow[] {
  const facilityState = new Map(facilities.map((f) => [f.code, f.state]));
  return states.map((s) => ({
    state: s,
    facilities: facilities.filter((f) => f.state === s.code).length,
    mbas: mbas.filter((m) => (m.state ?? facilityState.get(m.facility)) === s.code).length,
    agreements: agreements
      .filter((a) => a.parties.some((p) => p.kind === 'state' && p.ref === s.code))
      .map((a) => a.id),
    alarms: alarms && alarmsOf(alarms, s.code),
    evaluation: evaluations.get(s.code),
  }));
}

const stateColumns: Column<StateRow>[] = [
  {
    key: 'code',
    header: 'State',
    render: (r) => (
      <Link to={`/states/${encodeURIComponent(r.state.code)}`}>
        {r.state.name} ({r.state.code})
      </Link>
    ),
    sortField: 'name',
  },
  {
    key: 'fac',
    header: 'Facilities',
    render: (r) => r.facilities,
    sortValue: (r) => r.facilities,
    numeric: true,
  },
  { key: 'mba', header: 'MBAs', render: (r) => r.mbas, sortValue: (r) => r.mbas, numeric: true },
  {
    key: 'alarms',
    header: 'Alarms',
    render: (r) =>
      r.alarms === undefined ? (
        '—'
      ) : r.alarms.total === 0 ? (
        '0'
      ) : (
        <Link
          to={`/alarms?state=${encodeURIComponent(r.state.code)}`}
          title={r.alarms.codes.map((c) => alarmLabel(c)).join(', ')}
        >
          {r.alarms.total}
        </Link>
      ),
    sortValue: (r) => r.alarms?.total ?? -1,
    numeric: true,
  },
  {
    key: 'eval',
    header: 'Evaluation',
    render: (r) =>
      r.evaluation ? (
        <span
          className={`badge ${r.evaluation.conclusion.category === 'NOT_DRAWN' ? 'badge-bad' : 'badge-ok'}`}
        >
          {r.evaluation.conclusion.category.replace(/_/g, ' ').toLowerCase()}
        </span>
      ) : (
        '—'
      ),
    sortValue: (r) => r.evaluation?.conclusion.category ?? '',
  },
  {
    key: 'time',
    header: 'Late or missing reports',
    render: (r) =>
      r.evaluation ? (r.evaluation.timeliness.late ?? 0) + (r.evaluation.timeliness.missing ?? 0) : '—',
    sortValue: (r) =>
      r.evaluation ? (r.evaluation.timeliness.late ?? 0) + (r.evaluation.timeliness.missing ?? 0) : -1,
    numeric: true,
  },
  {
    key: 'agr',
    header: 'Agreements',
    render: (r) => r.agreements.join(', ') || '—',
    sortValue: (r) => r.agreements.join(','),
  },
];

/**
 * The states table of the overview: states paged, sorted (by name) and filtered by the server;
 * each page's rows carry counts from the overview's lists and that state's evaluation of the
 * year, fetched for the states of the page only.
 */
function StatesInScope({
  facilities,
  mbas,
  agreements,
  alarms,
}: {
  facilities: Facility[];
  mbas: Mba[];
  agreements: Agreement[];
  alarms: AlarmSummary | undefined;
}) {
  const table = usePagedTable(
    async (req) => {
      const page = await api.statesPage(req);
      const year = new Date().getUTCFullYear();
      const evaluations = new Map<string, StateEvaluation>();
      await Promise.all(
        page.items.map((st) =>
          evaluationApi.stateEvaluation(st.code, year).then(
            (e) => evaluations.set(st.code, e),
            () => undefined,
          ),
        ),
      );
      return { ...page, items: stateRows(page.items, facilities, mbas, agreements, alarms, evaluations) };
    },
    [facilities, mbas, agreements, alarms],
    { prefix: 's' },
  );
  return (
    <ServerTable
      caption="States in scope"
      columns={stateColumns}
      table={table}
      rowKey={(r) => r.state.code}
      filterLabel="Filter states"
      what="the states in scope"
      empty={<EmptyState title="No states in scope" />}
    />
  );
}

/** The inspectorate's overview: where the facilities are and which states are in scope. */
export function InspectorateOverview() {
  const me = useMe();
  const data = useLoad(async () => {
    const [states, facilities, mbas, agreements, alarms] = await Promise.all([
      api.states(),
      api.facilities(),
      api.mbas(),
      api.agreements(),
      evaluationApi.alarmSummary().catch(() => undefined),
    ]);
    return { states, facilities, mbas, agreements, alarms };
  }, []);
  useLiveReload(mayChangeAlarms, data.reload);
  return (
    <Page
      title="Overview"
      lead={`Signed in as ${me.login}${me.organisation ? ` (${me.organisation})` : ''}.`}
    >
      <Async value={data} what="the overview">
        {({ states, facilities, mbas, agreements, alarms }) => (
          <>
            {alarms !== undefined && (
              <ul className="stat-row" aria-label="Alarms by state">
                <li>
                  <Link to="/alarms">
                    <span className="stat">{alarms.total}</span> alarms
                  </Link>
                </li>
                {states.map((st) => (
                  <li key={st.code}>
                    <span className="stat">{alarmsOf(alarms, st.code).total}</span> {st.name}
                  </li>
                ))}
              </ul>
            )}
            <Section title="Facilities in scope">
              {facilities.length === 0 ? (
                <EmptyState title="No facilities in scope">
                  <p>
                    Facilities appear here once they are registered under an agreement with your organisation.
                  </p>
                </EmptyState>
              ) : (
                <Suspense fallback={<Loading what="the map" />}>
                  <WorldMap facilities={facilities} label="Map of facilities in scope" />
                </Suspense>
              )}
            </Section>
            <Section title="States in scope">
              <StatesInScope facilities={facilities} mbas={mbas} agreements={agreements} alarms={alarms} />
            </Section>
          </>
        )}
      </Async>
    </Page>
  );
}

export function StatePage({ code }: { code: string }) {
  const data = useLoad(
    async () => ({ state: await api.states().then((all) => all.find((x) => x.code === code)) }),
    [code],
  );
  return (
    <Page title={data.data?.state ? `${data.data.state.name} (${code})` : `State ${code}`}>
      <Async value={data} what="the state">
        {({ state }) =>
          state === undefined ? (
            <EmptyState title={`No state ${code} in your scope`}>
              <p>
                Check the code, or go back to the <Link to="/">overview</Link>.
              </p>
            </EmptyState>
          ) : (
            <>
              <StateEvaluationSection state={state.code} year={new Date().getUTCFullYear()} />
              <Section title="Material balance areas">
                <MbaTable
                  caption={`MBAs of ${state.name}`}
                  filter={{ state: state.code }}
                  filterLabel="Filter MBAs"
                  empty={<EmptyState title="No MBAs registered" />}
                />
              </Section>
            </>
          )
        }
      </Async>
    </Page>
  );
}

export function AgreementsPage() {
  const table = usePagedTable((req) => api.agreementsPage(req), []);
  return (
    <Page title="Agreements" lead="Safeguards agreements recorded in the registry.">
      <ServerTable
        caption="Agreements"
        columns={agreementColumns}
        table={table}
        rowKey={(a) => a.id}
        filterLabel="Filter agreements"
        what="agreements"
        empty={<EmptyState title="No agreements recorded" />}
      />
    </Page>
  );
}

function StateDeadlines({ state }: { state: string }) {
  const caps = useCapabilities();
  const canTimeliness = caps.has(capabilityKey('get', '/api/states/{code}/timeliness'));
  const canReports = caps.has(capabilityKey('get', '/api/reports'));
  const timeliness = useLoad(
    () => (canTimeliness ? reportsApi.timeliness(state) : Promise.resolve(undefined)),
    [state, canTimeliness],
  );
  const recent = useLoad(
    () => (canReports ? reportsApi.list({ limit: 5 }) : Promise.resolve(undefined)),
    [canReports],
  );
  return (
    <>
      {canTimeliness && (
        <Section title="Deadlines and timeliness">
          <Async value={timeliness} what="deadlines">
            {(t) => (t ? <TimelinessPanel t={t} /> : null)}
          </Async>
        </Section>
      )}
      {canReports && (
        <Section title="Recent receipts">
          <Async value={recent} what="recent reports">
            {(rows) =>
              !rows || rows.length === 0 ? (
                <EmptyState title="No reports submitted yet">
                  <p>
                    Submit one from <Link to="/reports/new">Submit report</Link>; its receipt appears here.
                  </p>
                </EmptyState>
              ) : (
                <ul>
                  {rows.map((r) => (
                    <li key={r.id}>
                      <span className="mono">{r.id}</span> ({periodOf(r)}) — log entry {r.logIndex},{' '}
                      <Link to={`/reports?mba=${encodeURIComponent(r.mba)}`}>verify its receipt</Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </Section>
      )}
    </>
  );
}

/** Questions from the inspectorate awaiting this state's answer; new ones arrive live. */
function OpenQuestions() {
  const caps = useCapabilities();
  const can = caps.has(capabilityKey('get', '/api/cases'));
  const data = useLoad(
    () => (can ? casesApi.list({ status: 'question-sent', limit: 20 }) : Promise.resolve(undefined)),
    [can],
  );
  useLiveReload(isCaseEvent, data.reload);
  if (!can) return null;
  return (
    <Section title="Questions awaiting your answer">
      <Async value={data} what="open questions">
        {(r) =>
          !r || r.items.length === 0 ? (
            <EmptyState title="No open questions">
              <p>When an inspectorate asks a question, it appears here at once.</p>
            </EmptyState>
          ) : (
            <ul aria-label="Open questions">
              {r.items.map((c) => (
                <li key={c.id}>
                  <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                  {c.mba ? ` (${c.mba})` : ''} — answer due {c.dueDate ?? 'not set'}
                  {c.overdue && <span className="badge badge-bad">overdue</span>}
                </li>
              ))}
              {r.total > r.items.length && (
                <li>
                  <Link to="/cases?status=question-sent">All {r.total} open questions</Link>
                </li>
              )}
            </ul>
          )
        }
      </Async>
    </Section>
  );
}
