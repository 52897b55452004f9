/** Inspections: the calendar as a list by month, each inspection's findings and signed statements, and the sampling-plan calculator. */
import { type FormEvent, useState } from 'react';
import { isInspectorateKind } from '../../../src/domain/registry/index.js';
import {
  api,
  inspectionsApi,
  type ListedInspection,
  type SamplingPlan,
  type SamplingPlanRequest,
} from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { sayStep } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { type Column, ServerTable, usePagedTable } from '../components/Table.js';
import { formatDate, formatLocale } from '../i18n/format.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';
import { failureText } from '../i18n/problems.js';
import { activityName } from '../i18n/terms.js';
import { useCheckpointWait, useLiveReload } from '../live.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';
import type { SignedStatement } from '../verify.js';
import { ActivitiesForm } from './inspections/ActivitiesForm.js';
import {
  findingTypeLabel,
  inspectionStatusLabel,
  inspectionTypeLabel,
  noticeRuleText,
  severityLabel,
} from './inspections/labels.js';
import { PlanInspectionForm } from './inspections/PlanInspectionForm.js';
import { RecordResultsForm } from './inspections/RecordResultsForm.js';
import { SignStatementForm } from './inspections/SignStatementForm.js';

/** A time of these screens (all UTC), in the user's language. */
const when = (iso: string | null | undefined) => (iso ? formatDate(iso, true) : '—');

function inspectionColumns(t: Translate): Column<ListedInspection>[] {
  // In the server's order (start, then id): the list is paged there and not sorted otherwise.
  return [
    {
      key: 'start',
      header: t('insp.startsUtc'),
      render: (i) => <Link to={`/inspections/${encodeURIComponent(i.id)}`}>{when(i.startsAt)}</Link>,
    },
    { key: 'type', header: t('reports.type'), render: (i) => inspectionTypeLabel(i.type, t) },
    { key: 'facility', header: t('insp.facility'), render: (i) => i.facility },
    { key: 'state', header: t('alarms.col.state'), render: (i) => i.state },
    { key: 'mbas', header: t('nav.mbas'), render: (i) => i.mbas.join(', ') },
    { key: 'who', header: t('insp.col.inspectorates'), render: (i) => i.participants.join(', ') },
    { key: 'notice', header: t('insp.col.notice'), render: (i) => when(i.noticeGivenAt) },
    { key: 'status', header: t('transfers.col.status'), render: (i) => inspectionStatusLabel(i.status, t) },
  ];
}

/** A month of the calendar ("2026-03") named in the user's language. */
function monthName(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? month
    : d.toLocaleDateString(formatLocale(), { timeZone: 'UTC', year: 'numeric', month: 'long' });
}

function byMonth(rows: readonly ListedInspection[]): [string, ListedInspection[]][] {
  const m = new Map<string, ListedInspection[]>();
  for (const r of [...rows].sort((a, b) => a.startsAt.localeCompare(b.startsAt))) {
    const k = r.startsAt.slice(0, 7);
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return [...m.entries()];
}

/** An inspector of an inspectorate plans and records; others read. */
function inspectorOrg(me: ReturnType<typeof useMe>): string | undefined {
  return me.roles.includes('inspector') && isInspectorateKind(me.organisationKind)
    ? (me.organisation ?? undefined)
    : undefined;
}

/** The calendar's months: this one (UTC) and the next two. */
const CALENDAR_MONTHS = 3;
/** The API's largest page of inspections: more in the calendar's months are said, not shown. */
const CALENDAR_MAX = 500;

/** "YYYY-MM" of the month `ahead` months after the current one (UTC). */
function monthAhead(ahead: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1)).toISOString().slice(0, 7);
}

/**
 * The calendar of the coming months: the inspections starting in them, asked of the server by
 * their dates (`from`, `to`), not the whole list; the table below pages through every inspection.
 */
function Calendar({ reloads }: { reloads: number }) {
  const t = useT();
  const first = monthAhead(0);
  const after = monthAhead(CALENDAR_MONTHS);
  const data = useLoad(
    (signal) => inspectionsApi.list({ from: `${first}-01`, to: `${after}-01`, limit: CALENDAR_MAX }, signal),
    [first, after, reloads],
  );
  return (
    <Section title={t('insp.calendar')}>
      <p className="muted">
        {t('insp.calendarSpan', {
          first: monthName(first),
          last: monthName(monthAhead(CALENDAR_MONTHS - 1)),
        })}
      </p>
      <Async value={data} what={t('common.what.inspections')}>
        {(page) =>
          page.items.length === 0 ? (
            <p>{t('insp.calendarNone')}</p>
          ) : (
            <>
              <ul className="calendar">
                {byMonth(page.items).map(([month, items]) => (
                  <li key={month}>
                    <strong>{monthName(month)}</strong>:{' '}
                    {items.map((i, n) => (
                      <span key={i.id}>
                        {n > 0 ? '; ' : ''}
                        <Link to={`/inspections/${encodeURIComponent(i.id)}`}>
                          {t('insp.calendarEntry', {
                            date: formatDate(i.startsAt.slice(0, 10)),
                            type: inspectionTypeLabel(i.type, t),
                            facility: i.facility,
                          })}
                        </Link>
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
              {page.total > page.items.length && (
                <p className="muted">
                  {t('insp.calendarMore', { shown: String(page.items.length), total: String(page.total) })}
                </p>
              )}
            </>
          )
        }
      </Async>
    </Section>
  );
}

export default function InspectionsPage() {
  const t = useT();
  const caps = useCapabilities();
  const me = useMe();
  const org = inspectorOrg(me);
  // Paged by the server (decision 0090): only the window is asked for, the list has no sort or filter.
  const table = usePagedTable(
    (req, signal) => inspectionsApi.list({ limit: req.limit, offset: req.offset }, signal),
    [],
  );
  const [reloads, setReloads] = useState(0);
  useLiveReload(
    (e) => e.type.startsWith('inspection.'),
    () => {
      table.loaded.reload();
      setReloads((n) => n + 1);
    },
  );
  const none = table.loaded.data?.total === 0 && table.page === 0;
  return (
    <Page title={t('nav.inspections')} lead={t('insp.lead')}>
      {!none && table.loaded.data !== undefined && <Calendar reloads={reloads} />}
      <ServerTable
        caption={t('nav.inspections')}
        columns={inspectionColumns(t)}
        table={table}
        rowKey={(i) => i.id}
        what={t('common.what.inspections')}
        empty={
          <EmptyState title={t('insp.none')}>
            <p>{t('insp.noneHint')}</p>
          </EmptyState>
        }
      />
      {org && caps.has(capabilityKey('post', '/api/inspections')) && (
        <PlanInspectionForm organisation={org} />
      )}
      {caps.has(capabilityKey('post', '/api/sampling-plans')) && <SamplingCalculator />}
    </Page>
  );
}

const DEFECT_LEVELS = ['gross', 'partial', 'bias'] as const;

function SamplingCalculator() {
  const t = useT();
  const [form, setForm] = useState({
    population: '100',
    averageContent: '4000',
    goalQuantity: '8000',
    nonDetectionProbability: '0.2',
    defectLevel: 'gross' as SamplingPlanRequest['defectLevel'],
  });
  const [plan, setPlan] = useState<SamplingPlan | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setPlan(undefined);
    try {
      setPlan(
        await inspectionsApi.samplingPlan({
          population: Number(form.population),
          averageContent: Number(form.averageContent),
          goalQuantity: Number(form.goalQuantity),
          nonDetectionProbability: Number(form.nonDetectionProbability),
          defectLevel: form.defectLevel,
        }),
      );
    } catch (err) {
      setError(err);
    }
  };
  const field = (key: keyof typeof form, label: string, help: string) => (
    <div className="field">
      <label htmlFor={`sp-${key}`}>{label}</label>
      <input
        id={`sp-${key}`}
        inputMode="decimal"
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        aria-describedby={`sp-${key}-help`}
      />
      <span id={`sp-${key}-help`} className="muted small">
        {help}
      </span>
    </div>
  );
  return (
    <Section title={t('insp.sp.title')}>
      <form onSubmit={submit}>
        <div className="form-grid">
          {field('population', t('insp.sp.population'), t('insp.sp.populationHelp'))}
          {field('averageContent', t('insp.sp.average'), t('insp.sp.averageHelp'))}
          {field('goalQuantity', t('insp.sp.goal'), t('insp.sp.goalHelp'))}
          {field('nonDetectionProbability', t('insp.sp.beta'), t('insp.sp.betaHelp'))}
          <div className="field">
            <label htmlFor="sp-defect">{t('insp.sp.defect')}</label>
            <select
              id="sp-defect"
              value={form.defectLevel}
              onChange={(e) =>
                setForm({ ...form, defectLevel: e.target.value as SamplingPlanRequest['defectLevel'] })
              }
            >
              {DEFECT_LEVELS.map((d) => (
                <option key={d} value={d}>
                  {t(`insp.sp.defect.${d}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="primary">
          {t('insp.sp.calculate')}
        </button>
      </form>
      {error !== undefined && <ErrorState error={error} />}
      {plan && (
        <p role="status" className="notice notice-ok">
          <strong>
            {t('insp.sp.sample', { count: plan.sampleSize, method: samplingMethod(plan.method, t) })}
          </strong>{' '}
          {plan.detectionProbability !== undefined
            ? t('insp.sp.detectWith', {
                count: plan.defectsToDetect,
                probability: plan.detectionProbability.toLocaleString(formatLocale(), {
                  style: 'percent',
                  minimumFractionDigits: 1,
                  maximumFractionDigits: 1,
                }),
              })
            : t('insp.sp.detect', { count: plan.defectsToDetect })}
        </p>
      )}
    </Section>
  );
}

/** The sampling method the defect level decides (domain/inspections/sampling.ts). */
function samplingMethod(method: string, t: Translate): string {
  return method === 'attribute' || method === 'nda-variables' || method === 'da-variables'
    ? t(`insp.sp.method.${method}`)
    : method;
}

type Statement = SignedStatement;

/**
 * Each signed statement is re-verified here when shown, with the CLI's own check (verify.ts
 * checkStatement): the signature against the organisation's registered key, then the log record,
 * its commitment and its receipt.
 */
function StatementVerdict({ statement }: { statement: Statement }) {
  const t = useT();
  const waitCovered = useCheckpointWait();
  const [waiting, setWaiting] = useState(false);
  const check = useLoad(async () => {
    // A statement signed a moment ago is verified once a checkpoint covers its entry (issue 16 item 9).
    if (statement.logIndex !== null) await waitCovered(statement.logIndex, () => setWaiting(true));
    setWaiting(false);
    const v = await import('../verify.js');
    const [keys, vkey] = await Promise.all([api.keys(statement.organisation), v.fetchLogKey()]);
    return v.checkStatement(statement, keys, v.verifierOf(vkey));
  }, [statement.inspection, statement.organisation, statement.signature]);
  const org = statement.organisation;
  if (check.error !== undefined) {
    return (
      <p role="status" className="small">
        <span className="badge badge-wait">{t('insp.verdict.notChecked')}</span>{' '}
        {t('insp.verdict.couldNot', { org })} <span>{failureText(t, check.error)}</span>{' '}
        <button type="button" className="link-button" onClick={check.reload}>
          {t('insp.verdict.retry')}
        </button>
      </p>
    );
  }
  const c = check.data;
  if (c === undefined) {
    return (
      <p role="status" className="muted small">
        {waiting ? t('insp.verdict.waiting', { org }) : t('insp.verdict.verifying', { org })}
      </p>
    );
  }
  const failed = c.steps.find((x) => !x.ok);
  return (
    <div className="small">
      <p role="status">
        {c.ok ? (
          <span className="badge badge-ok">{t('insp.verdict.verified')}</span>
        ) : (
          <span className="badge badge-bad">{t('insp.verdict.failed')}</span>
        )}{' '}
        {failed
          ? `${sayStep(t, failed.label)}: ${failed.detail ? sayStep(t, failed.detail) : t('insp.verdict.stepFailed')}.`
          : c.logIndex !== undefined
            ? t('insp.verdict.signedLogged', { org, index: String(c.logIndex) })
            : t('insp.verdict.signed', { org })}{' '}
        {c.logNote && sayStep(t, c.logNote)}
      </p>
      <details>
        <summary>{t('insp.verdict.checked')}</summary>
        <ul className="checks">
          {c.steps.map((x) => (
            <li key={sayStep(t, x.label)}>
              {x.ok ? '✓' : '✗'} {sayStep(t, x.label)}
              {x.detail ? ` — ${sayStep(t, x.detail)}` : ''}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

export function InspectionPage({ id }: { id: string }) {
  const t = useT();
  const me = useMe();
  const org = inspectorOrg(me);
  const data = useLoad(async () => {
    const [inspection, findings, statements] = await Promise.all([
      inspectionsApi.get(id),
      inspectionsApi.findings(id),
      inspectionsApi.statements(id).catch((): Statement[] => []),
    ]);
    return { inspection, findings, statements };
  }, [id]);
  return (
    <Page title={t('insp.detail.title', { id })} lead={<Link to="/inspections">{t('insp.detail.all')}</Link>}>
      <Async value={data} what={t('common.what.inspection')}>
        {({ inspection: i, findings, statements }) => (
          <>
            <dl className="facts">
              <dt>{t('reports.type')}</dt>
              <dd>{inspectionTypeLabel(i.type, t)}</dd>
              <dt>{t('insp.facility')}</dt>
              <dd>
                <Link to={`/facilities/${encodeURIComponent(i.facility)}`}>{i.facility}</Link> ({i.state})
              </dd>
              <dt>{t('insp.detail.starts')}</dt>
              <dd>{when(i.startsAt)} UTC</dd>
              <dt>{t('insp.detail.noticeRule')}</dt>
              <dd>
                {i.noticeRule ? noticeRuleText(t, i.type, i.noticeRule) : '—'}
                {i.noticeBasis ? ` — ${i.noticeBasis.ref}` : ''}
                {i.requiredNoticeHours
                  ? ` ${t('insp.detail.noticeHours', { hours: i.requiredNoticeHours, given: when(i.noticeGivenAt) })}`
                  : ''}
              </dd>
              <dt>{t('transfers.col.status')}</dt>
              <dd>{inspectionStatusLabel(i.status, t)}</dd>
              <dt>{t('insp.act.title')}</dt>
              <dd>
                {(i.activities ?? [])
                  .map((a) => `${activityName(t, a.activity)} (${a.inspectorate})`)
                  .join(', ') || '—'}
              </dd>
            </dl>
            {org && i.participants.includes(org) && (
              <>
                <ActivitiesForm inspection={i} onDone={data.reload} />
                <RecordResultsForm
                  key={`rr-${JSON.stringify(i.activities ?? [])}`}
                  inspection={i}
                  organisation={org}
                  onDone={data.reload}
                />
              </>
            )}
            <Section title={t('insp.findings')}>
              {findings.length === 0 ? (
                <EmptyState title={t('insp.findings.none')} />
              ) : (
                <ul>
                  {findings.map((f) => (
                    <li key={f.id}>
                      <span className="badge badge-bad">
                        {findingTypeLabel(f.type, t)} · {severityLabel(f.severity, t)}
                      </span>{' '}
                      {f.description}
                      {f.items && f.items.length > 0
                        ? ` ${t('insp.findings.items', { items: f.items.join(', ') })}`
                        : ''}
                      {f.caseId && (
                        <>
                          {' — '}
                          <Link to={`/cases/${encodeURIComponent(f.caseId)}`}>{t('insp.findings.case')}</Link>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <Section title={t('insp.statements')}>
              {statements.length === 0 ? (
                <EmptyState title={t('insp.statements.none')} />
              ) : (
                <ul>
                  {statements.map((s) => (
                    <li key={s.organisation}>
                      <strong>{s.organisation}</strong>
                      {s.statement.signedAt
                        ? ` ${t('insp.statements.signed', { time: when(s.statement.signedAt) })}`
                        : ''}
                      : {s.statement.conclusion}
                      <StatementVerdict statement={s} />
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            {org && i.participants.includes(org) && <SignStatementForm inspection={i} onDone={data.reload} />}
          </>
        )}
      </Async>
    </Page>
  );
}
