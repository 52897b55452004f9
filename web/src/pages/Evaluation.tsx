/**
 * MBA evaluation: the balance periods of one element with MUF, σMUF, SITMUF, CUMUF and Page's
 * statistic, drawn as control charts and tabled, with drill-down to the inventory-change lines
 * behind each period and a case opened from an alarm in two clicks.
 */
import { lazy, Suspense, useState } from 'react';
import { type AlarmCode, balanceAlarmCause } from '../../../src/domain/accounting/index.js';
import { caseKeyForAlarm } from '../../../src/domain/cases/index.js';
import type { ElementCode } from '../../../src/domain/reports/index.js';
import { type BalancePeriod, type Balances, casesApi, evaluationApi, reportsApi } from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, Loading, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { sitmufSortValue, sitmufText } from '../components/sitmuf.js';
import { type Column, ServerTable, Table, usePagedTable } from '../components/Table.js';
import { formatLocale } from '../i18n/format.js';
import { isCaseEvent, mayChangeAlarms, useLiveReload } from '../live.js';
import { Link, useSearchParam } from '../router.js';
import { audienceOf, useMe } from '../session.js';
import { OpenCaseForm, StatusBadge } from './Cases.js';
import { lineColumns } from './Registry.js';

const BalanceCharts = lazy(() => import('../components/BalanceCharts.js'));

const g = (x: number) =>
  x.toLocaleString(formatLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
const codes = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .map(([k, v]) => `${k} ${g(v)}`)
    .join(', ');

const ALARM_TEXT: Record<string, string> = {
  MUF_3SIGMA: 'MUF beyond 3σMUF',
  MUF_SQ: 'MUF above 1 SQ',
  CUMUF_SQ: 'CUMUF above 1 SQ',
  PAGE: "Page's test",
  ITEM_MUF: 'item MUF',
};

interface Row {
  readonly index: number;
  readonly p: BalancePeriod;
}

function periodColumns(select: (i: number) => void): Column<Row>[] {
  const num = (key: string, header: string, v: (p: BalancePeriod) => number): Column<Row> => ({
    key,
    header,
    render: (r) => g(v(r.p)),
    sortValue: (r) => v(r.p),
    numeric: true,
  });
  return [
    {
      key: 'period',
      header: 'Period end',
      render: (r) => (
        <span className="nowrap" title={`${r.p.from} – ${r.p.to}`}>
          {r.p.to}
        </span>
      ),
      sortValue: (r) => r.p.to,
    },
    num('pb', 'PB', (p) => p.pb),
    {
      key: 'inc',
      header: 'Increases',
      render: (r) => <span title={codes(r.p.increases)}>{g(sum(r.p.increases))}</span>,
      sortValue: (r) => sum(r.p.increases),
      numeric: true,
    },
    {
      key: 'dec',
      header: 'Decreases',
      render: (r) => <span title={codes(r.p.decreases)}>{g(sum(r.p.decreases))}</span>,
      sortValue: (r) => sum(r.p.decreases),
      numeric: true,
    },
    num('be', 'BE', (p) => p.be),
    num('pe', 'PE', (p) => p.pe),
    num('muf', 'MUF', (p) => p.muf),
    num('sigma', 'σMUF', (p) => p.sigmaMuf),
    {
      key: 'sitmuf',
      header: 'SITMUF',
      render: (r) => sitmufText(r.p.sitmuf),
      sortValue: (r) => sitmufSortValue(r.p.sitmuf),
      numeric: true,
    },
    num('cumuf', 'CUMUF', (p) => p.cumuf),
    {
      key: 'page',
      header: 'Page',
      render: (r) => r.p.page.toFixed(2),
      sortValue: (r) => r.p.page,
      numeric: true,
    },
    {
      key: 'alarms',
      header: 'Alarms',
      render: (r) =>
        r.p.alarms.length === 0 ? (
          '—'
        ) : (
          <span className="badge badge-bad">{r.p.alarms.map((a) => ALARM_TEXT[a] ?? a).join(', ')}</span>
        ),
      sortValue: (r) => r.p.alarms.length,
    },
    {
      key: 'lines',
      header: 'Lines',
      render: (r) => (
        <button
          type="button"
          onClick={() => select(r.index)}
          aria-label={`Lines of the period ending ${r.p.to}`}
        >
          Lines
        </button>
      ),
    },
  ];
}

/** The lines dated inside (from, to] of the element: the inventory changes behind one period. */
function PeriodLines({ mba, element, p }: { mba: string; element: string; p: BalancePeriod }) {
  // The server selects the period's lines (after=from, asOf=to, element) and pages them.
  const table = usePagedTable(
    (req, signal) =>
      reportsApi.linesPage(mba, { ...req, effective: 'true', after: p.from, asOf: p.to, element }, signal),
    [mba, element, p.from, p.to],
    { prefix: 'lines-' },
  );
  return (
    <Section title={`Lines behind the period ${p.from} – ${p.to}`} id="drill-down">
      <p className="muted small">
        MUF = PB + increases − decreases − PE = {g(p.pb)} + {g(sum(p.increases))} − {g(sum(p.decreases))} −{' '}
        {g(p.pe)} = {g(p.muf)} g; σMUF {g(p.sigmaMuf)} g.
      </p>
      <ServerTable
        caption={`Inventory change lines of ${mba}, ${element}, ${p.from} – ${p.to}`}
        columns={lineColumns}
        table={table}
        rowKey={(l) => `${l.reportId}:${l.line}`}
        filterLabel="Filter lines"
        what="the lines of the period"
        empty={<EmptyState title="No inventory changes in this period" />}
      />
    </Section>
  );
}

/**
 * Each alarm of the element names its cause (the automatic path's, balanceAlarmCause): an alarm
 * whose cause already has a case links to it instead of offering to open another (issue 16), and
 * the server answers an open of a cause that has a case with that case.
 */
function AlarmsPanel({ b, canOpen }: { b: Balances; canOpen: boolean }) {
  const [opening, setOpening] = useState<string | undefined>(undefined);
  const element = (b.element ?? '') as ElementCode;
  const state = b.mba.slice(0, 2);
  const first = new Map<string, string>();
  const alarmed = b.periods.flatMap((p) =>
    p.alarms.map((a) => {
      if (!first.has(a)) first.set(a, p.to);
      const cause = balanceAlarmCause(state, b.mba, element, a as AlarmCode, p.to, first.get(a)!);
      return { code: a, p, cause, key: cause === undefined ? undefined : caseKeyForAlarm(cause) };
    }),
  );
  // The cases about this MBA, by cause key (at most 500: the server deduplicates the rest).
  const cases = useLoad(() => casesApi.list({ mba: b.mba, limit: 500 }), [b.mba]);
  useLiveReload(isCaseEvent, cases.reload);
  const byKey = new Map((cases.data?.items ?? []).flatMap((c) => (c.key ? [[c.key, c] as const] : [])));
  if (alarmed.length === 0) {
    return (
      <EmptyState title="No alarms">
        <p>No period of {element} crossed a test threshold.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="alarm-list" aria-label="Alarms of this element">
      {alarmed.map(({ code, p, cause, key: causeKey }) => {
        const key = `${code}:${p.to}`;
        const existing = causeKey === undefined ? undefined : byKey.get(causeKey);
        return (
          <li key={key}>
            <span className="badge badge-bad">{ALARM_TEXT[code] ?? code}</span> period {p.from} – {p.to}
            {code === 'PAGE' ? ` (statistic ${p.page.toFixed(2)} > h = ${b.page.h})` : ''}
            {existing && (
              <>
                {' '}
                <Link to={`/cases/${encodeURIComponent(existing.id)}`}>Case: {existing.title}</Link>{' '}
                <StatusBadge status={existing.status} />
              </>
            )}
            {canOpen && !existing && !cases.loading && opening !== key && (
              <button
                type="button"
                onClick={() => setOpening(key)}
                aria-label={`Open a case for the ${code} alarm of ${p.to}`}
              >
                Open a case
              </button>
            )}
            {opening === key && !existing && (
              <OpenCaseForm
                defaults={{
                  kind: 'anomaly',
                  state,
                  mba: b.mba,
                  title: `${ALARM_TEXT[code] ?? code} alarm on ${b.mba} ${element} at ${p.to}`,
                  about: { element, period: { from: p.from, to: p.to } },
                  ...(cause === undefined ? {} : { cause }),
                }}
                onCancel={() => setOpening(undefined)}
              />
            )}
          </li>
        );
      })}
    </ul>
  );
}

function MbaCases({ mba }: { mba: string }) {
  const data = useLoad(() => casesApi.list({ mba, limit: 10 }), [mba]);
  useLiveReload(isCaseEvent, data.reload);
  return (
    <Async value={data} what="cases">
      {(r) =>
        r.items.length === 0 ? (
          <p className="muted">No cases about this MBA.</p>
        ) : (
          <ul>
            {r.items.map((c) => (
              <li key={c.id}>
                <Link to={`/cases/${encodeURIComponent(c.id)}`}>{c.title}</Link>{' '}
                <StatusBadge status={c.status} />
              </li>
            ))}
            {r.total > r.items.length && (
              <li>
                <Link to={`/cases?mba=${encodeURIComponent(mba)}`}>All {r.total} cases</Link>
              </li>
            )}
          </ul>
        )
      }
    </Async>
  );
}

export default function MbaEvaluationPage({ code }: { code: string }) {
  const me = useMe();
  const caps = useCapabilities();
  const [element, setElement] = useSearchParam('element');
  const [periodText, setPeriod] = useSearchParam('period');
  const data = useLoad(() => evaluationApi.balances(code, element || undefined), [code, element]);
  useLiveReload(mayChangeAlarms, data.reload);
  const canOpen =
    audienceOf(me) === 'inspectorate' &&
    me.roles.includes('inspector') &&
    caps.has(capabilityKey('post', '/api/cases'));
  const canCases = caps.has(capabilityKey('get', '/api/cases'));
  const selected = periodText === '' ? undefined : Number(periodText);
  return (
    <Page
      title={`Evaluation of MBA ${code}`}
      lead={
        <>
          Material balance periods, MUF against its uncertainty, and sequential tests.{' '}
          <Link to={`/mbas/${encodeURIComponent(code)}`}>Registry entry and book</Link>
        </>
      }
    >
      <Async value={data} what="the balances">
        {(b) => {
          const el = b.element ?? '';
          const p = selected === undefined ? undefined : b.periods[selected];
          const sqG = b.significantQuantity ? b.significantQuantity.mg / 1000 : null;
          return (
            <>
              <div className="form-grid">
                <div className="field">
                  <label htmlFor="ev-element">Element</label>
                  <select
                    id="ev-element"
                    value={el}
                    onChange={(e) => {
                      setPeriod(undefined);
                      setElement(e.target.value);
                    }}
                  >
                    {b.elements.map((x) => (
                      <option key={x} value={x}>
                        {x}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
              <dl className="facts">
                <dt>Material category</dt>
                <dd>{b.category ?? '—'}</dd>
                <dt>Significant quantity</dt>
                <dd>
                  {b.significantQuantity
                    ? `${(b.significantQuantity.mg / 1e6).toLocaleString(formatLocale())} kg ${b.significantQuantity.basis === 'element' ? 'of element' : b.significantQuantity.basis} (${b.significantQuantity.category})`
                    : '—'}
                </dd>
                <dt>Page's test</dt>
                <dd>
                  k = {b.page.k}, h = {b.page.h} (in σ units of SITMUF)
                </dd>
                <dt>σMUF model</dt>
                <dd className="small">{b.sigmaModel}</dd>
              </dl>
              {b.periods.length === 0 ? (
                <EmptyState title="No closed balance periods yet">
                  <p>
                    A balance period closes with a physical inventory listing (PIL) after inventory change
                    reports.
                  </p>
                </EmptyState>
              ) : (
                <>
                  <Section title="Alarms">
                    <AlarmsPanel b={b} canOpen={canOpen} />
                    {canCases && (
                      <>
                        <h3>Cases about {code}</h3>
                        <MbaCases mba={code} />
                      </>
                    )}
                  </Section>
                  <Section title="Charts">
                    <p className="muted small">Select a point to see the lines behind that period.</p>
                    <Suspense fallback={<Loading what="the charts" />}>
                      <BalanceCharts
                        periods={b.periods}
                        sqGrams={sqG}
                        h={b.page.h}
                        element={el}
                        onSelect={(i) => setPeriod(String(i))}
                      />
                    </Suspense>
                  </Section>
                  <Section title="Balance periods">
                    <Table
                      caption={`Material balance of ${code}, element ${el}, grams`}
                      columns={periodColumns((i) => {
                        setPeriod(String(i));
                        requestAnimationFrame(() =>
                          document.getElementById('drill-down')?.scrollIntoView({ block: 'start' }),
                        );
                      })}
                      rows={b.periods.map((x, index) => ({ index, p: x }))}
                      rowKey={(r) => r.p.to}
                    />
                  </Section>
                  {p && <PeriodLines key={p.to} mba={code} element={el} p={p} />}
                </>
              )}
            </>
          );
        }}
      </Async>
    </Page>
  );
}

/** Synthetic monthly periods for the render budget: a slow loss that raises Page's statistic. */
export function syntheticPeriods(n: number): BalancePeriod[] {
  const out: BalancePeriod[] = [];
  let cumuf = 0;
  let page = 0;
  const start = Date.UTC(2016, 0, 31);
  for (let i = 0; i < n; i++) {
    const from = new Date(start);
    from.setUTCMonth(from.getUTCMonth() + i);
    const to = new Date(start);
    to.setUTCMonth(to.getUTCMonth() + i + 1);
    const sigma = 46 + (i % 7);
    const muf = 20 * Math.sin(i * 1.7) + (i > n / 2 ? 25 : 0);
    cumuf += muf;
    const sitmuf = muf / sigma;
    page = Math.max(0, page + sitmuf - 0.5);
    out.push({
      from: from.toISOString().slice(0, 10),
      to: to.toISOString().slice(0, 10),
      pb: 20_000,
      increases: { RD: 5000 },
      decreases: { SD: 4960 },
      be: 20_040,
      srd: 0,
      bea: 20_040,
      pe: 20_040 - muf,
      muf,
      sigmaMuf: sigma,
      sitmuf,
      cumuf,
      page,
      alarms: page > 5 ? ['PAGE'] : [],
      // The same balance on the fissile isotope, as for 4 % enriched uranium.
      fissile: {
        pb: 800,
        increases: { RD: 200 },
        decreases: { SD: 198.4 },
        be: 801.6,
        srd: 0,
        bea: 801.6,
        pe: 801.6 - muf * 0.04,
        muf: muf * 0.04,
      },
    });
  }
  return out;
}

/** `/bench/balance-chart?periods=120`: renders synthetic periods and shows the measured time. */
export function BalanceChartBench() {
  const [n] = useSearchParam('periods');
  const count = Math.min(1200, Math.max(1, Number(n) || 120));
  const [periods] = useState(() => syntheticPeriods(count));
  const [ms, setMs] = useState<number | undefined>(undefined);
  return (
    <Page title="Balance chart render budget" lead={`${count} synthetic monthly periods.`}>
      <p role="status" data-testid="render-ms" data-ms={ms === undefined ? '' : ms.toFixed(1)}>
        {ms === undefined ? 'Rendering…' : `Rendered in ${ms.toFixed(1)} ms`}
      </p>
      <Suspense fallback={<Loading what="the charts" />}>
        <BalanceCharts periods={periods} sqGrams={8000} h={5} element="P" onRendered={setMs} />
      </Suspense>
    </Page>
  );
}
