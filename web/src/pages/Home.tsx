import { type ReactNode, Suspense, useState } from 'react';
import {
  type Agreement,
  type AlarmSummary,
  api,
  evaluationApi,
  type Facility,
  type Mba,
  type State,
  type StateEvaluation,
} from '../api.js';
import { Async, EmptyState, Loading, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, ServerTable, usePagedTable } from '../components/Table.js';
import { formatDate } from '../i18n/format.js';
import { hasMessage, type MessageKey, Msg, type Translate, useT } from '../i18n/I18nProvider.js';
import { keptFor } from '../kept.js';
import { mayChangeAlarms, useLiveReload } from '../live.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';
import { OpenQuestions, StateDeadlines } from './home/StateSections.js';
import { alarmLabel, StateEvaluationSection } from './Monitoring.js';
import { MbaTable, WorldMap } from './Registry.js';

/** A code in the user's language when the catalogue has `prefix.code`, else the code as sent. */
function codeText(t: Translate, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key as MessageKey) : code;
}

/** The big number of a summary line (`<stat>` in its message). */
const stat = (chunks: ReactNode[]) => <span className="stat">{chunks}</span>;

const agreementColumns = (t: Translate): Column<Agreement>[] => [
  { key: 'id', header: t('home.col.agreement'), render: (a) => a.id, sortField: 'id' },
  { key: 'type', header: t('reg.col.type'), render: (a) => a.type, sortField: 'type' },
  { key: 'title', header: t('home.col.title'), render: (a) => a.title, sortField: 'title' },
  {
    key: 'eif',
    header: t('home.col.inForceSince'),
    render: (a) => <time dateTime={a.entryIntoForce}>{formatDate(a.entryIntoForce)}</time>,
    sortField: 'entryIntoForce',
  },
  {
    key: 'status',
    header: t('home.col.status'),
    render: (a) => codeText(t, 'home.agreementStatus', a.status),
    sortField: 'status',
  },
];

/** A state authority's home: what it accounts for and under which agreements. */
export function StateHome() {
  const t = useT();
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
      title={stateName ? t('home.stateTitle', { name: stateName }) : t('app.audience.state')}
      lead={
        me.organisation
          ? t('home.signedInOrg', { login: me.login, organisation: me.organisation })
          : t('home.signedInNoOrg', { login: me.login })
      }
    >
      <Async value={data} what={t('home.what.stateRegistry')}>
        {({ mbas, facilities, agreements }) => (
          <>
            <ul className="stat-row" aria-label={t('home.summary')}>
              <li>
                <Msg id="home.stat.facilities" values={{ count: facilities, stat }} />
              </li>
              <li>
                <Msg id="home.stat.mbas" values={{ count: mbas, stat }} />
              </li>
              <li>
                <Msg
                  id="home.stat.agreements"
                  values={{ count: agreements.filter((a) => a.status === 'in-force').length, stat }}
                />
              </li>
            </ul>
            {me.state && <OpenQuestions />}
            {me.state && <StateDeadlines state={me.state} />}
            <Section title={t('home.yourMbas')}>
              <MbaTable
                caption={t('home.yourMbasCaption')}
                empty={
                  <EmptyState title={t('home.noMbasForState')}>
                    <p>{t('home.noMbasForStateHint')}</p>
                  </EmptyState>
                }
              />
            </Section>
            <Section title={t('nav.agreements')}>
              <ServerTable
                caption={t('home.stateAgreementsCaption')}
                columns={agreementColumns(t)}
                table={agreementTable}
                rowKey={(a) => a.id}
                what={t('home.what.agreements')}
                empty={<EmptyState title={t('home.noAgreements')} />}
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

const stateColumns = (t: Translate): Column<StateRow>[] => [
  {
    key: 'code',
    header: t('reg.col.state'),
    render: (r) => (
      <Link to={`/states/${encodeURIComponent(r.state.code)}`}>
        {r.state.name} ({r.state.code})
      </Link>
    ),
    sortField: 'name',
  },
  {
    key: 'fac',
    header: t('home.col.facilities'),
    render: (r) => r.facilities,
    sortValue: (r) => r.facilities,
    numeric: true,
  },
  { key: 'mba', header: t('nav.mbas'), render: (r) => r.mbas, sortValue: (r) => r.mbas, numeric: true },
  {
    key: 'alarms',
    header: t('eval.alarms'),
    render: (r) =>
      r.alarms === undefined ? (
        '—'
      ) : r.alarms.total === 0 ? (
        '0'
      ) : (
        <Link
          to={`/alarms?state=${encodeURIComponent(r.state.code)}`}
          title={r.alarms.codes.map((c) => alarmLabel(c, t)).join(', ')}
        >
          {r.alarms.total}
        </Link>
      ),
    sortValue: (r) => r.alarms?.total ?? -1,
    numeric: true,
  },
  {
    key: 'eval',
    header: t('home.col.evaluation'),
    render: (r) =>
      r.evaluation ? (
        <span
          className={`badge ${r.evaluation.conclusion.category === 'NOT_DRAWN' ? 'badge-bad' : 'badge-ok'}`}
        >
          {codeText(t, 'stateEval.category', r.evaluation.conclusion.category)}
        </span>
      ) : (
        '—'
      ),
    sortValue: (r) => r.evaluation?.conclusion.category ?? '',
  },
  {
    key: 'time',
    header: t('home.col.lateOrMissing'),
    render: (r) =>
      r.evaluation ? (r.evaluation.timeliness.late ?? 0) + (r.evaluation.timeliness.missing ?? 0) : '—',
    sortValue: (r) =>
      r.evaluation ? (r.evaluation.timeliness.late ?? 0) + (r.evaluation.timeliness.missing ?? 0) : -1,
    numeric: true,
  },
  {
    // Issue 19: the Article 3 deadlines beside the reports', for inspectorates the Protocol opens them to.
    key: 'decl',
    header: t('home.col.declarationsLateOrMissing'),
    render: (r) =>
      r.evaluation?.declarations ? (
        <Link
          to={`/states/${encodeURIComponent(r.state.code)}/declarations`}
          title={r.evaluation.declarations.agreement}
        >
          {r.evaluation.declarations.late + r.evaluation.declarations.missing}
        </Link>
      ) : (
        '—'
      ),
    sortValue: (r) =>
      r.evaluation?.declarations ? r.evaluation.declarations.late + r.evaluation.declarations.missing : -1,
    numeric: true,
  },
  {
    key: 'agr',
    header: t('nav.agreements'),
    render: (r) => r.agreements.join(', ') || '—',
    sortValue: (r) => r.agreements.join(','),
  },
];

/** How long the overview reuses a state's evaluation before asking again. */
const EVALUATION_KEPT_MS = 60_000;

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
  const t = useT();
  // Each state's evaluation, kept for a minute: the table reloads whenever the alarm counts do (on
  // every report or case event), and asking the server for every shown state's annual evaluation
  // each time multiplied its work by the events and the open overviews (decision 0107).
  const [evaluation] = useState(() => keptFor<StateEvaluation>(EVALUATION_KEPT_MS));
  const table = usePagedTable(
    async (req) => {
      const page = await api.statesPage(req);
      const year = new Date().getUTCFullYear();
      const evaluations = new Map<string, StateEvaluation>();
      await Promise.all(
        page.items.map((st) =>
          evaluation(`${st.code}/${year}`, () => evaluationApi.stateEvaluation(st.code, year)).then(
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
      caption={t('home.statesInScope')}
      columns={stateColumns(t)}
      table={table}
      rowKey={(r) => r.state.code}
      filterLabel={t('home.filterStates')}
      what={t('home.what.statesInScope')}
      empty={<EmptyState title={t('home.noStatesInScope')} />}
    />
  );
}

/** The inspectorate's overview: where the facilities are and which states are in scope. */
export function InspectorateOverview() {
  const t = useT();
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
      title={t('nav.overview')}
      lead={
        me.organisation
          ? t('home.signedInOrg', { login: me.login, organisation: me.organisation })
          : t('home.signedIn', { login: me.login })
      }
    >
      <Async value={data} what={t('home.what.overview')}>
        {({ states, facilities, mbas, agreements, alarms }) => (
          <>
            {alarms !== undefined && (
              <ul className="stat-row" aria-label={t('home.alarmsByState')}>
                <li>
                  <Link to="/alarms">
                    <Msg id="home.stat.alarms" values={{ count: alarms.total, stat }} />
                  </Link>
                </li>
                {states.map((st) => (
                  <li key={st.code}>
                    <span className="stat">{alarmsOf(alarms, st.code).total}</span> {st.name}
                  </li>
                ))}
              </ul>
            )}
            <Section title={t('home.facilitiesInScope')}>
              {facilities.length === 0 ? (
                <EmptyState title={t('home.noFacilitiesInScope')}>
                  <p>{t('home.noFacilitiesInScopeHint')}</p>
                </EmptyState>
              ) : (
                <Suspense fallback={<Loading what={t('reg.what.map')} />}>
                  <WorldMap facilities={facilities} label={t('home.mapInScope')} />
                </Suspense>
              )}
            </Section>
            <Section title={t('home.statesInScope')}>
              <StatesInScope facilities={facilities} mbas={mbas} agreements={agreements} alarms={alarms} />
            </Section>
          </>
        )}
      </Async>
    </Page>
  );
}

export function StatePage({ code }: { code: string }) {
  const t = useT();
  const data = useLoad(
    async () => ({ state: await api.states().then((all) => all.find((x) => x.code === code)) }),
    [code],
  );
  return (
    <Page title={data.data?.state ? `${data.data.state.name} (${code})` : t('home.stateCode', { code })}>
      <Async value={data} what={t('home.what.state')}>
        {({ state }) =>
          state === undefined ? (
            <EmptyState title={t('home.noState', { code })}>
              <p>
                <Msg id="home.noStateHint" values={{ link: (chunks) => <Link to="/">{chunks}</Link> }} />
              </p>
            </EmptyState>
          ) : (
            <>
              <StateEvaluationSection state={state.code} year={new Date().getUTCFullYear()} />
              <Section title={t('reg.mbasTitle')}>
                <MbaTable
                  caption={t('reg.mbasOf', { code: state.name })}
                  filter={{ state: state.code }}
                  filterLabel={t('reg.filterMbas')}
                  empty={<EmptyState title={t('home.noMbasRegistered')} />}
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
  const t = useT();
  const table = usePagedTable((req) => api.agreementsPage(req), []);
  return (
    <Page title={t('nav.agreements')} lead={t('home.agreementsLead')}>
      <ServerTable
        caption={t('nav.agreements')}
        columns={agreementColumns(t)}
        table={table}
        rowKey={(a) => a.id}
        filterLabel={t('home.filterAgreements')}
        what={t('home.what.agreements')}
        empty={<EmptyState title={t('home.noAgreements')} />}
      />
    </Page>
  );
}
