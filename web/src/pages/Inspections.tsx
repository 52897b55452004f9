/** Inspections: the calendar as a list by month, each inspection's findings and signed statements, and the sampling-plan calculator. */
import { type FormEvent, useState } from 'react';
import { isInspectorateKind } from '../../../src/domain/registry/index.js';
import { api, type Inspection, inspectionsApi, type SamplingPlan, type SamplingPlanRequest } from '../api.js';
import { capabilityKey, useCapabilities } from '../capabilities.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { useCheckpointWait, useLiveReload } from '../live.js';
import { Link } from '../router.js';
import { useMe } from '../session.js';
import type { SignedStatement } from '../verify.js';
import { ActivitiesForm } from './inspections/ActivitiesForm.js';
import { PlanInspectionForm } from './inspections/PlanInspectionForm.js';
import { RecordResultsForm } from './inspections/RecordResultsForm.js';
import { SignStatementForm } from './inspections/SignStatementForm.js';

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');

const inspectionColumns: Column<Inspection>[] = [
  {
    key: 'start',
    header: 'Starts (UTC)',
    render: (i) => <Link to={`/inspections/${encodeURIComponent(i.id)}`}>{when(i.startsAt)}</Link>,
    sortValue: (i) => i.startsAt,
  },
  { key: 'type', header: 'Type', render: (i) => i.type, sortValue: (i) => i.type },
  { key: 'facility', header: 'Facility', render: (i) => i.facility, sortValue: (i) => i.facility },
  { key: 'state', header: 'State', render: (i) => i.state, sortValue: (i) => i.state },
  { key: 'mbas', header: 'MBAs', render: (i) => i.mbas.join(', ') },
  { key: 'who', header: 'Inspectorates', render: (i) => i.participants.join(', ') },
  { key: 'notice', header: 'Notice given', render: (i) => when(i.noticeGivenAt) },
  { key: 'status', header: 'Status', render: (i) => i.status, sortValue: (i) => i.status },
];

function byMonth(rows: readonly Inspection[]): [string, Inspection[]][] {
  const m = new Map<string, Inspection[]>();
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

export default function InspectionsPage() {
  const caps = useCapabilities();
  const me = useMe();
  const org = inspectorOrg(me);
  const data = useLoad(() => inspectionsApi.list(), []);
  useLiveReload((e) => e.type.startsWith('inspection.'), data.reload);
  return (
    <Page title="Inspections" lead="Planned and performed inspections, by month.">
      <Async value={data} what="inspections">
        {(rows) =>
          rows.length === 0 ? (
            <EmptyState title="No inspections planned">
              <p>An inspector plans one below; it appears here with its notice rule.</p>
            </EmptyState>
          ) : (
            <>
              <Section title="Calendar">
                <ul className="calendar">
                  {byMonth(rows).map(([month, items]) => (
                    <li key={month}>
                      <strong>{month}</strong>:{' '}
                      {items.map((i, n) => (
                        <span key={i.id}>
                          {n > 0 ? '; ' : ''}
                          <Link to={`/inspections/${encodeURIComponent(i.id)}`}>
                            {i.startsAt.slice(0, 10)} {i.type} at {i.facility}
                          </Link>
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
              </Section>
              <Table caption="Inspections" columns={inspectionColumns} rows={rows} rowKey={(i) => i.id} />
            </>
          )
        }
      </Async>
      {org && caps.has(capabilityKey('post', '/api/inspections')) && (
        <PlanInspectionForm organisation={org} />
      )}
      {caps.has(capabilityKey('post', '/api/sampling-plans')) && <SamplingCalculator />}
    </Page>
  );
}

function SamplingCalculator() {
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
    <Section title="Sampling-plan calculator">
      <form onSubmit={submit}>
        <div className="form-grid">
          {field('population', 'Population (items)', 'Number of items in the stratum')}
          {field('averageContent', 'Average content (g)', 'Nuclear material per item')}
          {field('goalQuantity', 'Goal quantity (g)', 'Usually 1 SQ')}
          {field('nonDetectionProbability', 'Non-detection probability β', 'e.g. 0.2 for 80 % detection')}
          <div className="field">
            <label htmlFor="sp-defect">Defect level</label>
            <select
              id="sp-defect"
              value={form.defectLevel}
              onChange={(e) =>
                setForm({ ...form, defectLevel: e.target.value as SamplingPlanRequest['defectLevel'] })
              }
            >
              <option value="gross">gross</option>
              <option value="partial">partial</option>
              <option value="bias">bias</option>
            </select>
          </div>
        </div>
        <button type="submit" className="primary">
          Calculate sample size
        </button>
      </form>
      {error !== undefined && <ErrorState error={error} />}
      {plan && (
        <p role="status" className="notice notice-ok">
          <strong>
            Sample {plan.sampleSize} items ({plan.method})
          </strong>{' '}
          to detect {plan.defectsToDetect} defect{plan.defectsToDetect === 1 ? '' : 's'}
          {plan.detectionProbability !== undefined
            ? ` with probability ${(plan.detectionProbability * 100).toFixed(1)} %`
            : ''}
          .
        </p>
      )}
    </Section>
  );
}

type Statement = SignedStatement;

/**
 * Each signed statement is re-verified here when shown, with the CLI's own check (verify.ts
 * checkStatement): the signature against the organisation's registered key, then the log record,
 * its commitment and its receipt.
 */
function StatementVerdict({ statement }: { statement: Statement }) {
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
  const who = `the statement of ${statement.organisation}`;
  if (check.error !== undefined) {
    return (
      <p role="status" className="small">
        <span className="badge badge-wait">Not checked</span> {who} could not be checked:{' '}
        {check.error instanceof Error ? check.error.message : String(check.error)}{' '}
        <button type="button" className="link-button" onClick={check.reload}>
          Try again
        </button>
      </p>
    );
  }
  const c = check.data;
  if (c === undefined) {
    return (
      <p role="status" className="muted small">
        {waiting
          ? `Waiting for the log to publish a checkpoint that covers ${who}; it is verified then.`
          : `Verifying ${who} in your browser…`}
      </p>
    );
  }
  const failed = c.steps.find((x) => !x.ok);
  return (
    <div className="small">
      <p role="status">
        {c.ok ? (
          <span className="badge badge-ok">✓ Signature verified</span>
        ) : (
          <span className="badge badge-bad">✗ Does not verify</span>
        )}{' '}
        {failed
          ? `${failed.label}: ${failed.detail ?? 'failed'}.`
          : c.logIndex !== undefined
            ? `Signed by a registered key of ${statement.organisation}; log entry ${c.logIndex} and its receipt verify.`
            : `Signed by a registered key of ${statement.organisation}.`}{' '}
        {c.logNote}
      </p>
      <details>
        <summary>What your browser checked</summary>
        <ul className="checks">
          {c.steps.map((x) => (
            <li key={x.label}>
              {x.ok ? '✓' : '✗'} {x.label}
              {x.detail ? ` — ${x.detail}` : ''}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

export function InspectionPage({ id }: { id: string }) {
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
    <Page title={`Inspection ${id}`} lead={<Link to="/inspections">All inspections</Link>}>
      <Async value={data} what="the inspection">
        {({ inspection: i, findings, statements }) => (
          <>
            <dl className="facts">
              <dt>Type</dt>
              <dd>{i.type}</dd>
              <dt>Facility</dt>
              <dd>
                <Link to={`/facilities/${encodeURIComponent(i.facility)}`}>{i.facility}</Link> ({i.state})
              </dd>
              <dt>Starts</dt>
              <dd>{when(i.startsAt)} UTC</dd>
              <dt>Notice rule</dt>
              <dd>
                {i.noticeRule ?? '—'}
                {i.noticeBasis ? ` — ${i.noticeBasis.ref}` : ''}
                {i.requiredNoticeHours
                  ? ` (${i.requiredNoticeHours} h required; notice given ${when(i.noticeGivenAt)})`
                  : ''}
              </dd>
              <dt>Status</dt>
              <dd>{i.status}</dd>
              <dt>Activities</dt>
              <dd>
                {(i.activities ?? []).map((a) => `${a.activity} (${a.inspectorate})`).join(', ') || '—'}
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
            <Section title="Findings">
              {findings.length === 0 ? (
                <EmptyState title="No findings recorded" />
              ) : (
                <ul>
                  {findings.map((f) => (
                    <li key={f.id}>
                      <span className="badge badge-bad">
                        {f.type} · {f.severity}
                      </span>{' '}
                      {f.description}
                      {f.items && f.items.length > 0 ? ` (items ${f.items.join(', ')})` : ''}
                      {f.caseId && (
                        <>
                          {' '}
                          — <Link to={`/cases/${encodeURIComponent(f.caseId)}`}>follow-up case</Link>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <Section title="Statements">
              {statements.length === 0 ? (
                <EmptyState title="No signed statements yet" />
              ) : (
                <ul>
                  {statements.map((s) => (
                    <li key={s.organisation}>
                      <strong>{s.organisation}</strong>
                      {s.statement.signedAt ? ` signed ${when(s.statement.signedAt)} UTC` : ''}:{' '}
                      {s.statement.conclusion}
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
