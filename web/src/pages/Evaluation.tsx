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
import { hasMessage, type MessageKey, type Translate, useT } from '../i18n/I18nProvider.js';
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

const g2 = (x: number) =>
  x.toLocaleString(formatLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An alarm code in the user's language (alarm.code.*); a code the catalogue lacks shows as sent. */
function alarmText(t: Translate, code: string): string {
  const key = `alarm.code.${code}`;
  return hasMessage(key) ? t(key as MessageKey) : code;
}

interface Row {
  readonly index: number;
  readonly p: BalancePeriod;
}

function periodColumns(t: Translate, select: (i: number) => void): Column<Row>[] {
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
      header: t('eval.col.periodEnd'),
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
      header: t('eval.col.increases'),
      render: (r) => <span title={codes(r.p.increases)}>{g(sum(r.p.increases))}</span>,
      sortValue: (r) => sum(r.p.increases),
      numeric: true,
    },
    {
      key: 'dec',
      header: t('eval.col.decreases'),
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
      header: t('eval.col.page'),
      render: (r) => g2(r.p.page),
      sortValue: (r) => r.p.page,
      numeric: true,
    },
    {
      key: 'alarms',
      header: t('eval.alarms'),
      render: (r) =>
        r.p.alarms.length === 0 ? (
          '—'
        ) : (
          <span className="badge badge-bad">{r.p.alarms.map((a) => alarmText(t, a)).join(', ')}</span>
        ),
      sortValue: (r) => r.p.alarms.length,
    },
    {
      key: 'lines',
      header: t('eval.col.lines'),
      render: (r) => (
        <button
          type="button"
          onClick={() => select(r.index)}
          aria-label={t('eval.linesOf', { date: r.p.to })}
        >
          {t('eval.col.lines')}
        </button>
      ),
    },
  ];
}

/** The lines dated inside (from, to] of the element: the inventory changes behind one period. */
function PeriodLines({ mba, element, p }: { mba: string; element: string; p: BalancePeriod }) {
  const t = useT();
  // The server selects the period's lines (after=from, asOf=to, element) and pages them.
  const table = usePagedTable(
    (req, signal) =>
      reportsApi.linesPage(mba, { ...req, effective: 'true', after: p.from, asOf: p.to, element }, signal),
    [mba, element, p.from, p.to],
    { prefix: 'lines-' },
  );
  return (
    <Section title={t('eval.periodLines', { from: p.from, to: p.to })} id="drill-down">
      <p className="muted small">
        {t('eval.formula', {
          pb: g(p.pb),
          increases: g(sum(p.increases)),
          decreases: g(sum(p.decreases)),
          pe: g(p.pe),
          muf: g(p.muf),
          sigma: g(p.sigmaMuf),
        })}
      </p>
      <ServerTable
        caption={t('eval.linesCaption', { mba, element, from: p.from, to: p.to })}
        columns={lineColumns}
        table={table}
        rowKey={(l) => `${l.reportId}:${l.line}`}
        filterLabel={t('reg.filterLines')}
        what={t('eval.what.periodLines')}
        empty={<EmptyState title={t('eval.noLinesInPeriod')} />}
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
  const t = useT();
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
      <EmptyState title={t('eval.noAlarms')}>
        <p>{t('eval.noAlarmsHint', { element })}</p>
      </EmptyState>
    );
  }
  return (
    <ul className="alarm-list" aria-label={t('eval.alarmsOfElement')}>
      {alarmed.map(({ code, p, cause, key: causeKey }) => {
        const key = `${code}:${p.to}`;
        const existing = causeKey === undefined ? undefined : byKey.get(causeKey);
        return (
          <li key={key}>
            <span className="badge badge-bad">{alarmText(t, code)}</span>{' '}
            {t('eval.alarmPeriod', { from: p.from, to: p.to })}
            {code === 'PAGE' ? ` ${t('eval.pageStatistic', { value: g2(p.page), h: b.page.h })}` : ''}
            {existing && (
              <>
                {' '}
                <Link to={`/cases/${encodeURIComponent(existing.id)}`}>
                  {t('eval.caseLink', { title: existing.title })}
                </Link>{' '}
                <StatusBadge status={existing.status} />
                {opening === key && (
                  <p role="status" className="muted">
                    {t('eval.caseOpenedMeanwhile')}
                  </p>
                )}
              </>
            )}
            {canOpen && !existing && !cases.loading && opening !== key && (
              <button
                type="button"
                onClick={() => setOpening(key)}
                aria-label={t('eval.openCaseFor', { code, date: p.to })}
              >
                {t('case.open.label')}
              </button>
            )}
            {opening === key && !existing && (
              <OpenCaseForm
                defaults={{
                  kind: 'anomaly',
                  state,
                  mba: b.mba,
                  title: t('eval.caseTitle', { alarm: alarmText(t, code), mba: b.mba, element, date: p.to }),
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
  const t = useT();
  const data = useLoad(() => casesApi.list({ mba, limit: 10 }), [mba]);
  useLiveReload(isCaseEvent, data.reload);
  return (
    <Async value={data} what={t('common.what.cases')}>
      {(r) =>
        r.items.length === 0 ? (
          <p className="muted">{t('eval.noCases')}</p>
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
                <Link to={`/cases?mba=${encodeURIComponent(mba)}`}>
                  {t('eval.allCases', { count: r.total })}
                </Link>
              </li>
            )}
          </ul>
        )
      }
    </Async>
  );
}

export default function MbaEvaluationPage({ code }: { code: string }) {
  const t = useT();
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
      title={t('eval.title', { code })}
      lead={
        <>
          {t('eval.lead')} <Link to={`/mbas/${encodeURIComponent(code)}`}>{t('eval.registryLink')}</Link>
        </>
      }
    >
      <Async value={data} what={t('eval.what.balances')}>
        {(b) => {
          const el = b.element ?? '';
          const p = selected === undefined ? undefined : b.periods[selected];
          const sqG = b.significantQuantity ? b.significantQuantity.mg / 1000 : null;
          return (
            <>
              <div className="form-grid">
                <div className="field">
                  <label htmlFor="ev-element">{t('eval.element')}</label>
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
                <dt>{t('eval.category')}</dt>
                <dd>{b.category ?? '—'}</dd>
                <dt>{t('eval.sq')}</dt>
                <dd>
                  {b.significantQuantity
                    ? t('eval.sqValue', {
                        kg: (b.significantQuantity.mg / 1e6).toLocaleString(formatLocale()),
                        basis: b.significantQuantity.basis,
                        category: b.significantQuantity.category,
                      })
                    : '—'}
                </dd>
                <dt>{t('alarm.code.PAGE')}</dt>
                <dd>{t('eval.pageParams', { k: b.page.k, h: b.page.h })}</dd>
                <dt>{t('eval.sigmaModel')}</dt>
                {/* The server's model sentence, said in the user's language. */}
                <dd className="small">{t('eval.sigmaModelText')}</dd>
              </dl>
              {b.periods.length === 0 ? (
                <EmptyState title={t('eval.noPeriods')}>
                  <p>{t('eval.noPeriodsHint')}</p>
                </EmptyState>
              ) : (
                <>
                  <Section title={t('eval.alarms')}>
                    <AlarmsPanel b={b} canOpen={canOpen} />
                    {canCases && (
                      <>
                        <h3>{t('eval.casesAbout', { code })}</h3>
                        <MbaCases mba={code} />
                      </>
                    )}
                  </Section>
                  <Section title={t('eval.charts')}>
                    <p className="muted small">{t('eval.chartsHint')}</p>
                    <Suspense fallback={<Loading what={t('eval.what.charts')} />}>
                      <BalanceCharts
                        periods={b.periods}
                        sqGrams={sqG}
                        h={b.page.h}
                        element={el}
                        onSelect={(i) => setPeriod(String(i))}
                      />
                    </Suspense>
                  </Section>
                  <Section title={t('eval.periods')}>
                    <Table
                      caption={t('eval.balanceCaption', { code, element: el })}
                      columns={periodColumns(t, (i) => {
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

/** The bench's element code (plutonium), a code and not text to translate. */
const BENCH_ELEMENT = 'P';

/** `/bench/balance-chart?periods=120`: renders synthetic periods and shows the measured time. */
export function BalanceChartBench() {
  const t = useT();
  const [n] = useSearchParam('periods');
  const count = Math.min(1200, Math.max(1, Number(n) || 120));
  const [periods] = useState(() => syntheticPeriods(count));
  const [ms, setMs] = useState<number | undefined>(undefined);
  return (
    <Page title={t('eval.bench.title')} lead={t('eval.bench.lead', { count })}>
      <p role="status" data-testid="render-ms" data-ms={ms === undefined ? '' : ms.toFixed(1)}>
        {ms === undefined
          ? t('eval.bench.rendering')
          : t('eval.bench.rendered', {
              ms: ms.toLocaleString(formatLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
            })}
      </p>
      <Suspense fallback={<Loading what={t('eval.what.charts')} />}>
        <BalanceCharts periods={periods} sqGrams={8000} h={5} element={BENCH_ELEMENT} onRendered={setMs} />
      </Suspense>
    </Page>
  );
}
