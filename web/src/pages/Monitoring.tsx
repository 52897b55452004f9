/** Alarms, transfers and the state evaluation summary: what needs attention now. */
import type { ReactNode } from 'react';
import { ALARM_CODES } from '../../../src/domain/accounting/index.js';
import { type Alarm, evaluationApi, type StateEvaluation, type Transfer, type TransferSide } from '../api.js';
import { Async, EmptyState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, type PagedTable, ServerTable, Table, usePagedTable } from '../components/Table.js';
import { formatDate, formatLocale } from '../i18n/format.js';
import { hasMessage, Msg, type Translate, useT } from '../i18n/I18nProvider.js';
import en from '../i18n/messages/en.json' with { type: 'json' };
import { mayChangeAlarms, useLiveReload } from '../live.js';
import { Link, useSearchParam } from '../router.js';

/**
 * An alarm code in the user's language (`alarm.code.<CODE>`); a code this app does not know is
 * shown as it came. Without `t` (a caller not yet moved into messages) it is worded in English.
 */
export function alarmLabel(code: string, t?: Translate): string {
  const key = `alarm.code.${code}`;
  if (!(ALARM_CODES as readonly string[]).includes(code) || !hasMessage(key)) return code;
  return t ? t(key) : en[key];
}

/** A transfer's matching status in the user's language. */
function transferStatus(status: string, t: Translate): string {
  const key = `transfers.status.${status}`;
  return hasMessage(key) ? t(key) : status;
}

function evaluationLink(a: Alarm): string {
  return `/mbas/${encodeURIComponent(a.mba)}/evaluation${a.element ? `?element=${encodeURIComponent(a.element)}` : ''}`;
}

/** Alarm columns; `sortField` names the API's sort field (GET /api/alarms?sort=). */
function alarmColumns(t: Translate): Column<Alarm>[] {
  return [
    { key: 'date', header: t('alarms.col.date'), render: (a) => formatDate(a.date), sortField: 'date' },
    {
      key: 'code',
      header: t('alarms.col.alarm'),
      render: (a) => <span className="badge badge-bad">{alarmLabel(a.code, t)}</span>,
      sortField: 'code',
    },
    { key: 'state', header: t('alarms.col.state'), render: (a) => a.state, sortField: 'state' },
    {
      key: 'mba',
      header: t('reports.mba'),
      // A declaration cross-check alarm is about a declared item (its ref), not an MBA.
      render: (a) => (a.mba ? <Link to={evaluationLink(a)}>{a.mba}</Link> : (a.ref ?? '')),
      sortField: 'mba',
    },
    { key: 'el', header: t('alarms.col.element'), render: (a) => a.element ?? '', sortField: 'element' },
    {
      key: 'period',
      header: t('alarms.col.period'),
      render: (a) => (a.from ? `${formatDate(a.from)} – ${formatDate(a.date)}` : formatDate(a.date)),
    },
  ];
}

/**
 * Sets one of a screen's own filters (kept in the address beside the table's sort, q and page);
 * a changed filter goes back to the first page, as a changed sort or q does.
 */
function filterSetter(table: PagedTable<unknown>) {
  return (set: (v: string | undefined) => void, current: string, next: string) => {
    if (next === current) return;
    table.setPage(0);
    set(next);
  };
}

export function AlarmsPage() {
  const t = useT();
  const [state, setState] = useSearchParam('state');
  const [mba, setMba] = useSearchParam('mba');
  const [code, setCode] = useSearchParam('code');
  const table = usePagedTable(
    (req, signal) =>
      evaluationApi.alarms(
        { ...req, state: state || undefined, mba: mba || undefined, code: code || undefined },
        signal,
      ),
    [state, mba, code],
  );
  useLiveReload(mayChangeAlarms, table.loaded.reload);
  const refilter = filterSetter(table);
  return (
    <Page title={t('alarms.title')} lead={t('alarms.lead')}>
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label={t('alarms.filter')}>
        <div className="field">
          <label htmlFor="al-code">{t('alarms.col.alarm')}</label>
          <select id="al-code" value={code} onChange={(e) => refilter(setCode, code, e.target.value)}>
            <option value="">{t('alarms.any')}</option>
            {ALARM_CODES.map((c) => (
              <option key={c} value={c}>
                {alarmLabel(c, t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="al-state">{t('alarms.col.state')}</label>
          <input
            id="al-state"
            defaultValue={state}
            onBlur={(e) => refilter(setState, state, e.target.value.trim().toUpperCase())}
          />
        </div>
        <div className="field">
          <label htmlFor="al-mba">{t('reports.mba')}</label>
          <input
            id="al-mba"
            defaultValue={mba}
            onBlur={(e) => refilter(setMba, mba, e.target.value.trim())}
          />
        </div>
      </form>
      <ServerTable
        caption={t('alarms.caption')}
        columns={alarmColumns(t)}
        table={table}
        rowKey={(a) => a.key}
        filterLabel={t('alarms.filterThese')}
        what={t('alarms.what')}
        empty={
          <EmptyState title={t('alarms.none')}>
            <p>{state || mba || code ? t('alarms.noneFiltered') : t('alarms.noneHint')}</p>
          </EmptyState>
        }
      />
    </Page>
  );
}

/** Grams as kilograms, the unit worded by `Intl` in the user's language. */
const kg = (g: number | undefined) =>
  g === undefined
    ? ''
    : (g / 1000).toLocaleString(formatLocale(), {
        style: 'unit',
        unit: 'kilogram',
        maximumFractionDigits: 3,
      });

/** A transfer side's line when the reader may see it; a side of another state shows its state only. */
function shown(s: TransferSide | null) {
  return s !== null && 'mba' in s ? s : undefined;
}

function Side({ s }: { s: TransferSide | null }) {
  const t = useT();
  if (!s) return <span className="muted">{t('transfers.noneReported')}</span>;
  if (!('mba' in s)) return <span className="muted">{t('transfers.notShown', { state: s.state })}</span>;
  return (
    <>
      {s.mba} · {s.code} {formatDate(s.date)} · {kg(s.weight)}
    </>
  );
}

const sigmaNumber = (x: number) => x.toLocaleString(formatLocale(), { maximumFractionDigits: 1 });

/** Transfer columns; `sortField` names the API's sort field (GET /api/transfers?sort=). */
function transferColumns(t: Translate): Column<Transfer>[] {
  return [
    {
      key: 'status',
      header: t('transfers.col.status'),
      render: (x) => (
        <span
          className={`badge ${x.status === 'matched' ? 'badge-ok' : x.status === 'pending' ? 'badge-wait' : 'badge-bad'}`}
        >
          {transferStatus(x.status, t)}
        </span>
      ),
      sortField: 'status',
    },
    { key: 'batch', header: t('transfers.col.batch'), render: (x) => x.batch ?? '', sortField: 'batch' },
    {
      key: 'el',
      header: t('alarms.col.element'),
      render: (x) => shown(x.shipment)?.element ?? shown(x.receipt)?.element ?? '',
      sortField: 'element',
    },
    // The date sorted on is the shipment's, or the receipt's where the shipment is not shown.
    {
      key: 'ship',
      header: t('transfers.col.shipment'),
      render: (x) => <Side s={x.shipment} />,
      sortField: 'date',
    },
    { key: 'rec', header: t('transfers.col.receipt'), render: (x) => <Side s={x.receipt} /> },
    {
      key: 'srd',
      header: t('transfers.col.srd'),
      render: (x) =>
        x.srd === null ? (
          <span className="muted">—</span>
        ) : (
          `${sigmaNumber(x.srd)} ± ${sigmaNumber(x.sigma ?? 0)}`
        ),
      // The server sorts by |SRD| / σ, as the 3σ test judges it.
      sortField: 'srd',
      numeric: true,
    },
    {
      key: 'deadline',
      header: t('transfers.col.deadline'),
      render: (x) => (x.deadline ? formatDate(x.deadline) : '—'),
      sortField: 'deadline',
    },
  ];
}

const TRANSFER_STATUSES = ['matched', 'discrepant', 'unmatched', 'pending'] as const;

export function TransfersPage() {
  const t = useT();
  const [status, setStatus] = useSearchParam('status');
  const [state, setState] = useSearchParam('state');
  const table = usePagedTable(
    (req, signal) =>
      evaluationApi.transfers({ ...req, status: status || undefined, state: state || undefined }, signal),
    [status, state],
  );
  // The counts per status: the server's total of each status (one row each), not the page's.
  const counts = useLoad(
    async (signal) => {
      const totals = await Promise.all(
        TRANSFER_STATUSES.map((s) =>
          evaluationApi
            .transfers({ status: s, state: state || undefined, limit: 1 }, signal)
            .then((p) => p.total),
        ),
      );
      return TRANSFER_STATUSES.map((s, i) => ({ status: s, total: totals[i] ?? 0 }));
    },
    [state],
  );
  const reload = () => {
    table.loaded.reload();
    counts.reload();
  };
  useLiveReload((e) => e.type === 'report.accepted', reload);
  const refilter = filterSetter(table);
  return (
    <Page title={t('transfers.title')} lead={t('transfers.lead')}>
      <form className="form-grid" onSubmit={(e) => e.preventDefault()} aria-label={t('transfers.filter')}>
        <div className="field">
          <label htmlFor="tf-status">{t('transfers.col.status')}</label>
          <select id="tf-status" value={status} onChange={(e) => refilter(setStatus, status, e.target.value)}>
            <option value="">{t('alarms.any')}</option>
            {['matched', 'unmatched', 'discrepant', 'pending'].map((s) => (
              <option key={s} value={s}>
                {transferStatus(s, t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tf-state">{t('alarms.col.state')}</label>
          <input
            id="tf-state"
            defaultValue={state}
            onBlur={(e) => refilter(setState, state, e.target.value.trim().toUpperCase())}
          />
        </div>
      </form>
      {counts.data?.some((c) => c.total > 0) && (
        <ul className="stat-row" aria-label={t('transfers.byStatus')}>
          {counts.data.map((c) => (
            <li key={c.status}>
              <span className="stat">{c.total.toLocaleString(formatLocale())}</span>{' '}
              {transferStatus(c.status, t)}
            </li>
          ))}
        </ul>
      )}
      <ServerTable
        caption={t('transfers.caption')}
        columns={transferColumns(t)}
        table={table}
        rowKey={(x) =>
          `${x.batch}:${shown(x.shipment)?.id ?? x.shipment?.state ?? ''}:${shown(x.receipt)?.id ?? x.receipt?.state ?? ''}`
        }
        filterLabel={t('transfers.filterThese')}
        what={t('transfers.what')}
        empty={
          <EmptyState title={t('transfers.none')}>
            <p>{t('transfers.noneHint')}</p>
          </EmptyState>
        }
      />
    </Page>
  );
}

/** A figure of a stat row, set large beside its words. */
const stat = (chunks: ReactNode[]) => <span className="stat">{chunks}</span>;

/** Every drawn conclusion is good news; only a conclusion not drawn is flagged. */
const conclusionClass = (category: string) => (category === 'NOT_DRAWN' ? 'badge-bad' : 'badge-ok');

/**
 * The draft conclusion's category and statement in the user's language; a category this app does
 * not know keeps the server's words. The reasons are said from their codes.
 */
function Conclusion({ c }: { c: StateEvaluation['conclusion'] }) {
  const t = useT();
  const label = `stateEval.category.${c.category}`;
  const statement = `stateEval.statement.${c.category}`;
  return (
    <p>
      <span className={`badge ${conclusionClass(c.category)}`}>
        {hasMessage(label) ? t(label) : c.category.replace(/_/g, ' ').toLowerCase()}
      </span>{' '}
      {hasMessage(statement) ? t(statement) : c.statement}
    </p>
  );
}

export function EvaluationSummary({ e }: { e: StateEvaluation }) {
  const t = useT();
  const figure = (
    key: 'balancesClosed' | 'openAlarms' | 'onTime' | 'lateOrMissing' | 'discrepant',
    count: number,
  ) => (
    <li>
      <Msg id={`stateEval.stat.${key}`} values={{ count, stat }} />
    </li>
  );
  return (
    <>
      <Conclusion c={e.conclusion} />
      {e.conclusion.reasonCodes.length > 0 && (
        <ul>
          {e.conclusion.reasonCodes.map((r) => (
            <li key={r.code}>
              {t(`stateEval.reason.${r.code}`, { count: r.count ?? 0, year: String(r.year ?? '') })}
            </li>
          ))}
        </ul>
      )}
      <ul className="stat-row" aria-label={t('stateEval.title', { year: String(e.year) })}>
        {figure('balancesClosed', e.balancesClosed)}
        {figure('openAlarms', e.openAlarms.length)}
        {figure('onTime', e.timeliness.onTime ?? 0)}
        {figure('lateOrMissing', (e.timeliness.late ?? 0) + (e.timeliness.missing ?? 0))}
        {figure('discrepant', e.transfers.discrepant ?? 0)}
      </ul>
      {e.openAlarms.length > 0 && (
        <Table
          caption={t('stateEval.openAlarms', { year: String(e.year) })}
          columns={[
            {
              key: 'date',
              header: t('alarms.col.date'),
              render: (a) => formatDate(a.date),
              sortValue: (a) => a.date,
            },
            {
              key: 'code',
              header: t('alarms.col.alarm'),
              render: (a) => alarmLabel(a.code, t),
              sortValue: (a) => a.code,
            },
            {
              key: 'mba',
              header: t('reports.mba'),
              render: (a) => (
                <Link
                  to={`/mbas/${encodeURIComponent(a.mba)}/evaluation${a.element ? `?element=${a.element}` : ''}`}
                >
                  {a.mba}
                </Link>
              ),
              sortValue: (a) => a.mba,
            },
            { key: 'el', header: t('alarms.col.element'), render: (a) => a.element ?? '' },
          ]}
          rows={e.openAlarms}
          rowKey={(a) => a.key}
        />
      )}
    </>
  );
}

export function StateEvaluationSection({ state, year }: { state: string; year: number }) {
  const t = useT();
  const data = useLoad(() => evaluationApi.stateEvaluation(state, year), [state, year]);
  useLiveReload(mayChangeAlarms, data.reload);
  return (
    <Section title={t('stateEval.title', { year: String(year) })}>
      <Async value={data} what={t('common.what.evaluation')}>
        {(e) => <EvaluationSummary e={e} />}
      </Async>
    </Section>
  );
}
